// The Metrics behaviour's default over real sockets: a connection with a registry records its
// connects, restore time and reconnect downtime, and a scrape of the Prometheus endpoint over
// HTTP shows them under the connection's stable id.
#define BOOST_TEST_MODULE metrics_live
#include <wsnova/behaviors/metrics_behavior.hpp>

#include <boost/test/unit_test.hpp>

#include <caf/send.hpp>

#include <wsnova/actors/client.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/core/metrics.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>
#include <wsnova/tests/behaviors/live_helpers.hpp>
#include <wsnova/tests/transport/metrics_fixture.hpp>
#include <wsnova/transport/metrics_server.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

BOOST_FIXTURE_TEST_SUITE(metrics_live, test::actor_system_fixture)

BOOST_AUTO_TEST_CASE(a_scrape_shows_the_connections_metrics) {
  test::echo_server server;
  auto registry = std::make_shared<metrics_registry>();
  declare_wsnova_metrics(*registry);
  connection_config config;
  config.url = server.url();
  config.id = "feed-1";
  config.metrics = registry;
  config.reconnect.initial_delay = 10ms;
  auto conn = test::connect_or_fail(system, config);
  BOOST_REQUIRE(server.wait_for_connections(1, 10s));
  server.drop_all();
  test::next_event_of<reconnected_event>(conn);

  test::io_thread io;
  auto endpoint =
      metrics_server::start(io.context(), [registry] { return registry->render_prometheus(); });
  if (!endpoint) BOOST_FAIL(endpoint.error().detail);
  test::http_client scraper{endpoint->port()};
  auto response = scraper.request(boost::beast::http::verb::get, "/metrics");
  BOOST_REQUIRE_EQUAL(response.result_int(), 200);
  auto scraped = test::exposition::parse(response.body());
  const std::map<std::string, std::string> feed{{"connection", "feed-1"}};
  BOOST_CHECK_EQUAL(scraped.value("wsnova_connects_total", feed), 2.0);
  BOOST_CHECK_EQUAL(scraped.value("wsnova_disconnects_total", feed), 1.0);
  BOOST_CHECK_EQUAL(scraped.value("wsnova_connection_up", feed), 1.0);
  BOOST_CHECK_EQUAL(scraped.value("wsnova_restore_duration_seconds_count", feed), 2.0);
  BOOST_CHECK_EQUAL(scraped.value("wsnova_reconnect_downtime_seconds_count", feed), 1.0);
  BOOST_CHECK_GT(scraped.value("wsnova_reconnect_downtime_seconds_sum", feed), 0.0);
  BOOST_CHECK_EQUAL(scraped.value("wsnova_connect_duration_seconds_count", feed), 2.0);
  BOOST_CHECK_EQUAL(scraped.value("wsnova_upgrade_duration_seconds_count", feed), 2.0);
}

// Per-message measurements: counters and queue depth (batched, exact once the connection
// is down), the frame-to-handler latency of every message, the automatic heartbeat's round
// trip, and errors by code.
BOOST_AUTO_TEST_CASE(messages_heartbeats_and_errors_are_measured) {
  test::echo_server server;
  auto registry = std::make_shared<metrics_registry>();
  declare_wsnova_metrics(*registry);
  connection_config config;
  config.url = server.url();
  config.id = "feed-2";
  // The default (record into the registry), plus a signal for each heartbeat measured.
  auto heartbeats = std::make_shared<test::recorded<double>>();
  config.behaviors.metrics = metrics_behavior::local{}.on(
      metric_atom::value, [registry, heartbeats](handler_context&, metric_sample& x) {
        record_metric(*registry, x);
        if (x.name == metric_names::heartbeat_rtt) heartbeats->add(x.value);
      });
  config.session.ping_interval = 20ms;
  config.reconnect.enabled = false;
  auto conn = test::connect_or_fail(system, config);
  constexpr int count = 100;
  for (int i = 0; i < count; ++i)
    test::send_or_fail(conn, {message_kind::text, "m" + std::to_string(i)});
  for (int i = 0; i < count; ++i) test::receive_or_fail(conn);

  const std::map<std::string, std::string> feed{{"connection", "feed-2"}};
  auto scrape = [&] { return test::exposition::parse(registry->render_prometheus()); };
  // The heartbeat pings every 20 ms (no user ping in this test): two round trips measured.
  BOOST_REQUIRE(heartbeats->wait_for(2, 10s));
  BOOST_REQUIRE(server.wait_for_connections(1, 10s));
  server.drop_all();  // the connection ends (no reconnect): counters are reported in full
  test::next_event_of<closed_event>(conn);

  auto scraped = scrape();
  BOOST_CHECK_EQUAL(scraped.value("wsnova_messages_received_total", feed), double{count});
  BOOST_CHECK_EQUAL(scraped.value("wsnova_messages_sent_total", feed), double{count});
  BOOST_CHECK_EQUAL(scraped.value("wsnova_frame_to_handler_seconds_count", feed), double{count});
  BOOST_CHECK_GT(scraped.value("wsnova_frame_to_handler_seconds_sum", feed), 0.0);
  BOOST_CHECK_GE(scraped.value("wsnova_heartbeat_rtt_seconds_count", feed), 2.0);
  BOOST_CHECK_EQUAL(scraped.value("wsnova_send_queue_depth", feed), 0.0);
  const std::map<std::string, std::string> lost{{"connection", "feed-2"},
                                                {"code", "connection_lost"}};
  BOOST_CHECK_EQUAL(scraped.value("wsnova_errors_total", lost), 1.0);
}

BOOST_AUTO_TEST_SUITE_END()
