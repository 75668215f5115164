// Each profile on a live connection: the settings that show from outside are in force. The
// reconnect policy shows in the first reconnecting_event's delay, the offline policy in a
// send while the server is gone, compression in the handshake, the chat rate limit in how
// long a burst takes to leave.
#define BOOST_TEST_MODULE profiles_live
#include <wsnova/actors/profiles.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>

#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

/// What a profile's first reconnect delay may be: the first delay of its policy, spread by
/// its jitter.
std::pair<caf::timespan, caf::timespan> first_delay_bounds(const reconnect_policy& policy) {
  auto lo = std::chrono::duration_cast<caf::timespan>(policy.initial_delay * (1 - policy.jitter));
  auto hi = std::chrono::duration_cast<caf::timespan>(policy.initial_delay * (1 + policy.jitter));
  return {lo, hi};
}

/// Connects with `kind` to a fresh server, takes the server away, and checks what the
/// profile promises from outside.
void check_profile_in_force(caf::actor_system& system, profile kind) {
  test::server_options options;
  options.deflate = true;  // offered by the server; only a compressing profile takes it
  auto server = std::make_unique<test::echo_server>(options);
  auto config = make_profile(kind, server->url());
  config.log_threshold = log_level::off;
  const auto expected = config;
  auto c = test::connect_or_fail(system, std::move(config));

  auto connected = test::next_event_of<connected_event>(c);
  BOOST_CHECK_EQUAL(connected.compressed, expected.session.compress);

  // The chat rate limit: 25 sends through a bucket of 20 refilled every 100 ms cannot all
  // leave before four refills. Other profiles have no limit (no lower bound to check).
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 25; ++i) test::send_or_fail(c, {message_kind::text, "m" + std::to_string(i)});
  auto burst = std::chrono::steady_clock::now() - start;
  if (expected.rate_limit) BOOST_CHECK_GE(burst, 400ms);
  for (int i = 0; i < 25; ++i)
    BOOST_CHECK_EQUAL(test::receive_or_fail(c).payload, "m" + std::to_string(i));

  // The server goes away: the first reconnect waits what the policy says.
  BOOST_REQUIRE(server->wait_for_connections(1, 10s));
  server.reset();
  auto reconnecting = test::next_event_of<reconnecting_event>(c);
  BOOST_CHECK_EQUAL(reconnecting.attempt, 1u);
  auto [lo, hi] = first_delay_bounds(expected.reconnect);
  BOOST_CHECK_GE(reconnecting.delay, lo);
  BOOST_CHECK_LE(reconnecting.delay, hi);

  // While down: reject refuses, buffer keeps (nothing can connect: the port is closed).
  auto sent = c.send_text("while down");
  auto status = c.status();
  BOOST_REQUIRE(status);
  if (expected.sending.when_disconnected == offline_send_policy::buffer) {
    BOOST_CHECK(!sent);
    BOOST_CHECK_EQUAL(status->buffered_messages, 1u);
  } else {
    BOOST_CHECK(is(sent, errc::not_connected));
    BOOST_CHECK_EQUAL(status->buffered_messages, 0u);
  }
  c.close();
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(profiles_live, test::actor_system_fixture)

BOOST_AUTO_TEST_CASE(financial_in_force) { check_profile_in_force(system, profile::financial); }
BOOST_AUTO_TEST_CASE(standard_in_force) { check_profile_in_force(system, profile::standard); }
BOOST_AUTO_TEST_CASE(lightweight_in_force) { check_profile_in_force(system, profile::lightweight); }
BOOST_AUTO_TEST_CASE(chat_in_force) { check_profile_in_force(system, profile::chat); }

BOOST_AUTO_TEST_SUITE_END()
