#define BOOST_TEST_MODULE flow_control
#include <wsnova/actors/spawn_connection.hpp>

#include <boost/test/unit_test.hpp>
#include <caf/scoped_actor.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

struct fixture : test::actor_system_fixture {
  test::echo_server server;
  caf::scoped_actor owner{system};

  /// Receives exactly `n` message events, however slowly they come; fails the test if they
  /// have not all arrived by the deadline (a failure bound, far above the expected time).
  std::vector<std::string> receive_messages(std::size_t n, caf::timespan deadline = 20s) {
    std::vector<std::string> payloads;
    bool timed_out = false;
    while (payloads.size() < n && !timed_out) {
      owner->receive([&](message_event& event) { payloads.push_back(event.message.payload); },
                     [](connected_event&) {}, [](error_event&) {},
                     caf::after(deadline) >> [&] { timed_out = true; });
    }
    BOOST_REQUIRE_MESSAGE(!timed_out, "only " << payloads.size() << " of " << n
                                              << " messages arrived before the deadline");
    return payloads;
  }

  /// Returns the number of message events that arrive within `quiet`. On a busy machine
  /// a late extra message can be missed (the check passes wrongly), never invented.
  std::size_t extra_messages(caf::timespan quiet) {
    std::size_t extra = 0;
    bool silent = false;
    while (!silent)
      owner->receive([&](message_event&) { ++extra; }, [](connected_event&) {}, [](error_event&) {},
                     caf::after(quiet) >> [&] { silent = true; });
    return extra;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(flow_control, fixture)

// With a flow window, the owner never holds more undelivered messages than its credit, and
// granting credit resumes delivery in order with nothing lost.
BOOST_AUTO_TEST_CASE(window_bounds_delivery_and_credit_resumes_in_order) {
  connection_config config;
  config.url = server.url();
  config.flow = 10;
  auto conn =
      spawn_connection(system, config, wsnova::unchecked_owner(caf::actor_cast<caf::actor>(owner)));
  if (!conn) BOOST_FAIL(describe(conn.error()));
  owner->request(*conn, 5s, connect_atom::value)
      .receive([](caf::ok_atom) {}, [](caf::error& err) { BOOST_FAIL(describe(err)); });
  owner->send(*conn, send_atom::value, ws_message{message_kind::text, "!stream 500"});
  auto first = receive_messages(10);
  BOOST_CHECK_EQUAL(extra_messages(300ms), 0u);  // the window, and not one more
  std::vector<std::string> all = first;
  while (all.size() < 500) {
    auto credit = static_cast<std::uint32_t>(std::min<std::size_t>(50, 500 - all.size()));
    owner->send(*conn, flow_atom::value, credit);
    auto more = receive_messages(credit);
    // Exactly the credit granted, not one more.
    BOOST_REQUIRE_EQUAL(extra_messages(300ms), 0u);
    all.insert(all.end(), more.begin(), more.end());
  }
  BOOST_REQUIRE_EQUAL(all.size(), 500u);
  for (std::size_t i = 0; i < all.size(); ++i) BOOST_CHECK_EQUAL(all[i], std::to_string(i + 1));
  owner->send_exit(*conn, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()
