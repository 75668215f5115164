// The Deribit adapter over real sockets against the local exchange (testing/
// deribit_exchange.hpp), through the blocking client: login, public and private
// subscriptions, heartbeats, token refresh, and recovery from the exchange's faults (drop,
// expired tokens, rate limits, stall). Every wait has a deadline.
#define BOOST_TEST_MODULE deribit_live
#include <wsnova/adapters/deribit_adapter.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <wsnova/actors/profiles.hpp>
#include <wsnova/adapters/adapter.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/deribit_exchange.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

const std::string ticker = "ticker.BTC-PERPETUAL.100ms";
const std::string orders = "user.orders.BTC-PERPETUAL.raw";

/// The exchange's options for these tests: quick notifications, heartbeats of 1 s allowed.
test::exchange_options fast_exchange() {
  test::exchange_options options;
  options.notification_interval = 20ms;
  options.min_heartbeat_interval = 1;
  return options;
}

/// The adapter's options with the exchange's key (none when `key` is false).
deribit::adapter_options adapter_options(const test::deribit_exchange& exchange, bool key = true,
                                         std::chrono::seconds heartbeat = 10s) {
  deribit::adapter_options options;
  if (key) options.key = {exchange.options().client_id, exchange.options().client_secret};
  options.heartbeat = heartbeat;
  return options;
}

/// The financial profile with the adapter on top, pointed at the exchange, quiet, with
/// short reconnect delays.
connection_config live_config(const test::deribit_exchange& exchange,
                              deribit::adapter_options options) {
  auto config =
      make_config(deribit::adapter{std::move(options)}, profile::financial, exchange.url());
  config.log_threshold = log_level::off;
  config.reconnect.initial_delay = 10ms;
  config.reconnect.max_delay = 100ms;
  return config;
}

/// What a client's events showed while being watched.
struct seen {
  std::map<std::string, std::size_t> notifications;  // by channel
  std::vector<disconnected_event> disconnects;
  std::size_t reconnecting = 0;  // reconnecting_events: attempts announced
  std::size_t reconnects = 0;    // reconnected_events: restores completed
  std::vector<caf::error> errors;
  bool has(const std::string& channel) const { return notifications.count(channel) > 0; }
};

/// Reads events into `result` until `done(result)` holds; fails the test at the deadline or
/// on a final close.
void watch(client& c, seen& result, const std::function<bool(const seen&)>& done,
           caf::timespan timeout = test::deadline) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!done(result)) {
    auto left = std::chrono::duration_cast<caf::timespan>(until - std::chrono::steady_clock::now());
    if (left <= caf::timespan{0})
      BOOST_FAIL("deadline: " << result.notifications.size() << " channel(s) seen, "
                              << result.disconnects.size() << " disconnect(s), "
                              << result.reconnects << " reconnect(s)");
    auto event = c.next_event(left);
    if (!event) BOOST_FAIL("waiting for events: " << describe(event.error()));
    if (auto* m = std::get_if<message_event>(&*event)) {
      if (auto note = deribit::read_notification(m->message)) ++result.notifications[note->channel];
    } else if (auto* d = std::get_if<disconnected_event>(&*event)) {
      result.disconnects.push_back(std::move(*d));
    } else if (std::holds_alternative<reconnecting_event>(*event)) {
      ++result.reconnecting;
    } else if (std::holds_alternative<reconnected_event>(*event)) {
      ++result.reconnects;
    } else if (auto* e = std::get_if<error_event>(&*event)) {
      result.errors.push_back(e->error);
    } else if (auto* closed = std::get_if<closed_event>(&*event)) {
      BOOST_FAIL("closed: " << closed->code << " " << describe(closed->cause));
    }
  }
}

/// Waits until a notification of every channel in `channels` arrived (counted in `result`).
void watch_channels(client& c, seen& result, const std::set<std::string>& channels) {
  watch(c, result, [&](const seen& s) {
    for (const auto& channel : channels)
      if (!s.has(channel)) return false;
    return true;
  });
}

/// Waits until a notification of every channel in `channels` arrived.
seen watch_channels(client& c, const std::set<std::string>& channels) {
  seen result;
  watch_channels(c, result, channels);
  return result;
}

/// Waits for a reconnect, then for a notification of every channel after it.
seen watch_restored(client& c, const std::set<std::string>& channels) {
  seen result;
  watch(c, result, [](const seen& s) { return s.reconnects >= 1; });
  result.notifications.clear();  // those were from before the reconnect
  watch_channels(c, result, channels);
  return result;
}

/// The error of a failed request, for messages; empty when it succeeded.
std::string failure_of(const caf::expected<std::string>& result) {
  return result ? std::string{} : describe(result.error());
}

/// Subscribes or fails the test; returns the subscription's id.
std::uint64_t subscribe_or_fail(client& c, const std::string& channel) {
  auto id = c.subscribe(channel, {}, test::deadline);
  if (!id) BOOST_FAIL("subscribe " << channel << ": " << describe(id.error()));
  return *id;
}

/// True when the newest open connection of the exchange is subscribed to `channels`.
bool newest_subscribed(const test::deribit_exchange& exchange,
                       const std::set<std::string>& channels) {
  auto all = exchange.subscriptions();
  if (all.empty()) return false;
  const auto& newest = all.rbegin()->second;
  for (const auto& channel : channels)
    if (newest.count(channel) == 0) return false;
  return true;
}

/// Waits on the exchange's counters or fails the test.
void wait_exchange(const test::deribit_exchange& exchange,
                   const std::function<bool(const test::exchange_stats&)>& pred, const char* what,
                   std::chrono::milliseconds deadline = 10s) {
  if (!exchange.wait_until(pred, deadline)) BOOST_FAIL("exchange never saw: " << what);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(deribit_live, test::actor_system_fixture)

BOOST_AUTO_TEST_CASE(logs_in_subscribes_public_and_private_and_streams) {
  test::deribit_exchange exchange{fast_exchange()};
  auto c = test::connect_or_fail(system, live_config(exchange, adapter_options(exchange)));
  BOOST_CHECK_EQUAL(exchange.stats().auth_client_credentials, 1u);

  auto public_id = subscribe_or_fail(c, ticker);
  auto private_id = subscribe_or_fail(c, orders);
  BOOST_CHECK_NE(public_id, private_id);
  BOOST_CHECK(newest_subscribed(exchange, {ticker, orders}));

  auto s = watch_channels(c, {ticker, orders});
  BOOST_CHECK(s.disconnects.empty());
  const auto stats = exchange.stats();
  BOOST_CHECK_EQUAL(stats.connections_accepted, 1u);
  BOOST_CHECK_EQUAL(stats.unauthorized, 0u);
  BOOST_CHECK_EQUAL(stats.subscribe_calls, 2u);
}

BOOST_AUTO_TEST_CASE(without_credentials_private_fails_with_13009_and_public_works) {
  test::deribit_exchange exchange{fast_exchange()};
  auto c = test::connect_or_fail(system, live_config(exchange, adapter_options(exchange, false)));

  auto refused = c.subscribe(orders, {}, test::deadline);
  BOOST_REQUIRE(!refused);
  BOOST_CHECK_MESSAGE(is(refused.error(), errc::subscription_failed), describe(refused.error()));
  BOOST_CHECK_EQUAL(rpc_error_code(refused.error()).value_or(0),
                    deribit::error_codes::unauthorized);
  BOOST_CHECK(is(deribit::map_error(refused.error()), errc::auth_failed));

  subscribe_or_fail(c, ticker);
  auto s = watch_channels(c, {ticker});
  BOOST_CHECK(!s.has(orders));
  BOOST_CHECK(s.disconnects.empty());
  const auto stats = exchange.stats();
  BOOST_CHECK_EQUAL(stats.auth_client_credentials, 0u);
  BOOST_CHECK_EQUAL(stats.auth_failed, 0u);
  BOOST_CHECK_GE(stats.unauthorized, 1u);
}

BOOST_AUTO_TEST_CASE(wrong_secret_fails_with_13004_without_a_retry_loop) {
  test::deribit_exchange exchange{fast_exchange()};
  auto options = adapter_options(exchange);
  options.key.client_secret = "not-the-secret";
  auto err = test::connect_error(system, live_config(exchange, options));
  BOOST_CHECK_MESSAGE(is(err, errc::auth_failed), describe(err));
  BOOST_CHECK_EQUAL(rpc_error_code(err).value_or(0), deribit::error_codes::invalid_credentials);

  // No retry loop: with 10-100 ms reconnect delays a loop would log in again and again
  // within this bounded wait.
  BOOST_CHECK(!exchange.wait_until([](const auto& s) { return s.auth_failed > 2; }, 500ms));
  const auto stats = exchange.stats();
  BOOST_CHECK_GE(stats.auth_failed, 1u);
  BOOST_CHECK_LE(stats.auth_failed, 2u);
  BOOST_CHECK_LE(stats.connections_accepted, 2u);
  BOOST_CHECK_EQUAL(stats.auth_client_credentials, 0u);
}

BOOST_AUTO_TEST_CASE(heartbeat_test_requests_are_answered) {
  test::deribit_exchange exchange{fast_exchange()};
  auto c =
      test::connect_or_fail(system, live_config(exchange, adapter_options(exchange, true, 1s)));
  wait_exchange(
      exchange,
      [](const auto& s) { return s.test_requests_answered >= 2 || s.test_requests_missed > 0; },
      "two test_requests answered");
  auto stats = exchange.stats();
  BOOST_CHECK_GE(stats.test_requests_answered, 2u);
  BOOST_CHECK_EQUAL(stats.test_requests_missed, 0u);
  BOOST_CHECK_EQUAL(stats.connections_accepted, 1u);

  // Still up: a request goes through, and no event says otherwise; the heartbeats and the
  // answers to the adapter's own calls never reached the owner.
  auto time = c.request("public/get_time", {}, test::deadline);
  BOOST_CHECK_MESSAGE(time, failure_of(time));
  auto status = c.status();
  BOOST_REQUIRE(status);
  BOOST_CHECK(status->state == connection_state::connected);
  for (auto event = c.next_event(0s); event; event = c.next_event(0s)) {
    BOOST_CHECK(!std::holds_alternative<disconnected_event>(*event));
    if (auto* m = std::get_if<message_event>(&*event))
      BOOST_CHECK_MESSAGE(m->message.payload.find("heartbeat") == std::string::npos,
                          m->message.payload);
  }
}

BOOST_AUTO_TEST_CASE(token_is_refreshed_before_expiry_without_a_disconnect) {
  auto options = fast_exchange();
  options.token_lifetime = 2s;
  test::deribit_exchange exchange{options};
  auto c = test::connect_or_fail(system, live_config(exchange, adapter_options(exchange)));
  subscribe_or_fail(c, orders);
  wait_exchange(
      exchange, [](const auto& s) { return s.auth_refresh_token >= 1; }, "a refresh", 5s);
  // The private stream goes on with the refreshed token, on the same connection.
  auto s = watch_channels(c, {orders});
  BOOST_CHECK(s.disconnects.empty());
  const auto stats = exchange.stats();
  BOOST_CHECK_EQUAL(stats.connections_accepted, 1u);
  BOOST_CHECK_EQUAL(stats.auth_client_credentials, 1u);
  BOOST_CHECK_EQUAL(stats.auth_failed, 0u);
}

BOOST_AUTO_TEST_CASE(drop_reconnects_logs_in_and_restores_both_channels) {
  test::deribit_exchange exchange{fast_exchange()};
  auto c = test::connect_or_fail(system, live_config(exchange, adapter_options(exchange)));
  subscribe_or_fail(c, ticker);
  subscribe_or_fail(c, orders);
  watch_channels(c, {ticker, orders});

  exchange.drop_all();
  auto s = watch_restored(c, {ticker, orders});
  BOOST_CHECK_EQUAL(s.disconnects.size(), 1u);
  BOOST_CHECK(newest_subscribed(exchange, {ticker, orders}));
  const auto stats = exchange.stats();
  BOOST_CHECK_EQUAL(stats.connections_accepted, 2u);
  BOOST_CHECK_EQUAL(stats.connections_open, 1u);
  BOOST_CHECK_EQUAL(stats.auth_client_credentials, 2u);
  BOOST_CHECK_GE(stats.subscribe_calls, 4u);
}

BOOST_AUTO_TEST_CASE(expired_refresh_token_leads_to_a_fresh_login) {
  auto options = fast_exchange();
  options.token_lifetime = 2s;
  test::deribit_exchange exchange{options};
  auto c = test::connect_or_fail(system, live_config(exchange, adapter_options(exchange)));
  subscribe_or_fail(c, orders);
  exchange.expire_tokens(true);

  // The refresh at 80% of 2 s is refused (13009); the adapter reconnects and logs in anew.
  wait_exchange(
      exchange, [](const auto& s) { return s.auth_failed >= 1 && s.auth_client_credentials >= 2; },
      "a refused refresh, then a new login");
  auto s = watch_restored(c, {orders});
  // The Error behaviour's reconnect ends the session without a disconnected_event (the
  // connection announces only the reconnecting_event), so the refusal shows as an error.
  BOOST_CHECK_GE(s.reconnecting, 1u);
  BOOST_REQUIRE(!s.errors.empty());
  BOOST_CHECK_MESSAGE(is(s.errors.front(), errc::auth_failed), describe(s.errors.front()));
  BOOST_CHECK_EQUAL(rpc_error_code(s.errors.front()).value_or(0),
                    deribit::error_codes::unauthorized);
  BOOST_CHECK(newest_subscribed(exchange, {orders}));
  const auto stats = exchange.stats();
  BOOST_CHECK_EQUAL(stats.auth_refresh_token, 0u);
  BOOST_CHECK_GE(stats.connections_accepted, 2u);
}

BOOST_AUTO_TEST_CASE(rate_limit_answer_maps_to_rate_limited) {
  test::deribit_exchange exchange{fast_exchange()};
  // No heartbeat: the injected 10028 must meet this request, not set_heartbeat.
  auto c =
      test::connect_or_fail(system, live_config(exchange, adapter_options(exchange, true, 0s)));
  exchange.inject_rate_limit(1);
  auto refused = c.request("public/get_time", {}, test::deadline);
  BOOST_REQUIRE(!refused);
  BOOST_CHECK_EQUAL(rpc_error_code(refused.error()).value_or(0),
                    deribit::error_codes::too_many_requests);
  BOOST_CHECK_MESSAGE(is(deribit::map_error(refused.error()), errc::rate_limited),
                      describe(refused.error()));
  // The next one goes through on the same connection.
  auto time = c.request("public/get_time", {}, test::deadline);
  BOOST_CHECK_MESSAGE(time, failure_of(time));
  BOOST_CHECK_EQUAL(exchange.stats().rate_limited, 1u);
  BOOST_CHECK_EQUAL(exchange.stats().connections_accepted, 1u);
}

BOOST_AUTO_TEST_CASE(rate_limited_restore_reconnects_again_and_ends_restored) {
  test::deribit_exchange exchange{fast_exchange()};
  auto c =
      test::connect_or_fail(system, live_config(exchange, adapter_options(exchange, true, 0s)));
  subscribe_or_fail(c, ticker);
  subscribe_or_fail(c, orders);
  watch_channels(c, {ticker, orders});

  // The first two logins after the drop meet 10028: each ends its connection, the third
  // restores everything.
  exchange.inject_rate_limit(2);
  exchange.drop_all();
  auto s = watch_restored(c, {ticker, orders});
  BOOST_CHECK_EQUAL(s.reconnects, 1u);
  BOOST_CHECK_GE(s.reconnecting, 3u);  // after the drop, and after each refused login
  std::size_t refused_logins = 0;      // other errors: the drop's transport error
  for (const auto& err : s.errors) {
    if (rpc_error_code(err).value_or(0) != deribit::error_codes::too_many_requests) continue;
    ++refused_logins;
    BOOST_CHECK_MESSAGE(is(err, errc::auth_failed), describe(err));
    BOOST_CHECK(is(deribit::map_error(err), errc::rate_limited));  // why the login failed
  }
  BOOST_CHECK_EQUAL(refused_logins, 2u);
  BOOST_CHECK(newest_subscribed(exchange, {ticker, orders}));
  const auto stats = exchange.stats();
  BOOST_CHECK_EQUAL(stats.rate_limited, 2u);
  BOOST_CHECK_GE(stats.connections_accepted, 4u);
  BOOST_CHECK_EQUAL(stats.connections_open, 1u);
  BOOST_CHECK_EQUAL(stats.auth_client_credentials, 2u);
}

BOOST_AUTO_TEST_CASE(stall_is_left_within_three_heartbeats_and_recovered) {
  test::deribit_exchange exchange{fast_exchange()};
  auto c =
      test::connect_or_fail(system, live_config(exchange, adapter_options(exchange, true, 1s)));
  subscribe_or_fail(c, ticker);
  watch_channels(c, {ticker});

  // Silence is checked at each 1 s ping tick, so leaving takes 2 to 3 s: a 3 s stall would
  // race its own end (2.98 s measured); 4 s leaves the client time to leave.
  const auto stalled = std::chrono::steady_clock::now();
  exchange.stall(4000ms);
  seen gone;
  watch(c, gone, [](const seen& s) { return !s.disconnects.empty(); });
  const auto left_after = std::chrono::steady_clock::now() - stalled;
  BOOST_TEST_MESSAGE("left the stalled exchange after "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(left_after).count()
                     << " ms: " << describe(gone.disconnects.front().cause));
  BOOST_CHECK_MESSAGE(is(gone.disconnects.front().cause, errc::timeout),
                      describe(gone.disconnects.front().cause));
  BOOST_CHECK(left_after < 3s + 500ms);  // three 1 s intervals, and some scheduling slack

  auto back = watch_restored(c, {ticker});
  BOOST_CHECK_EQUAL(back.reconnects, 1u);
  BOOST_CHECK(newest_subscribed(exchange, {ticker}));
}

BOOST_AUTO_TEST_SUITE_END()
