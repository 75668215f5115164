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

BOOST_AUTO_TEST_SUITE_END()
