// Regression test for a library bug found by the integration suites (kept separate so the
// other suites stay green until it is fixed): an owner that does not handle one of the
// event types kills its connection.
//
// CAF 0.17's default handler of event-based actors (print_and_drop, and caf::drop) answers
// an unhandled asynchronous message with sec::unexpected_message, which CAF delivers back
// to the sender as an error message. The connection actor sends its events to the owner
// (connection_actor::tell) and has no error handler, so the default one quits: the
// connection exits with system_error(unexpected_message), an abnormal exit that a
// supervisor answers with a restart, which then dies the same way.
#define BOOST_TEST_MODULE integration_owner_events
#include <boost/test/unit_test.hpp>

#include <wsnova/tests/integration/integration_fixture.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::itest;

namespace {

/// An owner that only cares about messages (CAF's default handler for the rest).
caf::behavior messages_only_owner() {
  return {[](const message_event&) {}};
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(owner_events, fixture)

// Expected: an owner ignoring connected_event leaves the connection up.
// Actual (bug): the connection exits with unexpected_message right after connecting.
BOOST_AUTO_TEST_CASE(owner_not_handling_an_event_does_not_kill_the_connection) {
  auto owner = system.spawn(messages_only_owner);
  stop_list.push_back(owner);
  auto conf = feed_config("unhandled");
  conf.registry = registry_actor{};
  auto conn = spawn_connection(system, conf, wsnova::unchecked_owner(owner));
  if (!conn) BOOST_FAIL("spawn_connection: " << describe(conn.error()));
  auto handle = caf::actor_cast<caf::actor>(*conn);
  self->monitor(handle);
  if (auto err = connect(handle)) BOOST_FAIL("connect: " << describe(err));
  auto down = wait_down(handle.address(), 1000ms);
  BOOST_CHECK_MESSAGE(!down, "the connection exited: " << (down ? describe(*down) : ""));
  if (!down) stop(handle);
}

BOOST_AUTO_TEST_SUITE_END()
