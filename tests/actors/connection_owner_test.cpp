// The connection actor watches its owner: when the owner dies, the connection closes with
// 1001 (going away) and exits normally.
#define BOOST_TEST_MODULE connection_owner
#include <wsnova/actors/spawn_connection.hpp>

#include <boost/test/unit_test.hpp>

#include <optional>

#include <caf/after.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

/// An owner that takes every event and does nothing with it.
caf::behavior quiet_owner() {
  return {
      [](const connected_event&) {}, [](const message_event&) {}, [](const disconnected_event&) {},
      [](const closed_event&) {},    [](const error_event&) {},
  };
}

struct fixture : test::actor_system_fixture {
  test::echo_server server;
  caf::scoped_actor self{system};

  /// Spawns a connection owned by `owner`, monitors it and waits until it is up.
  connection spawn_connected(caf::actor owner) {
    connection_config config;
    config.url = server.url();
    auto handle =
        spawn_connection(system, std::move(config), wsnova::unchecked_owner(std::move(owner)));
    if (!handle) BOOST_FAIL("spawn_connection: " << describe(handle.error()));
    self->monitor(*handle);
    caf::error failure;
    self->request(*handle, test::deadline, connect_atom::value)
        .receive([](caf::ok_atom) {}, [&](caf::error& err) { failure = std::move(err); });
    if (failure) BOOST_FAIL("connect: " << describe(failure));
    return *handle;
  }

  /// Waits for the down message of `who`; fails the test at the deadline.
  caf::down_msg wait_for_down(const caf::actor_addr& who) { return test::wait_for_down(self, who); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(owner_death, fixture)

// A killed owner makes the connection send close 1001 to the server and exit normally.
BOOST_AUTO_TEST_CASE(killed_owner_closes_with_1001_and_connection_exits) {
  auto owner = system.spawn(quiet_owner);
  auto conn = spawn_connected(owner);
  BOOST_REQUIRE(server.wait_for_connections(1, 5s));
  caf::anon_send_exit(owner, caf::exit_reason::kill);
  auto close = server.wait_for_client_close(5s);
  BOOST_REQUIRE_MESSAGE(close, "the server got no close frame");
  BOOST_CHECK_EQUAL(close->code, close_code::going_away);
  BOOST_CHECK(!close->answered_server_close);
  auto down = wait_for_down(conn.address());
  BOOST_CHECK_MESSAGE(!down.reason, "exit reason: " << caf::to_string(down.reason));
  BOOST_CHECK(server.wait_for_connections(0, 5s));
}

// An owner that ends normally counts as gone as well.
BOOST_AUTO_TEST_CASE(owner_exiting_normally_closes_with_1001) {
  auto owner = system.spawn(quiet_owner);
  auto conn = spawn_connected(owner);
  caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
  auto close = server.wait_for_client_close(5s);
  BOOST_REQUIRE_MESSAGE(close, "the server got no close frame");
  BOOST_CHECK_EQUAL(close->code, close_code::going_away);
  auto down = wait_for_down(conn.address());
  BOOST_CHECK_MESSAGE(!down.reason, "exit reason: " << caf::to_string(down.reason));
}

// The owner's death while the connection is still connecting closes it (1001) as soon as
// the upgrade completes.
BOOST_AUTO_TEST_CASE(owner_dead_before_upgrade_still_closes) {
  auto owner = system.spawn(quiet_owner);
  connection_config config;
  config.url = server.url();
  auto handle = spawn_connection(system, std::move(config), wsnova::unchecked_owner(owner));
  if (!handle) BOOST_FAIL("spawn_connection: " << describe(handle.error()));
  self->monitor(*handle);
  caf::anon_send_exit(owner, caf::exit_reason::kill);
  auto down = wait_for_down(handle->address());
  BOOST_CHECK_MESSAGE(!down.reason, "exit reason: " << caf::to_string(down.reason));
  // If the upgrade won the race, the server saw a 1001 close; never another code.
  if (server.accepted_count() > 0) {
    auto close = server.wait_for_client_close(5s);
    if (close) BOOST_CHECK_EQUAL(close->code, close_code::going_away);
  }
  BOOST_CHECK(server.wait_for_connections(0, 5s));
}

BOOST_AUTO_TEST_SUITE_END()
