// Ownership transfer of a live connection on real sockets: a hand-over in the middle of a
// 100,000-message stream loses and duplicates nothing; refused transfers (dead new owner,
// request by a non-owner) change nothing; an owner dying during its own transfer.
#define BOOST_TEST_MODULE integration_ownership_transfer
#include <boost/test/unit_test.hpp>

#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <wsnova/tests/integration/integration_fixture.hpp>
#include <wsnova/tests/integration/recording_owner.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::itest;

namespace {

constexpr std::uint32_t stream_length = 100000;

struct transfer_fixture : fixture {
  caf::actor spawn_owned(record_ptr rec, std::size_t after = 0, caf::actor next = nullptr) {
    auto owner = system.spawn(recording_owner, std::move(rec), after, std::move(next));
    stop_list.push_back(owner);
    return owner;
  }

  connection open(const caf::actor& owner, const std::string& id) {
    auto conf = feed_config(id);
    conf.registry = registry_actor{};
    auto conn = spawn_connection(system, std::move(conf), wsnova::unchecked_owner(owner));
    if (!conn) BOOST_FAIL("spawn_connection: " << describe(conn.error()));
    if (auto err = connect(caf::actor_cast<caf::actor>(*conn)))
      BOOST_FAIL("connect: " << describe(err));
    return *conn;
  }

  caf::error send_text(const connection& conn, std::string text) {
    caf::error failure;
    self->request(conn, deadline, send_atom::value, ws_message{message_kind::text, std::move(text)})
        .receive([](caf::ok_atom) {}, [&](caf::error& err) { failure = std::move(err); });
    return failure;
  }

  caf::error transfer_from(caf::scoped_actor& who, const connection& conn, caf::actor next) {
    caf::error failure;
    who->request(conn, deadline, transfer_atom::value, wsnova::unchecked_owner(next))
        .receive([](caf::ok_atom) {}, [&](caf::error& err) { failure = std::move(err); });
    return failure;
  }

  /// Waits until a scoped owner receives a message event with `text`; flags any ownership
  /// event seen on the way.
  bool owner_receives(caf::scoped_actor& owner, const std::string& text,
                      bool* saw_ownership = nullptr) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      bool found = false;
      owner->receive([&](message_event& ev) { found = ev.message.payload == text; },
                     [&](ownership_event&) {
                       if (saw_ownership) *saw_ownership = true;
                     },
                     [](connected_event&) {}, caf::after(100ms) >> [] {});
      if (found) return true;
    }
    return false;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(ownership_transfer, transfer_fixture)

// A hands over to B after 30,000 of 100,000 streamed numbers: A holds a prefix, B the rest,
// each in order, together exactly 1..100000; A's last and B's first event is the
// ownership_event.
BOOST_AUTO_TEST_CASE(transfer_during_a_stream_loses_and_duplicates_nothing) {
  auto rec_a = std::make_shared<record>();
  auto rec_b = std::make_shared<record>();
  auto b = spawn_owned(rec_b);
  auto a = spawn_owned(rec_a, 30000, b);
  auto conn = open(a, "stream");
  if (auto err = send_text(conn, "!stream " + std::to_string(stream_length)))
    BOOST_FAIL("send: " << describe(err));
  BOOST_REQUIRE_MESSAGE(
      rec_b->wait([](record& r) { return !r.numbers.empty() && r.numbers.back() == stream_length; },
                  60s),
      "B did not receive the end of the stream");
  check_hand_over(*rec_a, *rec_b, a, b, stream_length, "stream");
}

// A transfer to an actor that is already dead fails with actor_gone and changes nothing:
// the old owner keeps getting the messages, no ownership event.
BOOST_AUTO_TEST_CASE(transfer_to_a_dead_actor_fails_and_keeps_the_owner) {
  caf::scoped_actor owner{system};
  auto dead = system.spawn(sink_owner);
  stop(dead);
  auto conn = open(owner, "dead-target");
  auto err = transfer_from(owner, conn, dead);
  BOOST_CHECK_MESSAGE(code_of(err) == errc::actor_gone, "got " << describe(err));
  bool saw_ownership = false;
  BOOST_REQUIRE(!send_text(conn, "still yours"));
  BOOST_CHECK(owner_receives(owner, "still yours", &saw_ownership));
  BOOST_CHECK(!saw_ownership);
  BOOST_CHECK_EQUAL(to_string(status(caf::actor_cast<caf::actor>(conn)).state),
                    std::string{"connected"});
  // A second transfer (to a live actor) still works afterwards: nothing is left pending.
  caf::scoped_actor next{system};
  BOOST_CHECK(!transfer_from(owner, conn, next));
  BOOST_REQUIRE(!send_text(conn, "now yours"));
  saw_ownership = false;
  BOOST_CHECK(owner_receives(next, "now yours", &saw_ownership));
  BOOST_CHECK(saw_ownership);
  stop(caf::actor_cast<caf::actor>(conn));
}

// Only the owner (or the transfer authority) may transfer: anyone else gets not_allowed.
BOOST_AUTO_TEST_CASE(transfer_by_a_non_owner_is_not_allowed) {
  caf::scoped_actor owner{system};
  caf::scoped_actor stranger{system};
  auto conn = open(owner, "not-yours");
  auto err = transfer_from(stranger, conn, stranger);
  BOOST_CHECK_MESSAGE(code_of(err) == errc::not_allowed, "got " << describe(err));
  bool saw_ownership = false;
  BOOST_REQUIRE(!send_text(conn, "still the owner's"));
  BOOST_CHECK(owner_receives(owner, "still the owner's", &saw_ownership));
  BOOST_CHECK(!saw_ownership);
  stop(caf::actor_cast<caf::actor>(conn));
}

// The transfer authority, not being the owner, may move the connection.
BOOST_AUTO_TEST_CASE(transfer_authority_may_transfer) {
  caf::scoped_actor owner{system};
  caf::scoped_actor authority{system};
  caf::scoped_actor next{system};
  auto conf = feed_config("authority");
  conf.registry = registry_actor{};
  conf.transfer_authority = authority;
  auto conn = spawn_connection(system, std::move(conf), wsnova::unchecked_owner(owner));
  if (!conn) BOOST_FAIL("spawn_connection: " << describe(conn.error()));
  if (auto err = connect(caf::actor_cast<caf::actor>(*conn))) BOOST_FAIL(describe(err));
  BOOST_CHECK(!transfer_from(authority, *conn, next));
  BOOST_REQUIRE(!send_text(*conn, "to next"));
  bool saw_ownership = false;
  BOOST_CHECK(owner_receives(next, "to next", &saw_ownership));
  BOOST_CHECK(saw_ownership);
  stop(caf::actor_cast<caf::actor>(*conn));
}

namespace {

using handover_atom = caf::atom_constant<caf::atom("handover")>;

/// An owner that, told to, asks for a transfer to `next` and dies at once (abnormally).
caf::behavior dying_owner(caf::event_based_actor* self) {
  self->set_default_handler(ignore_message);
  return {
      [=](handover_atom, const connection& conn, const caf::actor& next) {
        self->send(conn, transfer_atom::value, wsnova::unchecked_owner(next));
        self->quit(make_error(errc::connection_lost, "owner crashed"));
      },
      [](const message_event&) {},
  };
}

}  // namespace

// The owner sends its transfer request and dies right away. The request is in the
// connection's mailbox before the owner's down message, so the hand-over completes either
// way round (connection_actor::on_down commits a pending transfer when the owner dies): the
// new owner owns the live connection.
BOOST_AUTO_TEST_CASE(owner_dying_right_after_requesting_a_transfer) {
  for (int round = 0; round < 10; ++round) {
    auto owner = system.spawn(dying_owner);
    caf::scoped_actor next{system};
    auto conn = open(owner, "dying-" + std::to_string(round));
    self->monitor(owner);
    self->send(owner, handover_atom::value, conn, caf::actor{next});
    BOOST_REQUIRE(wait_down(owner.address()));
    bool saw_ownership = false;
    BOOST_REQUIRE(!send_text(conn, "after the owner died"));
    BOOST_CHECK_MESSAGE(owner_receives(next, "after the owner died", &saw_ownership),
                        "round " << round << ": the new owner gets no messages");
    BOOST_CHECK_MESSAGE(saw_ownership, "round " << round << ": no ownership event");
    BOOST_CHECK_EQUAL(to_string(status(caf::actor_cast<caf::actor>(conn)).state),
                      std::string{"connected"});
    stop(caf::actor_cast<caf::actor>(conn));
  }
}

// Racing variant: the test kills the owner (untrappable) right after telling it to hand
// over, so the owner may die before or after sending the request. The code promises one of
// two outcomes: the new owner owns the live connection, or the connection closed cleanly
// (1001 to the server, normal exit) as with any owner death. Never a half state.
BOOST_AUTO_TEST_CASE(owner_killed_while_handing_over_races_cleanly) {
  int transferred = 0;
  int closed = 0;
  for (int round = 0; round < 20; ++round) {
    auto owner = system.spawn(dying_owner);
    caf::scoped_actor next{system};
    auto conn = open(owner, "race-" + std::to_string(round));
    auto conn_handle = caf::actor_cast<caf::actor>(conn);
    self->monitor(conn_handle);
    // The kill comes from another thread, before or after the hand-over request.
    std::thread killer{[owner, round] {
      std::this_thread::sleep_for(std::chrono::microseconds{(round % 5) * 20});
      caf::anon_send_exit(owner, caf::exit_reason::kill);
    }};
    if (round % 4 == 0) std::this_thread::sleep_for(200us);
    caf::anon_send(owner, handover_atom::value, conn, caf::actor{next});
    killer.join();
    // Wait for whichever outcome comes, however long the machine takes (up to the
    // deadline): an ownership event at `next`, or the connection's down message at `self`.
    bool owned = false;
    std::optional<caf::error> reason;
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!owned && !reason && std::chrono::steady_clock::now() < until) {
      next->receive([&](ownership_event& ev) { owned = ev.new_owner == next->address(); },
                    caf::after(20ms) >> [] {});
      if (!owned) reason = wait_down(conn_handle.address(), 20ms);
    }
    if (owned) {
      ++transferred;
      BOOST_REQUIRE(!send_text(conn, "ping"));
      BOOST_CHECK(owner_receives(next, "ping"));
      stop(conn_handle);
    } else {
      // Outcome 2: the connection closed as for any owner death, normal exit.
      ++closed;
      BOOST_REQUIRE_MESSAGE(reason, "round " << round << ": neither transferred nor closed");
      BOOST_CHECK_MESSAGE(!*reason, "exit reason: " << describe(*reason));
    }
  }
  BOOST_TEST_MESSAGE("owner killed during hand-over: " << transferred << " transferred, " << closed
                                                       << " closed");
  BOOST_CHECK_EQUAL(transferred + closed, 20);
}

BOOST_AUTO_TEST_SUITE_END()
