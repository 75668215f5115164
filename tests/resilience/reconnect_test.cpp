// Reconnection end to end, through the fault proxy in front of the in-process echo server:
// a dropped or restarted server comes back, a half-open peer is detected by the heartbeat,
// delays follow the policy, and failures that would repeat are not retried.
#define BOOST_TEST_MODULE reconnect
#include <wsnova/tests/resilience/recorder.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <wsnova/testing/certs.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/proxy/fault_proxy.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using test::fault_proxy;
using test::ms_between;

namespace {

/// Echo server behind a proxy; the recorder owns the connections. Members are destroyed
/// bottom-up: recorder (owner death closes the connections), proxy and server (ending any
/// session still open), then the actor system and the io pool.
struct fixture : test::actor_system_fixture {
  std::unique_ptr<test::echo_server> server = std::make_unique<test::echo_server>();
  fault_proxy proxy{server->port()};
  test::recorder rec{system};

  connection_config config_for(std::string url) {
    connection_config config;
    config.url = std::move(url);
    config.reconnect.kind = backoff_kind::exponential_full_jitter;
    config.reconnect.initial_delay = 50ms;
    config.reconnect.max_delay = 200ms;
    // Retry a failing first connect too, so that the classification (retry or not) is what
    // the no_reconnect cases see, not the initial-connect rule.
    config.reconnect.retry_initial_connect = true;
    config.session.connect_timeout = 2s;
    config.session.handshake_timeout = 2s;
    return config;
  }

  connection connect(connection_config config) {
    auto c = rec.spawn(system, std::move(config));
    rec.expect<connected_event>();
    return c;
  }

  /// Sends `text` and expects it echoed.
  void echo(const connection& c, const std::string& text) {
    auto err = rec.send_text(c, text);
    BOOST_REQUIRE_MESSAGE(!err, "send: " << describe(err));
    auto got = rec.expect<message_event>();
    BOOST_CHECK_EQUAL(got.message.payload, text);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(server_restart, fixture)

// A dropped connection (TCP reset) comes back by itself: the owner sees disconnected, then
// reconnecting (attempt 1), then reconnected, and the echo works again.
BOOST_AUTO_TEST_CASE(reset_connection_reconnects) {
  auto c = connect(config_for(proxy.url()));
  echo(c, "before");
  proxy.drop_all();
  auto down = rec.expect<disconnected_event>();
  BOOST_CHECK_MESSAGE(is(down.cause, errc::connection_lost), describe(down.cause));
  BOOST_CHECK_EQUAL(down.code, close_code::abnormal);
  auto again = rec.expect<reconnecting_event>();
  BOOST_CHECK_EQUAL(again.attempt, 1u);
  BOOST_CHECK(again.delay <= caf::timespan{50ms});
  auto back = rec.expect<reconnected_event>();
  BOOST_CHECK_EQUAL(back.attempts, 1u);
  echo(c, "after");
  BOOST_CHECK_EQUAL(server->accepted_count(), 2u);
  BOOST_CHECK_EQUAL(rec.count<closed_event>(), 0u);
}

// A FIN without a close frame (close_all) also reconnects.
BOOST_AUTO_TEST_CASE(fin_without_close_frame_reconnects) {
  auto c = connect(config_for(proxy.url()));
  proxy.close_all();
  auto down = rec.expect<disconnected_event>();
  BOOST_CHECK_MESSAGE(is(down.cause, errc::connection_lost), describe(down.cause));
  rec.expect<reconnected_event>();
  echo(c, "after fin");
}

// The server process goes away and a new one starts (on another port, the proxy follows):
// attempts fail while it is down, the counter grows, and the connection comes back with the
// number of attempts it took.
BOOST_AUTO_TEST_CASE(server_destroyed_and_recreated_reconnects) {
  auto c = connect(config_for(proxy.url()));
  echo(c, "first life");
  server.reset();  // every session dies without a close frame
  rec.expect<disconnected_event>();
  auto first = rec.expect<reconnecting_event>();
  BOOST_CHECK_EQUAL(first.attempt, 1u);
  auto second = rec.expect<reconnecting_event>();
  BOOST_CHECK_EQUAL(second.attempt, 2u);
  server = std::make_unique<test::echo_server>();
  proxy.retarget(server->port());
  auto back = rec.expect<reconnected_event>();
  auto attempts = rec.all<reconnecting_event>();
  BOOST_CHECK_GE(back.attempts, 2u);
  BOOST_CHECK_EQUAL(back.attempts, attempts.back().attempt);
  for (std::size_t i = 0; i < attempts.size(); ++i) BOOST_CHECK_EQUAL(attempts[i].attempt, i + 1);
  echo(c, "second life");
  BOOST_CHECK_EQUAL(server->accepted_count(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(half_open, fixture)

// A peer that goes silent with the socket still open is found by the heartbeat within
// ping_interval + pong_timeout (plus scheduling tolerance): disconnected with timeout and
// 1011; once the network passes again, the connection comes back.
BOOST_AUTO_TEST_CASE(blackhole_detected_by_heartbeat_then_reconnects) {
  auto config = config_for(proxy.url());
  config.session.ping_interval = 200ms;
  config.session.pong_timeout = 200ms;
  config.session.handshake_timeout = 1s;
  auto c = connect(config);
  echo(c, "alive");
  auto started = test::clock_type::now();
  proxy.blackhole();
  const auto forwarded_at_blackhole = proxy.bytes_forwarded();
  auto down = rec.expect<disconnected_event>(10s);
  auto detected_ms = ms_between(started, rec.last_at());
  // The partition let nothing through while it lasted.
  BOOST_CHECK_EQUAL(proxy.bytes_forwarded(), forwarded_at_blackhole);
  BOOST_TEST_MESSAGE("half-open detection time: " << detected_ms
                                                  << " ms (ping_interval 200 ms + pong_timeout "
                                                     "200 ms)");
  BOOST_CHECK_MESSAGE(is(down.cause, errc::timeout), describe(down.cause));
  BOOST_CHECK_EQUAL(down.code, close_code::internal_error);
  BOOST_CHECK_GE(detected_ms, 190);  // not before a pong could be missed
  // ping_interval + pong_timeout, plus room for late timers on a busy machine; the cause
  // and the code above show it was the heartbeat (TCP alone would take minutes).
  BOOST_CHECK_LE(detected_ms, 400 + 1600);
  proxy.pass();
  rec.expect<reconnected_event>(10s);
  echo(c, "alive again");
}

// With the heartbeat off, a silent peer is not noticed (the control case of the test above).
BOOST_AUTO_TEST_CASE(without_heartbeat_half_open_goes_unnoticed) {
  auto c = connect(config_for(proxy.url()));
  proxy.blackhole();
  auto event = rec.next(800ms);
  BOOST_CHECK_MESSAGE(!event, "unexpected " << (event ? test::event_name(event->event) : ""));
  BOOST_CHECK(rec.status(c).state == connection_state::connected);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(backoff_timing, fixture)

// Fixed backoff against a refusing server: every reconnecting_event carries exactly the
// configured delay, attempts count 1, 2, 3, consecutive attempts are at least the delay
// apart, and after max_attempts = 3 the connection closes with an error.
BOOST_AUTO_TEST_CASE(fixed_delays_then_give_up) {
  auto config = config_for(proxy.url());
  config.reconnect.kind = backoff_kind::fixed;
  config.reconnect.initial_delay = 100ms;
  config.reconnect.max_attempts = 3;
  auto c = connect(config);
  proxy.refuse(true, test::refuse_mode::close_listener);
  proxy.drop_all();
  rec.expect<disconnected_event>();
  auto closed = rec.expect<closed_event>(10s);
  BOOST_CHECK_MESSAGE(is(closed.cause, errc::closed), describe(closed.cause));
  BOOST_TEST_MESSAGE("final close after max_attempts: " << describe(closed.cause));
  std::vector<test::clock_type::time_point> at;
  std::vector<reconnecting_event> attempts;
  for (const auto& e : rec.log)
    if (auto* x = std::get_if<reconnecting_event>(&e.event)) {
      attempts.push_back(*x);
      at.push_back(e.at);
    }
  BOOST_REQUIRE_EQUAL(attempts.size(), 3u);
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    BOOST_CHECK_EQUAL(attempts[i].attempt, i + 1);
    BOOST_CHECK(attempts[i].delay == caf::timespan{100ms});
  }
  for (std::size_t i = 1; i < at.size(); ++i) BOOST_CHECK_GE(ms_between(at[i - 1], at[i]), 95);
  // Every failed attempt was reported as an error (connect_refused), none as a connect.
  for (const auto& e : rec.all<error_event>())
    if (!is(e.error, errc::connection_lost))
      BOOST_CHECK_MESSAGE(is(e.error, errc::connect_refused), describe(e.error));
  BOOST_CHECK_EQUAL(rec.count<reconnected_event>(), 0u);
}

// Linear backoff: delays are initial × attempt exactly (50, 100, 150, 200 ms), then the
// connection gives up after max_attempts = 4.
BOOST_AUTO_TEST_CASE(linear_delays_exact) {
  auto config = config_for(proxy.url());
  config.reconnect.kind = backoff_kind::linear;
  config.reconnect.initial_delay = 50ms;
  config.reconnect.max_delay = 1s;
  config.reconnect.max_attempts = 4;
  auto c = connect(config);
  proxy.refuse(true, test::refuse_mode::close_listener);
  proxy.drop_all();
  auto closed = rec.expect<closed_event>(10s);
  BOOST_CHECK(closed.cause);
  auto attempts = rec.all<reconnecting_event>();
  BOOST_REQUIRE_EQUAL(attempts.size(), 4u);
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    BOOST_CHECK_EQUAL(attempts[i].attempt, i + 1);
    BOOST_CHECK(attempts[i].delay == caf::timespan{50ms} * static_cast<int>(i + 1));
  }
}

// Refused by reset (the proxy accepts, then resets during the upgrade) also counts as a
// failed attempt and is retried.
BOOST_AUTO_TEST_CASE(reset_during_upgrade_is_retried) {
  auto config = config_for(proxy.url());
  config.reconnect.kind = backoff_kind::fixed;
  config.reconnect.initial_delay = 50ms;
  auto c = connect(config);
  proxy.refuse(true, test::refuse_mode::reset);
  proxy.drop_all();
  rec.expect<disconnected_event>();
  rec.expect<reconnecting_event>();
  auto second = rec.expect<reconnecting_event>();
  BOOST_CHECK_EQUAL(second.attempt, 2u);
  auto errors = rec.all<error_event>();
  BOOST_REQUIRE(!errors.empty());
  BOOST_TEST_MESSAGE("reset during the upgrade reported as: " << describe(errors.back().error));
  proxy.refuse(false);
  auto back = rec.expect<reconnected_event>();
  BOOST_CHECK_GE(back.attempts, 2u);
  echo(c, "through");
}

// The attempt counter of the events starts at 1 after every disconnect, but the backoff
// sequence only starts over once a connection stayed up for stable_after: a quick second
// drop continues the sequence (100 ms), a drop after the stable period starts over (50 ms).
// stable_after is far above the time a quick drop takes (milliseconds), so a busy machine
// cannot make the quick drop look stable.
BOOST_AUTO_TEST_CASE(counter_resets_after_stable_period) {
  auto config = config_for(proxy.url());
  config.reconnect.kind = backoff_kind::linear;
  config.reconnect.initial_delay = 50ms;
  config.reconnect.max_delay = 1s;
  config.reconnect.stable_after = 2s;
  auto c = connect(config);
  proxy.drop_all();
  auto first = rec.expect<reconnecting_event>();
  BOOST_CHECK_EQUAL(first.attempt, 1u);
  BOOST_CHECK(first.delay == caf::timespan{50ms});
  rec.expect<reconnected_event>();
  // Unstable: drop again at once.
  proxy.drop_all();
  auto quick = rec.expect<reconnecting_event>();
  BOOST_CHECK_EQUAL(quick.attempt, 1u);
  BOOST_CHECK(quick.delay == caf::timespan{100ms});
  rec.expect<reconnected_event>();
  // Stable: stay up longer than stable_after (pacing, not waiting for an event; the
  // connection was up before reconnected_event arrived, so it is up longer than this).
  std::this_thread::sleep_for(2100ms);
  proxy.drop_all();
  auto stable = rec.expect<reconnecting_event>();
  BOOST_CHECK_EQUAL(stable.attempt, 1u);
  BOOST_CHECK_MESSAGE(stable.delay == caf::timespan{50ms},
                      "delay after a stable period: " << stable.delay.count() << " ns");
  rec.expect<reconnected_event>();
  echo(c, "stable");
}

// The owner gets its events whether or not anyone keeps the connection's handle (Gun's
// owner never holds a reference either). (Regression: with only a weak reference in the
// session, CAF destroyed a connection whose handle was dropped as unreachable, silently;
// fixed in 23fb892: the actor holds itself until it exits.)
BOOST_AUTO_TEST_CASE(dropped_handle_still_reports) {
  auto config = config_for(proxy.url());
  config.reconnect.kind = backoff_kind::fixed;
  config.reconnect.initial_delay = 50ms;
  config.reconnect.max_attempts = 1;
  {
    // Not through rec.spawn, which keeps the handle.
    auto handle = spawn_connection(system, config, wsnova::unchecked_owner(rec.owner()));
    BOOST_REQUIRE(handle);
  }  // the handle is dropped here
  rec.expect<connected_event>();
  proxy.refuse(true, test::refuse_mode::close_listener);
  proxy.drop_all();
  rec.expect<disconnected_event>();
  auto closed = rec.expect<closed_event>();
  BOOST_CHECK(closed.cause);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(no_reconnect, fixture)

// HTTP 403 on the upgrade would fail the same way again: closed with upgrade_rejected, no
// reconnecting_event.
BOOST_AUTO_TEST_CASE(http_403_closes_without_retry) {
  test::server_options options;
  options.reject_status = 403;
  test::echo_server rejecting{options};
  auto c = rec.spawn(system, config_for(rejecting.url()));
  auto closed = rec.expect<closed_event>();
  BOOST_CHECK_MESSAGE(is(closed.cause, errc::upgrade_rejected), describe(closed.cause));
  BOOST_CHECK_EQUAL(upgrade_status(closed.cause), 403);
  BOOST_CHECK_EQUAL(rec.count<reconnecting_event>(), 0u);
  BOOST_CHECK(!rec.next(300ms));  // nothing after the final close
  BOOST_CHECK_EQUAL(rejecting.accepted_count(), 0u);
}

// HTTP 503 is worth retrying (the contrast): reconnecting events until max_attempts, then
// closed (with retry_initial_connect; without it a failing first connect is final).
BOOST_AUTO_TEST_CASE(http_503_is_retried) {
  test::server_options options;
  options.reject_status = 503;
  test::echo_server rejecting{options};
  auto config = config_for(rejecting.url());
  config.reconnect.max_attempts = 2;
  auto c = rec.spawn(system, config);
  auto closed = rec.expect<closed_event>();
  BOOST_TEST_MESSAGE("HTTP 503 closed with: " << describe(closed.cause));
  BOOST_CHECK_MESSAGE(is(closed.cause, errc::closed), describe(closed.cause));
  BOOST_CHECK_EQUAL(rec.count<reconnecting_event>(), 2u);
  BOOST_CHECK_EQUAL(rec.count<error_event>(), 3u);  // the first connect and two retries
}

// A TLS certificate that fails verification (issuer not trusted) is not retried.
BOOST_AUTO_TEST_CASE(tls_verify_failure_closes_without_retry) {
  test::temp_dir dir{"wsnova-resilience"};
  auto certs = test::make_test_certs(dir.path());
  test::server_options options;
  options.tls = true;
  options.cert_file = certs.server_cert.string();
  options.key_file = certs.server_key.string();
  test::echo_server secure{options};
  auto c = rec.spawn(system, config_for(secure.url()));  // system CAs only: untrusted
  auto closed = rec.expect<closed_event>();
  BOOST_CHECK_MESSAGE(is(closed.cause, errc::tls_verify_failed), describe(closed.cause));
  BOOST_CHECK_EQUAL(rec.count<reconnecting_event>(), 0u);
  BOOST_CHECK(!rec.next(300ms));
}

BOOST_AUTO_TEST_SUITE_END()
