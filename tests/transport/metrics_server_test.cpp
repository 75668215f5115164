// metrics_server (transport/metrics_server.hpp) over real loopback sockets, scraped with a
// Beast HTTP client: the registry's values come back through the exposition text, keep-alive,
// 404/405/431/500, slow clients cut off, stop() closing connections, bind errors.
#include <wsnova/transport/metrics_server.hpp>

#define BOOST_TEST_MODULE metrics_server
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <wsnova/core/metrics.hpp>

#include "metrics_fixture.hpp"

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::test;

namespace {

struct fixture {
  io_thread io;
  std::shared_ptr<metrics_registry> registry = std::make_shared<metrics_registry>();
  std::optional<metrics_server> server;  // after io: stopped before the context goes

  fixture() { declare_wsnova_metrics(*registry); }

  void start(metrics_server_options options = {}) {
    auto started = metrics_server::start(
        io.context(), [r = registry] { return r->render_prometheus(); }, std::move(options));
    BOOST_REQUIRE_MESSAGE(started, to_string(started.error()));
    server.emplace(std::move(*started));
  }

  exposition scrape(http_client& client) {
    auto response = client.request(http::verb::get, "/metrics");
    BOOST_REQUIRE_EQUAL(response.result_int(), 200u);
    BOOST_CHECK_EQUAL(response[http::field::content_type],
                      "text/plain; version=0.0.4; charset=utf-8");
    return exposition::parse(response.body());
  }
};

const metric_labels feed{{"connection", "feed-1"}};

/// "ok" or the name of the error code of `started`.
std::string outcome(const result<metrics_server>& started) {
  return started ? "ok" : to_string(started.error().code);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(metrics_server_tests, fixture)

// Counters, gauges, histograms and an awkward label value survive the trip through the
// server and the test's parser.
BOOST_AUTO_TEST_CASE(a_scrape_returns_the_registry) {
  namespace n = metric_names;
  registry->add(n::connects, feed, 3);
  registry->set(n::connection_up, feed, 1);
  registry->add(n::errors, {{"code", "timeout"}, {"connection", "feed-1"}});
  for (double v : {0.0002, 0.004, 2.0}) registry->observe(n::heartbeat_rtt, feed, v);
  const std::string odd = "quote\" back\\slash\nnewline";
  registry->add(n::messages_received, {{"connection", odd}}, 7);
  start();
  BOOST_TEST(server->port() != 0);
  http_client client{server->port()};
  auto text = scrape(client);
  const std::map<std::string, std::string> f{{"connection", "feed-1"}};
  BOOST_TEST(text.types.at("wsnova_connects_total") == "counter");
  BOOST_TEST(text.types.at("wsnova_heartbeat_rtt_seconds") == "histogram");
  BOOST_TEST(text.value("wsnova_connects_total", f) == 3.0);
  BOOST_TEST(text.value("wsnova_connection_up", f) == 1.0);
  BOOST_TEST(text.value("wsnova_errors_total", {{"code", "timeout"}, {"connection", "feed-1"}}) ==
             1.0);
  BOOST_TEST(text.value("wsnova_messages_received_total", {{"connection", odd}}) == 7.0);
  BOOST_TEST(text.value("wsnova_heartbeat_rtt_seconds_count", f) == 3.0);
  BOOST_TEST(text.value("wsnova_heartbeat_rtt_seconds_sum", f) == 2.0042,
             boost::test_tools::tolerance(1e-12));
  auto bucket = [&](const char* le) {
    auto labels = f;
    labels["le"] = le;
    return text.value("wsnova_heartbeat_rtt_seconds_bucket", labels);
  };
  BOOST_TEST(bucket("0.0001") == 0.0);
  BOOST_TEST(bucket("0.00025") == 1.0);
  BOOST_TEST(bucket("0.005") == 2.0);
  BOOST_TEST(bucket("1") == 2.0);
  BOOST_TEST(bucket("2.5") == 3.0);
  BOOST_TEST(bucket("+Inf") == 3.0);
}

// Two requests on one connection: the second sees what changed in between.
BOOST_AUTO_TEST_CASE(two_scrapes_on_one_keep_alive_connection) {
  registry->add(metric_names::messages_sent, feed);
  start();
  http_client client{server->port()};
  auto first = client.request(http::verb::get, "/metrics");
  BOOST_TEST(first.keep_alive());
  registry->add(metric_names::messages_sent, feed, 41);
  auto second = exposition::parse(client.request(http::verb::get, "/metrics").body());
  BOOST_TEST(exposition::parse(first.body())
                 .value("wsnova_messages_sent_total", {{"connection", "feed-1"}}) == 1.0);
  BOOST_TEST(second.value("wsnova_messages_sent_total", {{"connection", "feed-1"}}) == 42.0);
}

BOOST_AUTO_TEST_CASE(other_paths_and_methods_are_refused) {
  start();
  http_client client{server->port()};
  auto missing = client.request(http::verb::get, "/");
  BOOST_TEST(missing.result_int() == 404u);
  auto post = client.request(http::verb::post, "/metrics");
  BOOST_TEST(post.result_int() == 405u);
  BOOST_TEST(post[http::field::allow] == "GET");
  BOOST_TEST(post.keep_alive());  // the connection stays usable
  auto with_query = client.request(http::verb::get, "/metrics?name[]=x");
  BOOST_TEST(with_query.result_int() == 200u);
}

// A 16 KiB header against the 8 KiB limit: 431, then the server closes.
BOOST_AUTO_TEST_CASE(an_oversized_header_gets_431_and_a_close) {
  start();
  http_client client{server->port()};
  std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ";
  request += std::string(16 * 1024, 'x');
  request += "\r\n\r\n";
  BOOST_REQUIRE(!client.send_raw(request));
  beast::error_code ec;
  auto response = client.receive(ec);
  BOOST_REQUIRE_MESSAGE(!ec, ec.message());
  BOOST_TEST(response.result_int() == 431u);
  BOOST_TEST(!response.keep_alive());
  BOOST_TEST(client.read_until_closed() == net::error::eof);
}

// A client that sends half a header and then nothing is cut off after request_timeout
// (the client's own deadline is 5 s: a server that held it would fail with `timeout`).
BOOST_AUTO_TEST_CASE(a_slow_client_is_closed_after_the_timeout) {
  metrics_server_options options;
  options.request_timeout = 300ms;
  start(options);
  http_client client{server->port()};
  BOOST_REQUIRE(!client.send_raw("GET /metrics HTTP/1.1\r\nHost: 12"));
  auto begin = std::chrono::steady_clock::now();
  BOOST_TEST(client.read_until_closed() == net::error::eof);
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - begin);
  BOOST_TEST(waited.count() >= 250);  // closed for the timeout, not at once
}

// A request with a body (GET with Content-Length) is not a scrape: 400 and close.
BOOST_AUTO_TEST_CASE(a_request_body_is_a_bad_request) {
  start();
  http_client client{server->port()};
  BOOST_REQUIRE(
      !client.send_raw("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  beast::error_code ec;
  auto response = client.receive(ec);
  BOOST_REQUIRE_MESSAGE(!ec, ec.message());
  BOOST_TEST(response.result_int() == 400u);
  BOOST_TEST(client.read_until_closed() == net::error::eof);
}

// Beyond max_connections a connection is closed at once; the first one goes on working.
BOOST_AUTO_TEST_CASE(connections_beyond_the_cap_are_closed) {
  metrics_server_options options;
  options.max_connections = 1;
  start(options);
  http_client first{server->port()};
  BOOST_TEST(first.request(http::verb::get, "/metrics").result_int() == 200u);  // admitted
  http_client second{server->port()};
  BOOST_TEST(second.read_until_closed() == net::error::eof);
  BOOST_TEST(first.request(http::verb::get, "/metrics").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(a_throwing_body_answers_500) {
  auto started = metrics_server::start(
      io.context(), []() -> std::string { throw std::runtime_error("registry gone"); });
  BOOST_REQUIRE(started);
  http_client client{started->port()};
  auto response = client.request(http::verb::get, "/metrics");
  BOOST_TEST(response.result_int() == 500u);
  BOOST_TEST(response.body().find("registry gone") != std::string::npos);
}

// stop() closes an idle keep-alive connection and the listening socket.
BOOST_AUTO_TEST_CASE(stop_closes_connections_and_the_listener) {
  start();
  const auto port = server->port();
  http_client client{port};
  BOOST_TEST(client.request(http::verb::get, "/metrics").result_int() == 200u);
  server->stop();
  BOOST_TEST(client.read_until_closed() == net::error::eof);
  BOOST_CHECK_THROW(http_client{port}, std::runtime_error);  // refused
}

BOOST_AUTO_TEST_CASE(a_port_in_use_is_a_clear_error) {
  start();
  metrics_server_options options;
  options.port = server->port();
  auto second = metrics_server::start(
      io.context(), [] { return std::string{}; }, options);
  BOOST_REQUIRE_EQUAL(outcome(second), "bind_failed");
  const auto& detail = second.error().detail;
  BOOST_TEST_MESSAGE("port in use: " << detail);
  BOOST_TEST(detail.find("127.0.0.1:" + std::to_string(server->port())) != std::string::npos);
  BOOST_TEST(detail.find("in use") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_options_are_invalid_arguments) {
  auto body = [] { return std::string{}; };
  metrics_server_options by_name;
  by_name.address = "localhost";  // names are not resolved
  auto named = metrics_server::start(io.context(), body, by_name);
  BOOST_REQUIRE_EQUAL(outcome(named), "invalid_argument");
  BOOST_TEST(named.error().detail.find("localhost") != std::string::npos);
  auto no_body = metrics_server::start(io.context(), nullptr);
  BOOST_TEST(outcome(no_body) == "invalid_argument");
  metrics_server_options relative;
  relative.path = "metrics";
  BOOST_TEST(outcome(metrics_server::start(io.context(), body, relative)) == "invalid_argument");
  metrics_server_options foreign;
  foreign.address = "192.0.2.1";  // TEST-NET-1: not an address of this machine
  auto not_local = metrics_server::start(io.context(), body, foreign);
  BOOST_TEST(outcome(not_local) == "bind_failed");
}

BOOST_AUTO_TEST_SUITE_END()
