// The outgoing side under faults: what `send` does while the connection is down (buffer or
// reject), and the bound on the send queue when the peer stops reading.
#define BOOST_TEST_MODULE send_policy
#include <wsnova/tests/resilience/recorder.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/proxy/fault_proxy.hpp>
#include <wsnova/tests/support/echo_server.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using test::fault_proxy;

namespace {

struct fixture : test::actor_system_fixture {
  test::echo_server server;
  fault_proxy proxy{server.port()};
  test::recorder rec{system};

  connection_config config_for(offline_send_policy policy) {
    connection_config config;
    config.url = proxy.url();
    config.reconnect.kind = backoff_kind::fixed;
    config.reconnect.initial_delay = 50ms;
    config.sending.when_disconnected = policy;
    return config;
  }

  /// Connects, then takes the connection down and keeps it down (the proxy refuses).
  connection connect_then_go_down(offline_send_policy policy) {
    auto c = rec.spawn(system, config_for(policy));
    rec.expect<connected_event>();
    proxy.refuse(true, test::refuse_mode::close_listener);
    proxy.drop_all();
    rec.expect<disconnected_event>();
    return c;
  }
};

/// Returns the resident set size of this process in KiB (VmRSS), or 0 if unknown.
long rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

/// A WebSocket server that completes the upgrade (Beast) and then never reads again, with a
/// small receive buffer: the client's writes stall as soon as the kernel buffers are full.
class stalled_server {
 public:
  stalled_server() {
    int small = 4096;
    ::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    thread_ = std::thread{[this] { run(); }};
  }

  ~stalled_server() {
    boost::system::error_code ignored;
    io_.stop();
    acceptor_.close(ignored);
    thread_.join();
  }

  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/";
  }

 private:
  void run() {
    // One connection is enough: accept, upgrade, then hold it without reading.
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket socket{io_};
    acceptor_.accept(socket, ec);
    if (ec) return;
    stream_ = std::make_unique<boost::beast::websocket::stream<boost::asio::ip::tcp::socket>>(
      std::move(socket));
    stream_->accept(ec);
    // Keep the io_context alive (and the stream open) until the destructor stops it.
    auto guard = boost::asio::make_work_guard(io_);
    io_.run();
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{
    io_, boost::asio::ip::tcp::endpoint{boost::asio::ip::address_v4::loopback(), 0}};
  std::unique_ptr<boost::beast::websocket::stream<boost::asio::ip::tcp::socket>> stream_;
  std::thread thread_;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(offline_policy, fixture)

// Buffer policy: sends while down are accepted, kept in order, and sent after the reconnect;
// the echo server returns each exactly once, in order.
BOOST_AUTO_TEST_CASE(buffered_sends_arrive_in_order_exactly_once) {
  auto c = connect_then_go_down(offline_send_policy::buffer);
  constexpr int n = 50;
  for (int i = 1; i <= n; ++i) {
    auto err = rec.send_text(c, std::to_string(i));
    BOOST_REQUIRE_MESSAGE(!err, "send " << i << " while down: " << describe(err));
  }
  auto status = rec.status(c);
  BOOST_CHECK(status.state != connection_state::connected);
  BOOST_CHECK_EQUAL(status.buffered_messages, static_cast<std::uint64_t>(n));
  proxy.refuse(false);
  rec.expect<reconnected_event>();
  for (int i = 1; i <= n; ++i) {
    auto got = rec.expect<message_event>();
    BOOST_REQUIRE_EQUAL(got.message.payload, std::to_string(i));
  }
  // Exactly once: nothing more arrives.
  for (auto event = rec.next(300ms); event; event = rec.next(300ms))
    BOOST_CHECK_MESSAGE(!std::holds_alternative<message_event>(event->event),
                        "duplicate: " << std::get<message_event>(event->event).message.payload);
  BOOST_CHECK_EQUAL(rec.status(c).buffered_messages, 0u);
}

// The offline buffer is bounded: past max_buffered_messages, send fails with queue_full and
// the accepted ones still arrive.
BOOST_AUTO_TEST_CASE(offline_buffer_is_bounded) {
  auto config = config_for(offline_send_policy::buffer);
  config.sending.max_buffered_messages = 5;
  auto c = rec.spawn(system, config);
  rec.expect<connected_event>();
  proxy.refuse(true, test::refuse_mode::close_listener);
  proxy.drop_all();
  rec.expect<disconnected_event>();
  for (int i = 1; i <= 5; ++i) BOOST_REQUIRE(!rec.send_text(c, std::to_string(i)));
  auto err = rec.send_text(c, "6");
  BOOST_CHECK_MESSAGE(is(err, errc::queue_full), describe(err));
  proxy.refuse(false);
  rec.expect<reconnected_event>();
  for (int i = 1; i <= 5; ++i)
    BOOST_CHECK_EQUAL(rec.expect<message_event>().message.payload, std::to_string(i));
}

// Reject policy (the default): every send while down fails with not_connected, and none of
// them is sent after the reconnect.
BOOST_AUTO_TEST_CASE(reject_policy_refuses_each_send_while_down) {
  auto c = connect_then_go_down(offline_send_policy::reject);
  for (int i = 1; i <= 10; ++i) {
    auto err = rec.send_text(c, "stale " + std::to_string(i));
    BOOST_CHECK_MESSAGE(is(err, errc::not_connected), describe(err));
  }
  BOOST_CHECK_EQUAL(rec.status(c).buffered_messages, 0u);
  proxy.refuse(false);
  rec.expect<reconnected_event>();
  BOOST_REQUIRE(!rec.send_text(c, "fresh"));
  BOOST_CHECK_EQUAL(rec.expect<message_event>().message.payload, "fresh");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(slow_reader)

// A peer that stops reading: sends are accepted until the queue bound, then fail with
// queue_full; the queue never holds more than its bound; memory stays bounded.
BOOST_FIXTURE_TEST_CASE(queue_full_bounds_memory, test::actor_system_fixture) {
  stalled_server server;
  test::recorder rec{system};
  constexpr std::size_t bound = 512 * 1024;
  connection_config config;
  config.url = server.url();
  config.sending.max_queued_bytes = bound;
  config.sending.max_queued_messages = 100000;
  config.session.handshake_timeout = 1s;
  auto c = rec.spawn(system, config);
  rec.expect<connected_event>();
  const auto before = rss_kib();
  const std::string payload(16 * 1024, 'x');
  std::size_t accepted = 0;
  caf::error refusal;
  std::uint64_t max_queued = 0;
  for (int i = 0; i < 4000 && !refusal; ++i) {
    refusal = rec.send_text(c, payload);
    if (!refusal) ++accepted;
    if (i % 16 == 0) max_queued = std::max(max_queued, rec.status(c).queued_bytes);
  }
  BOOST_REQUIRE_MESSAGE(refusal, "4000 sends of 16 KiB accepted without queue_full");
  BOOST_CHECK_MESSAGE(is(refusal, errc::queue_full), describe(refusal));
  auto status = rec.status(c);
  max_queued = std::max(max_queued, status.queued_bytes);
  BOOST_CHECK_LE(max_queued, bound);
  BOOST_CHECK_LE(status.queued_bytes, bound);
  BOOST_CHECK_GT(status.queued_bytes, 0u);
  // Paused until the queue drains below the low watermark: the next send fails too.
  auto again = rec.send_text(c, "one more");
  BOOST_CHECK_MESSAGE(is(again, errc::queue_full), describe(again));
  const auto after = rss_kib();
  BOOST_TEST_MESSAGE("slow reader: " << accepted << " sends of 16 KiB accepted ("
                                     << accepted * 16 << " KiB, kernel buffers included), "
                                     << "queued at refusal " << status.queued_bytes
                                     << " bytes (bound " << bound << "), RSS " << before
                                     << " -> " << after << " KiB");
  BOOST_CHECK_LT(after - before, 64 * 1024);  // generous: 64 MiB
  BOOST_CHECK(status.state == connection_state::connected);
}

BOOST_AUTO_TEST_SUITE_END()
