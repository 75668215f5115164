// Connect failures through the client facade: each cause reports its own wsnova error code
// (bad_url, connect_refused, dns, upgrade_rejected, timeout), and nothing hangs.
#define BOOST_TEST_MODULE connection_errors
#include <wsnova/actors/client.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using tcp = boost::asio::ip::tcp;

namespace {

/// A port on 127.0.0.1 that refuses connections: bound by a socket that never listens, so
/// nobody else (a server in a test running in parallel) can take it while it is held.
class refusing_port {
 public:
  refusing_port() {
    socket_.open(tcp::v4());
    socket_.bind(tcp::endpoint{boost::asio::ip::address_v4::loopback(), 0});
  }

  std::uint16_t port() const { return socket_.local_endpoint().port(); }

  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/"; }

 private:
  boost::asio::io_context io_;
  tcp::socket socket_{io_};
};

/// A TCP server on 127.0.0.1 that accepts every connection and never says a word.
class silent_server {
 public:
  silent_server() {
    accept_next();
    thread_ = std::thread{[this] { io_.run(); }};
  }

  ~silent_server() {
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  /// Returns how many connections were accepted.
  std::size_t accepted() {
    std::lock_guard guard{mutex_};
    return sockets_.size();
  }

 private:
  void accept_next() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      {
        std::lock_guard guard{mutex_};
        sockets_.push_back(std::make_unique<tcp::socket>(std::move(socket)));
      }
      accept_next();
    });
  }

  boost::asio::io_context io_;
  tcp::acceptor acceptor_{io_, tcp::endpoint{boost::asio::ip::address_v4::loopback(), 0}};
  std::mutex mutex_;
  std::vector<std::unique_ptr<tcp::socket>> sockets_;
  std::thread thread_;
};

struct fixture : test::actor_system_fixture {
  caf::error connect_error(std::string url, session_options options = {}) {
    connection_config config;
    config.url = std::move(url);
    config.session = std::move(options);
    return test::connect_error(system, std::move(config));
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(connect_failures, fixture)

// A URL that is not ws:// or wss:// fails before anything is spawned, with bad_url.
BOOST_AUTO_TEST_CASE(bad_url_is_refused) {
  auto err = connect_error("http://127.0.0.1:1/");
  BOOST_CHECK_MESSAGE(is(err, errc::bad_url), describe(err));
}

// A port nobody listens on gives connect_refused.
BOOST_AUTO_TEST_CASE(refused_port_gives_connect_refused) {
  refusing_port refusing;
  auto err = connect_error(refusing.url());
  BOOST_CHECK_MESSAGE(is(err, errc::connect_refused), describe(err));
}

// A host name that does not resolve (RFC 6761 .invalid) gives dns.
BOOST_AUTO_TEST_CASE(unknown_host_gives_dns) {
  auto err = connect_error("ws://no-such-host.invalid/");
  BOOST_CHECK_MESSAGE(is(err, errc::dns), describe(err));
}

// An upgrade answered with HTTP 403 gives upgrade_rejected carrying the status, both in the
// detail text and as a number.
BOOST_AUTO_TEST_CASE(http_403_gives_upgrade_rejected_with_status) {
  test::server_options options;
  options.reject_status = 403;
  test::echo_server server{options};
  auto err = connect_error(server.url());
  BOOST_REQUIRE_MESSAGE(is(err, errc::upgrade_rejected), describe(err));
  BOOST_CHECK_NE(describe(err).find("403"), std::string::npos);
  const auto& context = err.context();
  BOOST_REQUIRE((context.match_elements<std::string, std::uint16_t>()));
  BOOST_CHECK_NE(context.get_as<std::string>(0).find("403"), std::string::npos);
  BOOST_CHECK_EQUAL(context.get_as<std::uint16_t>(1), 403);
  // The request did reach the server.
  BOOST_CHECK_EQUAL(server.last_request_headers()["upgrade"], "websocket");
}

// A server that accepts TCP but never answers the upgrade gives timeout once
// handshake_timeout has passed, not earlier and not much later.
BOOST_AUTO_TEST_CASE(silent_server_gives_timeout) {
  silent_server server;
  session_options options;
  options.handshake_timeout = 300ms;
  auto started = std::chrono::steady_clock::now();
  auto err = connect_error("ws://127.0.0.1:" + std::to_string(server.port()) + "/", options);
  auto elapsed = std::chrono::steady_clock::now() - started;
  BOOST_CHECK_MESSAGE(is(err, errc::timeout), describe(err));
  BOOST_CHECK_GE(elapsed, 300ms);
  BOOST_CHECK_LT(elapsed, 5s);
  BOOST_CHECK_EQUAL(server.accepted(), 1u);
}

// A handshake deadline that ends after the connect deadline would have: the timer set for
// the connect fires first and waits again, so the timeout comes at the handshake's limit.
BOOST_AUTO_TEST_CASE(handshake_limit_longer_than_connect_limit_is_kept) {
  silent_server server;
  session_options options;
  options.connect_timeout = 150ms;
  options.handshake_timeout = 600ms;
  auto started = std::chrono::steady_clock::now();
  auto err = connect_error("ws://127.0.0.1:" + std::to_string(server.port()) + "/", options);
  auto elapsed = std::chrono::steady_clock::now() - started;
  BOOST_CHECK_MESSAGE(is(err, errc::timeout), describe(err));
  BOOST_CHECK_MESSAGE(describe(err).find("handshake timed out after 600 ms") != std::string::npos,
                      describe(err));
  BOOST_CHECK_GE(elapsed, 600ms);
  BOOST_CHECK_LT(elapsed, 5s);
}

// A failed connect leaves the system clean: the next connect to a working server succeeds.
BOOST_AUTO_TEST_CASE(failure_then_success) {
  refusing_port refusing;
  auto err = connect_error(refusing.url());
  BOOST_CHECK_MESSAGE(is(err, errc::connect_refused), describe(err));
  test::echo_server server;
  connection_config config;
  config.url = server.url();
  auto c = test::connect_or_fail(system, config);
  BOOST_REQUIRE(!c.send_text("after failure"));
  BOOST_CHECK_EQUAL(test::receive_or_fail(c).payload, "after failure");
}

BOOST_AUTO_TEST_SUITE_END()
