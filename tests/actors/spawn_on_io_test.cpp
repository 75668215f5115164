// Actors of the user's on the I/O thread: they run there, own connections on it like any
// owner, and a system without the module says so.
#define BOOST_TEST_MODULE spawn_on_io
#include <wsnova/actors/spawn_on_io.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/post.hpp>
#include <caf/actor_system_config.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/actors/io_module.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/atoms.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

struct fixture : test::actor_system_fixture {
  /// The id of the (only) I/O thread.
  std::thread::id io_thread() {
    std::promise<std::thread::id> id;
    boost::asio::post(io_module::of(system)->next_context(),
                      [&] { id.set_value(std::this_thread::get_id()); });
    auto future = id.get_future();
    BOOST_REQUIRE(future.wait_for(10s) == std::future_status::ready);
    return future.get();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(on_the_io_thread, fixture)

// Its handlers run on the I/O thread, not on a CAF worker.
BOOST_AUTO_TEST_CASE(handlers_run_on_the_io_thread) {
  std::promise<std::thread::id> ran_on;
  auto actor = spawn_on_io(system, [&](caf::event_based_actor* self) -> caf::behavior {
    return {[&, self](caf::ok_atom) {
      ran_on.set_value(std::this_thread::get_id());
      self->quit();
    }};
  });
  BOOST_REQUIRE(actor);
  caf::anon_send(*actor, caf::ok_atom::value);
  auto future = ran_on.get_future();
  BOOST_REQUIRE(future.wait_for(10s) == std::future_status::ready);
  auto id = future.get();
  BOOST_CHECK(id == io_thread());
  BOOST_CHECK(id != std::this_thread::get_id());
}

// As an owner: it spawns a connection, gets connected_event, sends, gets the echo, closes and
// gets closed_event with 1000, every event on the I/O thread.
BOOST_AUTO_TEST_CASE(owns_a_connection) {
  test::echo_server server;
  std::promise<std::string> outcome;
  auto io = io_thread();
  auto owner = spawn_on_io(system, [&](caf::event_based_actor* self) -> caf::behavior {
    connection_config config;
    config.url = server.url();
    auto conn = spawn_connection(self->home_system(), config, unchecked_owner(self));
    if (!conn) {
      outcome.set_value("spawn: " + describe(conn.error()));
      return {};
    }
    auto on_io = [io] { return std::this_thread::get_id() == io; };
    return {
        [=, &outcome](const connected_event&) {
          if (!on_io()) outcome.set_value("connected_event off the I/O thread");
          self->send(*conn, send_atom::value, ws_message{message_kind::text, "on io"});
        },
        [=](const message_event& ev) {
          if (ev.message.payload == "on io")
            self->send(*conn, close_atom::value, std::uint16_t{1000}, std::string{});
        },
        [=, &outcome](const closed_event& ev) {
          outcome.set_value(on_io() ? "closed " + std::to_string(ev.code)
                                    : "closed_event off the I/O thread");
          self->quit();
        },
        [](const disconnected_event&) {},
        [](caf::ok_atom) {},  // the answer to the close request
    };
  });
  BOOST_REQUIRE(owner);
  auto future = outcome.get_future();
  BOOST_REQUIRE(future.wait_for(10s) == std::future_status::ready);
  BOOST_CHECK_EQUAL(future.get(), "closed 1000");
}

// Threads that are not the I/O thread wake the actor by posting to the io_context, the I/O
// thread by posting to itself when a resume yields (64 messages per resume): from four
// threads at once, every message arrives, once, and each sender's in the order sent.
BOOST_AUTO_TEST_CASE(messages_from_many_threads_all_arrive_in_order) {
  constexpr int senders = 4;
  constexpr int per_sender = 20'000;
  std::promise<std::string> outcome;
  auto actor = spawn_on_io(system, [&](caf::event_based_actor* self) -> caf::behavior {
    auto next = std::make_shared<std::vector<int>>(senders, 0);
    auto total = std::make_shared<int>(0);
    return {[=, &outcome](int sender, int sequence) {
      if ((*next)[sender]++ != sequence) {
        outcome.set_value("sender " + std::to_string(sender) + ": " + std::to_string(sequence) +
                          " out of order");
        self->quit();
      } else if (++*total == senders * per_sender) {
        outcome.set_value("all " + std::to_string(*total));
        self->quit();
      }
    }};
  });
  BOOST_REQUIRE(actor);
  std::vector<std::thread> threads;
  threads.reserve(senders);
  for (int sender = 0; sender < senders; ++sender)
    threads.emplace_back([&, sender] {
      for (int i = 0; i < per_sender; ++i) caf::anon_send(*actor, sender, i);
    });
  for (auto& thread : threads) thread.join();
  auto future = outcome.get_future();
  BOOST_REQUIRE(future.wait_for(30s) == std::future_status::ready);
  BOOST_CHECK_EQUAL(future.get(), "all " + std::to_string(senders * per_sender));
}

BOOST_AUTO_TEST_SUITE_END()

// A system without the module cannot have one: a clear error, nothing spawned.
BOOST_AUTO_TEST_CASE(needs_the_io_module) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  auto actor = spawn_on_io(system, [](caf::event_based_actor*) -> caf::behavior { return {}; });
  BOOST_REQUIRE(!actor);
  BOOST_CHECK(is(actor.error(), errc::invalid_argument));
  BOOST_CHECK(describe(actor.error()).find("io_module") != std::string::npos);
}
