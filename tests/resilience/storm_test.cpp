// Reconnect storm: many connections through the fault proxy lose their transport at the
// same moment and all come back; the spread of their reconnect delays is reported.
// WSNOVA_STORM_CONNECTIONS overrides the number of connections (default 1000).
#define BOOST_TEST_MODULE storm
#include <wsnova/tests/resilience/recorder.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/proxy/fault_proxy.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using test::ms_between;

namespace {

std::size_t storm_size() {
  if (const char* env = std::getenv("WSNOVA_STORM_CONNECTIONS"))
    return static_cast<std::size_t>(std::max(1L, std::atol(env)));
  return 1000;
}

/// Four descriptors per connection (client, proxy ×2, server) plus slack.
void raise_fd_limit(std::size_t connections) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  rlim_t wanted = connections * 4 + 256;
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  BOOST_REQUIRE_MESSAGE(limit.rlim_cur >= wanted,
                        "RLIMIT_NOFILE " << limit.rlim_cur << " < " << wanted);
}

double percentile(std::vector<long long> xs, double p) {
  if (xs.empty()) return 0;
  std::sort(xs.begin(), xs.end());
  return static_cast<double>(xs[static_cast<std::size_t>(p * static_cast<double>(xs.size() - 1))]);
}

struct fixture : test::actor_system_fixture {
  fixture() { raise_fd_limit(n); }
  std::size_t n = storm_size();
  test::echo_server server;
  test::fault_proxy proxy{server.port()};
  test::recorder rec{system};
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(reconnect_storm, fixture)

// All connections drop at once (proxy reset); every one reconnects within the deadline, with
// full-jitter delays spread over [0, initial_delay], and echoes again.
BOOST_AUTO_TEST_CASE(all_connections_come_back_after_a_mass_drop) {
  constexpr auto initial = 1s;
  std::vector<connection> conns;
  conns.reserve(n);
  auto spawn_started = test::clock_type::now();
  for (std::size_t i = 0; i < n; ++i) {
    connection_config config;
    config.url = proxy.url();
    config.id = "storm-" + std::to_string(i);
    config.reconnect.kind = backoff_kind::exponential_full_jitter;
    config.reconnect.initial_delay = initial;
    config.reconnect.max_delay = 5s;
    config.session.connect_timeout = 10s;
    config.session.handshake_timeout = 10s;
    conns.push_back(rec.spawn(system, config));
  }
  std::set<std::string> connected;
  auto until = test::clock_type::now() + 60s;
  while (connected.size() < n && test::clock_type::now() < until) {
    auto event = rec.next(1s);
    if (event && std::holds_alternative<connected_event>(event->event))
      connected.insert(test::event_id(event->event));
  }
  BOOST_REQUIRE_EQUAL(connected.size(), n);
  BOOST_TEST_MESSAGE(n << " connections up in " << ms_between(spawn_started, rec.last_at())
                       << " ms");
  BOOST_REQUIRE(proxy.wait_for_connections(n, 10s));

  rec.log.clear();
  auto dropped_at = test::clock_type::now();
  proxy.drop_all();
  std::map<std::string, long long> delay_ms;       // first reconnecting delay per id
  std::map<std::string, long long> back_after_ms;  // reconnected arrival after the drop
  std::size_t disconnected = 0, closed = 0;
  until = test::clock_type::now() + 60s;
  while (back_after_ms.size() < n && test::clock_type::now() < until) {
    auto event = rec.next(1s);
    if (!event) continue;
    const auto& id = test::event_id(event->event);
    if (auto* x = std::get_if<reconnecting_event>(&event->event))
      delay_ms.emplace(id, std::chrono::duration_cast<std::chrono::milliseconds>(x->delay).count());
    else if (std::holds_alternative<reconnected_event>(event->event))
      back_after_ms.emplace(id, ms_between(dropped_at, event->at));
    else if (std::holds_alternative<disconnected_event>(event->event))
      ++disconnected;
    else if (std::holds_alternative<closed_event>(event->event))
      ++closed;
  }
  std::vector<long long> delays, backs;
  for (auto& [id, d] : delay_ms) delays.push_back(d);
  for (auto& [id, b] : back_after_ms) backs.push_back(b);
  BOOST_TEST_MESSAGE(
      "storm of " << n << ": first reconnect delays min/median/max = " << percentile(delays, 0)
                  << "/" << percentile(delays, 0.5) << "/" << percentile(delays, 1)
                  << " ms (full jitter over [0, " << 1000
                  << "] ms); reconnected after the drop min/median/max = " << percentile(backs, 0)
                  << "/" << percentile(backs, 0.5) << "/" << percentile(backs, 1) << " ms");
  // The jitter spreads the storm over its window (connections spawned together have
  // consecutive actor ids, their backoff seeds).
  BOOST_CHECK_GE(percentile(delays, 1) - percentile(delays, 0), 500);
  BOOST_CHECK_GE(percentile(delays, 0.5), 250);
  BOOST_CHECK_LE(percentile(delays, 0.5), 750);
  BOOST_CHECK_EQUAL(disconnected, n);
  BOOST_CHECK_EQUAL(closed, 0u);
  BOOST_REQUIRE_EQUAL(back_after_ms.size(), n);
  BOOST_CHECK_EQUAL(delay_ms.size(), n);
  for (auto d : delays) BOOST_CHECK_LE(d, 1000);
  BOOST_CHECK(proxy.wait_for_connections(n, 10s));
  // A sample still echoes.
  for (std::size_t i = 0; i < n; i += std::max<std::size_t>(1, n / 10)) {
    auto err = rec.send_text(conns[i], "after the storm " + std::to_string(i));
    BOOST_REQUIRE_MESSAGE(!err, describe(err));
    auto got = rec.expect<message_event>(10s, "storm-" + std::to_string(i));
    BOOST_CHECK_EQUAL(got.message.payload, "after the storm " + std::to_string(i));
  }
}

BOOST_AUTO_TEST_SUITE_END()
