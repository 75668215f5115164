// spawn_connection with one configuration shared by several connections: each connection
// gets its own id (given, the config's, or "conn-N"), its own session and its own messages,
// and a missing configuration or owner is refused before anything is spawned.
#define BOOST_TEST_MODULE shared_config
#include <wsnova/actors/spawn_connection.hpp>

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>

#include <caf/scoped_actor.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

struct fixture : test::actor_system_fixture {
  test::echo_server server;
  caf::scoped_actor self{system};
  std::shared_ptr<connection_config> config = fresh_config();

  /// A configuration for the echo server, not used by any connection yet (a configuration
  /// must not change once a connection reads it).
  std::shared_ptr<connection_config> fresh_config() const {
    auto result = std::make_shared<connection_config>();
    result->url = server.url();
    return result;
  }

  /// Spawns a connection with the shared `config`, owned by `self`, and waits until it is up.
  connection spawn_connected(std::string id = {}) {
    auto handle = spawn_connection(system, config, unchecked_owner(self), std::move(id));
    if (!handle) BOOST_FAIL("spawn_connection: " << describe(handle.error()));
    caf::error failure;
    self->request(*handle, test::deadline, connect_atom::value)
        .receive([](caf::ok_atom) {}, [&](caf::error& err) { failure = std::move(err); });
    if (failure) BOOST_FAIL("connect: " << describe(failure));
    return *handle;
  }

  /// Waits for `count` connected_events and returns their ids.
  std::multiset<std::string> connected_ids(std::size_t count) const {
    std::multiset<std::string> ids;
    bool timed_out = false;
    while (ids.size() < count && !timed_out)
      self->receive([&](connected_event& ev) { ids.insert(ev.id); },
                    caf::after(test::deadline) >> [&] { timed_out = true; });
    BOOST_REQUIRE_MESSAGE(!timed_out, "only " << ids.size() << " of " << count << " connected");
    return ids;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(shared_config, fixture)

// Two connections from one configuration each echo their own message under their own id;
// the configuration is held, not copied (each connection holds at least one reference).
BOOST_AUTO_TEST_CASE(connections_sharing_a_config_keep_their_own_ids_and_messages) {
  auto first = spawn_connected("first");
  auto second = spawn_connected("second");
  BOOST_CHECK_GE(config.use_count(), 3);
  BOOST_CHECK((connected_ids(2) == std::multiset<std::string>{"first", "second"}));
  self->request(first, test::deadline, send_atom::value, ws_message{message_kind::text, "one"})
      .receive([](caf::ok_atom) {}, [](caf::error& err) { BOOST_FAIL(describe(err)); });
  self->request(second, test::deadline, send_atom::value, ws_message{message_kind::text, "two"})
      .receive([](caf::ok_atom) {}, [](caf::error& err) { BOOST_FAIL(describe(err)); });
  std::map<std::string, std::string> echoed;
  bool timed_out = false;
  while (echoed.size() < 2 && !timed_out)
    self->receive([&](message_event& ev) { echoed[ev.id] = ev.message.payload; },
                  caf::after(test::deadline) >> [&] { timed_out = true; });
  BOOST_REQUIRE(!timed_out);
  BOOST_CHECK_EQUAL(echoed["first"], "one");
  BOOST_CHECK_EQUAL(echoed["second"], "two");
}

// Without an id at spawn, the config's id names the connection; without that either, each
// connection is "conn-N" with its own N.
BOOST_AUTO_TEST_CASE(id_falls_back_to_the_configs_then_to_the_actor_id) {
  config->id = "from-config";
  spawn_connected();
  BOOST_CHECK((connected_ids(1) == std::multiset<std::string>{"from-config"}));
  config = fresh_config();  // no id
  auto a = spawn_connected();
  auto b = spawn_connected();
  auto ids = connected_ids(2);
  BOOST_CHECK((ids == std::multiset<std::string>{"conn-" + std::to_string(a.id()),
                                                 "conn-" + std::to_string(b.id())}));
}

// A null configuration, a bad URL in a shared one, or a missing owner: an error, no actor.
BOOST_AUTO_TEST_CASE(null_config_bad_url_and_missing_owner_are_refused) {
  auto none =
      spawn_connection(system, std::shared_ptr<const connection_config>{}, unchecked_owner(self));
  BOOST_REQUIRE(!none);
  BOOST_CHECK_MESSAGE(is(none.error(), errc::invalid_argument), describe(none.error()));
  auto bad = fresh_config();
  bad->url = "http://127.0.0.1:1/";
  auto bad_url = spawn_connection(system, bad, unchecked_owner(self), "x");
  BOOST_REQUIRE(!bad_url);
  BOOST_CHECK_MESSAGE(is(bad_url.error(), errc::bad_url), describe(bad_url.error()));
  BOOST_CHECK_EQUAL(bad.use_count(), 1);
  auto no_owner = spawn_connection(system, config, connection_owner{}, "y");
  BOOST_REQUIRE(!no_owner);
  BOOST_CHECK_MESSAGE(is(no_owner.error(), errc::invalid_argument), describe(no_owner.error()));
  BOOST_CHECK_EQUAL(config.use_count(), 1);
}

BOOST_AUTO_TEST_SUITE_END()
