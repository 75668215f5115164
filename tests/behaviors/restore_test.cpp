// The restore sequence after a reconnect, live: through the fault proxy in front of the
// scripted JSON-RPC peer, a reset connection comes back as auth → subscriptions → buffered
// sends, each step waiting for the one before (proved by holding the peer's answers back);
// the restore time is measured; a failing step goes to the Error behaviour; tokens are
// refreshed before they expire; subscriptions fail when refused or not confirmed in time.
#define BOOST_TEST_MODULE restore
#include <wsnova/behaviors/behavior_set.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include <wsnova/actors/client.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>
#include <wsnova/tests/behaviors/live_helpers.hpp>
#include <wsnova/tests/behaviors/rpc_peer.hpp>
#include <wsnova/tests/proxy/fault_proxy.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using clock_type = std::chrono::steady_clock;
using calls_ptr = std::shared_ptr<test::recorded<test::stamped>>;

namespace {

/// How long a negative check ("nothing else arrived while the answer was held") waits: a
/// bounded time, since the absence of an event cannot be waited for.
constexpr auto quiet_period = 200ms;

enum class form { local, actor };

const char* name(form f) { return f == form::local ? "in-process" : "actor"; }

constexpr form both_forms[] = {form::local, form::actor};

constexpr const char* credentials = R"({"client_id":"me","client_secret":"s3cret"})";

/// The Auth behaviour of these tests, in either form: logs in with `credentials` and records
/// each call ("auth_req REASON", "auth_res") with its time.
behavior_slot<auth_behavior> auth_slot(form f, test::test_actors& actors, const calls_ptr& calls) {
  auto request = [calls](const auth_attempt& attempt) {
    calls->add({std::string{"auth_req "} + to_string(attempt.reason)});
    return rpc_call{"auth", credentials};
  };
  auto result = [calls](const std::string& json) {
    calls->add({"auth_res"});
    auto outcome = read_token_result(json);
    return outcome ? *outcome : auth_outcome{};
  };
  if (f == form::local)
    return auth_behavior::local{}
        .on(auth_req_atom::value,
            [request](handler_context&, auth_attempt& a) { return request(a); })
        .on(auth_res_atom::value, [result](handler_context&, std::string& r) { return result(r); });
  return actors.spawn([request, result]() -> auth_behavior::actor::behavior_type {
    return {
        [request](auth_req_atom, const auth_attempt& a) { return request(a); },
        [result](auth_res_atom, const std::string& r) { return result(r); },
    };
  });
}

/// Times of the recorded calls named `what`, in order.
std::vector<clock_type::time_point> times_of(const calls_ptr& calls, const std::string& what) {
  std::vector<clock_type::time_point> result;
  for (const auto& call : calls->values())
    if (call.what == what) result.push_back(call.at);
  return result;
}

/// Waits until `calls` holds `n` calls named `what`; false at the deadline.
bool wait_for_calls(const calls_ptr& calls, const std::string& what, std::size_t n,
                    clock_type::duration deadline = 10s) {
  const auto until = clock_type::now() + deadline;
  for (;;) {
    if (times_of(calls, what).size() >= n) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock_type::now());
    if (left <= 0ms) return false;
    calls->wait_for(calls->size() + 1, left);  // any new call, then count again
  }
}

/// The text of the peer's `i`-th received message, or "" (Boost.Test builds a check's
/// message even when the check passes, so it must not index past the end).
std::string text_at(const test::rpc_peer& peer, std::size_t i) {
  auto log = peer.log();
  return i < log.size() ? log[i].text : std::string{};
}

/// Returns the next error_event whose error is `code`, skipping other events; fails the test
/// at the deadline or when the connection closes first.
error_event next_error_of(client& conn, errc code) {
  for (;;) {
    auto event = test::next_event_of<error_event>(conn);
    if (is(event.error, code)) return event;
  }
}

/// The scripted peer behind the fault proxy.
struct fixture : test::actor_system_fixture {
  std::shared_ptr<test::rpc_peer> peer = std::make_shared<test::rpc_peer>();
  test::echo_server server{peer->options()};
  test::fault_proxy proxy{server.port()};
  test::test_actors actors{system};

  connection_config config() const {
    connection_config c;
    c.url = proxy.url();
    // Reconnect at once (up to 10 ms): the measured restore time is not the backoff's.
    c.reconnect.initial_delay = 10ms;
    c.reconnect.max_delay = 10ms;
    c.sending.when_disconnected = offline_send_policy::buffer;
    return c;
  }

  /// Subscribes to `channel` or fails the test.
  static std::uint64_t subscribe_or_fail(client& conn, const std::string& channel) {
    auto id = conn.subscribe(channel);
    if (!id) BOOST_FAIL("subscribe " << channel << ": " << describe(id.error()));
    return *id;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(restore_sequence, fixture)

// After a reset: the subscribes wait for the auth answer, the buffered sends for every
// subscribe answer; the peer sees auth < subscribe, subscribe < buffered-1 < buffered-2.
BOOST_AUTO_TEST_CASE(auth_then_subscriptions_then_buffered_sends) {
  for (auto f : both_forms) {
    BOOST_TEST_CONTEXT(name(f)) {
      peer->hold({});
      auto calls = std::make_shared<test::recorded<test::stamped>>();
      auto c = config();
      c.behaviors.auth = auth_slot(f, actors, calls);
      auto conn = test::connect_or_fail(system, std::move(c));
      subscribe_or_fail(conn, "ch.a");
      subscribe_or_fail(conn, "ch.b");

      const auto n0 = peer->log().size();
      peer->hold({"auth", "subscribe"});
      proxy.drop_all();
      test::next_event_of<disconnected_event>(conn);
      // Down (or up and restoring, with the auth answer held): buffered either way.
      BOOST_REQUIRE(!conn.send_text("buffered-1"));
      BOOST_REQUIRE(!conn.send_text("buffered-2"));

      BOOST_REQUIRE_MESSAGE(peer->wait_for(n0 + 1, 10s), "no auth after the reconnect");
      BOOST_CHECK_EQUAL(peer->log()[n0].method, "auth");
      // Bounded negative check: while the auth answer is held, nothing else leaves.
      BOOST_CHECK_MESSAGE(!peer->wait_for(n0 + 2, quiet_period),
                          "sent before the auth answer: " << text_at(*peer, n0 + 1));
      BOOST_CHECK_EQUAL(peer->release_held(server), 1u);

      BOOST_REQUIRE_MESSAGE(peer->wait_for(n0 + 3, 10s), "the subscriptions were not restored");
      // Bounded negative check: while the subscribe answers are held, no buffered send leaves.
      BOOST_CHECK_MESSAGE(!peer->wait_for(n0 + 4, quiet_period),
                          "sent before the subscribe answers: " << text_at(*peer, n0 + 3));
      BOOST_CHECK_EQUAL(peer->release_held(server), 2u);

      BOOST_REQUIRE_MESSAGE(peer->wait_for(n0 + 5, 10s), "the buffered sends did not leave");
      test::next_event_of<reconnected_event>(conn);
      auto log = peer->log();
      BOOST_CHECK_EQUAL(log[n0].method, "auth");
      BOOST_CHECK_EQUAL(log[n0 + 1].method, "subscribe");
      BOOST_CHECK_EQUAL(log[n0 + 2].method, "subscribe");
      BOOST_CHECK(log[n0 + 1].text.find("ch.a") != std::string::npos ||
                  log[n0 + 2].text.find("ch.a") != std::string::npos);
      BOOST_CHECK(log[n0 + 1].text.find("ch.b") != std::string::npos ||
                  log[n0 + 2].text.find("ch.b") != std::string::npos);
      BOOST_CHECK_EQUAL(log[n0 + 3].text, "buffered-1");
      BOOST_CHECK_EQUAL(log[n0 + 4].text, "buffered-2");
      BOOST_CHECK_EQUAL(times_of(calls, "auth_req reconnect").size(), 1u);
      peer->hold({});
    }
  }
}

// Restore time after a drop, over 20 drops: as the Metrics behaviour reports it
// (wsnova_restore_duration_seconds: upgrade → auth and two subscriptions confirmed) and as
// wall time from the reset to the reconnected_event (detection, backoff ≤ 10 ms, TCP and
// WebSocket handshake, restore).
BOOST_AUTO_TEST_CASE(restore_time_over_twenty_drops) {
  constexpr int drops = 20;
  auto calls = std::make_shared<test::recorded<test::stamped>>();
  auto restores = std::make_shared<test::recorded<double>>();
  auto c = config();
  c.behaviors.auth = auth_slot(form::local, actors, calls);
  c.behaviors.metrics = metrics_behavior::local{}.on(
      metric_atom::value, [restores](handler_context&, metric_sample& sample) {
        if (sample.name == "wsnova_restore_duration_seconds") restores->add(sample.value * 1e3);
      });
  auto conn = test::connect_or_fail(system, std::move(c));
  subscribe_or_fail(conn, "ch.a");
  subscribe_or_fail(conn, "ch.b");
  std::vector<double> wall;
  for (int i = 0; i < drops; ++i) {
    const auto dropped = clock_type::now();
    proxy.drop_all();
    test::next_event_of<reconnected_event>(conn);
    wall.push_back(test::ms_between(dropped, clock_type::now()));
  }
  // One sample per connect, recorded before the connected/reconnected event is sent.
  BOOST_REQUIRE(restores->wait_for(drops + 1, 10s));
  auto samples = restores->values();
  std::vector<double> after_drop(samples.begin() + 1, samples.end());
  BOOST_REQUIRE_EQUAL(after_drop.size(), wall.size());
  for (std::size_t i = 0; i < wall.size(); ++i) {
    BOOST_CHECK_GT(after_drop[i], 0.0);
    BOOST_CHECK_LE(after_drop[i], wall[i]);  // the restore is part of the downtime
  }
  BOOST_TEST_MESSAGE("restore duration (wsnova_restore_duration_seconds) over "
                     << drops << " drops: p50 " << test::quantile(after_drop, 0.5) << " ms, max "
                     << test::quantile(after_drop, 1.0) << " ms");
  BOOST_TEST_MESSAGE("wall time drop -> reconnected_event over "
                     << drops << " drops: p50 " << test::quantile(wall, 0.5) << " ms, max "
                     << test::quantile(wall, 1.0) << " ms");
  BOOST_CHECK_EQUAL(peer->count("subscribe"), 2u * (drops + 1));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(failing_steps, fixture)

// Auth refused (wrong secret) while restoring: the Error behaviour sees where "auth" and the
// owner an error_event; `close` closes the connection, `ok` goes on with the subscriptions.
BOOST_AUTO_TEST_CASE(refused_auth_goes_to_the_error_behavior) {
  for (auto decision : {directive_kind::ok, directive_kind::close}) {
    BOOST_TEST_CONTEXT(to_string(decision)) {
      peer->configure([](test::rpc_peer& p) { p.secret = "s3cret"; });
      auto calls = std::make_shared<test::recorded<test::stamped>>();
      auto errors = std::make_shared<test::recorded<test::stamped>>();
      auto c = config();
      c.behaviors.auth = auth_slot(form::local, actors, calls);
      c.behaviors.error = error_behavior::local{}.on(
          on_error_atom::value,
          [errors, decision](handler_context&, caf::error& err, std::string& where) {
            errors->add({where + " " + to_string(code_of(err))});
            if (where == "auth" && decision == directive_kind::close)
              return directive::close(close_code::normal, "auth refused");
            return directive::ok();
          });
      auto conn = test::connect_or_fail(system, std::move(c));
      subscribe_or_fail(conn, "ch.a");
      subscribe_or_fail(conn, "ch.b");
      const auto subscribes_before = peer->count("subscribe");
      const auto n0 = peer->log().size();

      peer->configure([](test::rpc_peer& p) { p.secret = "rotated"; });
      proxy.drop_all();
      auto refused = next_error_of(conn, errc::auth_failed);
      BOOST_CHECK_MESSAGE(describe(refused.error).find("invalid_credentials") != std::string::npos,
                          describe(refused.error));
      auto seen = errors->values();
      BOOST_CHECK(std::any_of(seen.begin(), seen.end(),
                              [](const auto& x) { return x.what == "auth auth_failed"; }));
      if (decision == directive_kind::ok) {
        test::next_event_of<reconnected_event>(conn);
        BOOST_CHECK_EQUAL(peer->count("subscribe"), subscribes_before + 2);
        BOOST_CHECK(peer->find("subscribe", n0) > peer->find("auth", n0));
      } else {
        auto closed = test::next_event_of<closed_event>(conn);
        BOOST_CHECK_EQUAL(closed.code, close_code::normal);
        // The error the Error behaviour closed for is the close's cause.
        BOOST_CHECK_MESSAGE(is(closed.cause, errc::auth_failed), describe(closed.cause));
        // The close the Error behaviour asked for reached the peer (the earlier client's
        // 1001 may come first).
        bool asked_close_seen = false;
        for (int i = 0; i < 3 && !asked_close_seen; ++i) {
          auto frame = server.wait_for_client_close(10s);
          if (!frame) break;
          asked_close_seen = frame->code == close_code::normal && frame->reason == "auth refused";
        }
        BOOST_CHECK(asked_close_seen);
        BOOST_CHECK_EQUAL(peer->count("subscribe"), subscribes_before);
      }
    }
  }
}

// `reconnect` from the Error behaviour while the connection is up goes through a drop like
// any other: a disconnected_event (so the owner sees the connection go down), then the
// reconnect after the policy's delay, and everything restored.
BOOST_AUTO_TEST_CASE(reconnect_from_the_error_behavior_goes_through_a_disconnect) {
  peer->configure([](test::rpc_peer& p) { p.secret = "s3cret"; });
  auto calls = std::make_shared<test::recorded<test::stamped>>();
  auto c = config();
  c.behaviors.auth = auth_slot(form::local, actors, calls);
  c.behaviors.error = error_behavior::local{}.on(
      on_error_atom::value, [](handler_context&, caf::error&, std::string& where) {
        return where == "auth" ? directive::reconnect(caf::timespan{0}) : directive::ok();
      });
  auto conn = test::connect_or_fail(system, std::move(c));
  subscribe_or_fail(conn, "ch.a");
  const auto subscribes_before = peer->count("subscribe");

  peer->configure([](test::rpc_peer& p) { p.secret = "rotated"; });
  proxy.drop_all();
  next_error_of(conn, errc::auth_failed);
  peer->configure([](test::rpc_peer& p) { p.secret = "s3cret"; });
  auto down = test::next_event_of<disconnected_event>(conn);
  BOOST_CHECK_EQUAL(down.reason, "reconnect decided by a behaviour");
  auto retry = test::next_event_of<reconnecting_event>(conn);
  BOOST_CHECK_GE(retry.attempt, 1u);
  test::next_event_of<reconnected_event>(conn);
  BOOST_CHECK_EQUAL(peer->count("subscribe"), subscribes_before + 1);
}

// A token living 0.5 s is refreshed at 0.8 of its life (before it expires), and again after
// that: the timer is set anew by every accepted authentication.
BOOST_AUTO_TEST_CASE(token_refreshed_before_expiry_and_again) {
  peer->configure([](test::rpc_peer& p) { p.expires_in = 0.5; });
  auto calls = std::make_shared<test::recorded<test::stamped>>();
  auto c = config();
  c.auth_refresh_at = 0.8;
  c.behaviors.auth = auth_slot(form::local, actors, calls);
  auto conn = test::connect_or_fail(system, std::move(c));
  BOOST_REQUIRE_MESSAGE(wait_for_calls(calls, "auth_req refresh", 2), "fewer than two refreshes");
  auto accepted = times_of(calls, "auth_res");
  auto refreshes = times_of(calls, "auth_req refresh");
  BOOST_REQUIRE_GE(accepted.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    // Refresh i follows acceptance i by 0.8 × 500 ms = 400 ms: not at once, not after expiry.
    auto after = test::ms_between(accepted[i], refreshes[i]);
    BOOST_TEST_MESSAGE("refresh " << i + 1 << " came " << after << " ms after the token");
    BOOST_CHECK_GE(after, 350.0);
    BOOST_CHECK_LT(after, 500.0);
  }
  // The second refresh was accepted too: the peer saw (at least) connect + two refreshes.
  BOOST_CHECK(wait_for_calls(calls, "auth_res", 3));
  BOOST_CHECK_GE(peer->count("auth"), 3u);
}

// A refused subscription and one not confirmed in time both fail with subscription_failed;
// the connection stays usable.
BOOST_AUTO_TEST_CASE(refused_or_unconfirmed_subscription_fails) {
  peer->configure([](test::rpc_peer& p) { p.refused_channels = {"bad"}; });
  auto c = config();
  c.subscribe_timeout = 200ms;
  auto conn = test::connect_or_fail(system, std::move(c));

  auto refused = conn.subscribe("bad");
  BOOST_CHECK_MESSAGE(!refused && is(refused.error(), errc::subscription_failed),
                      (refused ? std::string{"confirmed"} : describe(refused.error())));

  peer->hold({"subscribe"});
  const auto asked = clock_type::now();
  auto unconfirmed = conn.subscribe("slow");
  const auto took = test::ms_between(asked, clock_type::now());
  BOOST_CHECK_MESSAGE(!unconfirmed && is(unconfirmed.error(), errc::subscription_failed),
                      (unconfirmed ? std::string{"confirmed"} : describe(unconfirmed.error())));
  BOOST_CHECK_GE(took, 150.0);
  BOOST_CHECK_LT(took, 2000.0);

  // The late confirmation changes nothing; a new subscription still works.
  peer->hold({});
  BOOST_CHECK_EQUAL(peer->release_held(server), 1u);
  subscribe_or_fail(conn, "fine");
}

BOOST_AUTO_TEST_SUITE_END()
