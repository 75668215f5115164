// The HTTP server behind metrics_server and the observer (transport/detail/http_server.hpp),
// on a thread of its own, over loopback: what its two users do not show by themselves —
// answers given later from another thread, a responder dropped or used twice, an answer
// after stop, the per-server fields, 404/405 texts naming the paths, move assignment.
// Parsing, limits, timeouts and the connection cap are metrics_server_test's.
#include <wsnova/transport/detail/http_server.hpp>

#define BOOST_TEST_MODULE http_server
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <utility>

#include <wsnova/tests/support/http_client.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::detail;
using wsnova::test::http_client;
namespace http = boost::beast::http;

namespace {

/// A server whose route "/later" hands each responder to the test instead of answering.
struct fixture {
  std::promise<http_responder> handed_over;
  std::optional<http_server> server;

  fixture() {
    http_server_options options;
    options.server_name = "wsnova-test";
    options.cache_control = "no-store";
    options.routes["/now"] = [](const http_responder& respond) {
      respond({200, "application/json", "{}"});
    };
    options.routes["/later"] = [this](http_responder respond) {
      handed_over.set_value(std::move(respond));
    };
    options.routes["/never"] = [](const http_responder&) { /* dropped unanswered */ };
    auto started = http_server::start(std::move(options));
    BOOST_REQUIRE_MESSAGE(started, to_string(started.error()));
    server.emplace(std::move(*started));
  }

  /// Waits (bounded) for the responder of the request sent to "/later".
  http_responder responder() {
    auto future = handed_over.get_future();
    BOOST_REQUIRE(future.wait_for(5s) == std::future_status::ready);
    return future.get();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(http_server_tests, fixture)

// The test's thread answers while the client waits; the next request on the connection
// gets its own answer, not a second copy of the first.
BOOST_AUTO_TEST_CASE(an_answer_from_another_thread_reaches_the_client_once) {
  http_client client{server->port()};
  BOOST_REQUIRE(!client.send(http::verb::get, "/later?x=1"));
  auto respond = responder();
  respond({202, "text/plain; charset=utf-8", "done\n"});
  respond({500, "text/plain; charset=utf-8", "twice\n"});  // ignored
  boost::beast::error_code ec;
  auto response = client.receive(ec);
  BOOST_REQUIRE_MESSAGE(!ec, ec.message());
  BOOST_TEST(response.result_int() == 202u);
  BOOST_TEST(response.body() == "done\n");
  BOOST_TEST(response[http::field::server] == "wsnova-test");
  BOOST_TEST(response[http::field::cache_control] == "no-store");
  BOOST_TEST(response.keep_alive());
  auto next = client.request(http::verb::get, "/now");
  BOOST_TEST(next.result_int() == 200u);
  BOOST_TEST(next[http::field::content_type] == "application/json");
  BOOST_TEST(next.body() == "{}");
}

BOOST_AUTO_TEST_CASE(a_responder_dropped_unanswered_answers_503) {
  http_client client{server->port()};
  auto response = client.request(http::verb::get, "/never");
  BOOST_TEST(response.result_int() == 503u);
  BOOST_TEST(client.request(http::verb::get, "/now").result_int() == 200u);  // still usable
}

BOOST_AUTO_TEST_CASE(refusals_name_the_paths) {
  http_client client{server->port()};
  auto missing = client.request(http::verb::get, "/metrics");
  BOOST_TEST(missing.result_int() == 404u);
  BOOST_TEST(missing.body() == "not found: this server serves only /later, /never and /now\n");
  auto post = client.request(http::verb::post, "/now");
  BOOST_TEST(post.result_int() == 405u);
  BOOST_TEST(post.body() == "method not allowed: /now answers GET only\n");
}

// A request waits in another thread's hands when the server stops: the client sees the
// connection closed, the thread is joined, and the late answer goes nowhere.
BOOST_AUTO_TEST_CASE(an_answer_after_stop_is_dropped) {
  http_client client{server->port()};
  BOOST_REQUIRE(!client.send(http::verb::get, "/later"));
  auto respond = responder();
  server->stop();
  BOOST_TEST(client.read_until_closed() == boost::asio::error::eof);
  respond({200, "text/plain; charset=utf-8", "too late\n"});
  server.reset();  // the responder still holds the connection, and through it the context
}

// Assigning a server over a running one stops the first; the second goes on serving.
BOOST_AUTO_TEST_CASE(move_assignment_stops_the_server_replaced) {
  const auto first_port = server->port();
  http_server_options options;
  options.routes["/"] = [](const http_responder& respond) { respond({200, "text/plain", "b"}); };
  auto second = http_server::start(std::move(options));
  BOOST_REQUIRE(second);
  *server = std::move(*second);
  BOOST_CHECK_THROW(http_client{first_port}, std::runtime_error);  // refused
  http_client client{server->port()};
  BOOST_TEST(client.request(http::verb::get, "/").body() == "b");
}

BOOST_AUTO_TEST_CASE(a_server_without_routes_is_an_invalid_argument) {
  auto started = http_server::start(http_server_options{});
  BOOST_REQUIRE(!started);
  BOOST_TEST(to_string(started.error().code) == "invalid_argument");
}

BOOST_AUTO_TEST_SUITE_END()
