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

#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/proxy/fault_proxy.hpp>

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

/// Returns the most a TCP send buffer grows to by autotuning (the third field of
/// net.ipv4.tcp_wmem), or 4 MiB (Linux's default) if unknown.
std::size_t max_send_buffer() {
  std::ifstream in{"/proc/sys/net/ipv4/tcp_wmem"};
  std::size_t low = 0, initial = 0, high = 0;
  if (in >> low >> initial >> high) return high;
  return 4u << 20;
}

/// Returns a text payload of exactly `size` bytes that starts with `n`, so that order and
/// identity of echoes can be checked.
std::string numbered(int n, std::size_t size) {
  auto text = std::to_string(n) + ":";
  text.resize(size, 'x');
  return text;
}

/// A WebSocket server that completes the upgrade (Beast) and then never reads again, with a
/// small receive buffer: the client's writes stall as soon as the kernel buffers are full.
class stalled_server {
 public:
  stalled_server() {
    int small = 4096;
    ::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    // The accepted socket inherits it; Linux reports (and uses) twice the value set.
    socklen_t length = sizeof receive_buffer_;
    ::getsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_RCVBUF, &receive_buffer_, &length);
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

  /// Returns the receive buffer of the accepted socket, in bytes.
  std::size_t receive_buffer() const { return static_cast<std::size_t>(receive_buffer_); }

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
  int receive_buffer_ = 0;
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

// A message larger than the whole byte bound is refused with message_too_big (it could
// never fit, so queue_full's "try again" would be a lie; nothing is sent), and the next
// message that fits goes out.
BOOST_FIXTURE_TEST_CASE(message_larger_than_the_bound_is_refused, test::actor_system_fixture) {
  test::echo_server server;
  test::recorder rec{system};
  constexpr std::size_t bound = 64 * 1024;
  connection_config config;
  config.url = server.url();
  config.sending.max_queued_bytes = bound;
  auto c = rec.spawn(system, config);
  rec.expect<connected_event>();
  auto refusal = rec.send_text(c, std::string(bound + 1, 'b'));
  BOOST_CHECK_MESSAGE(is(refusal, errc::message_too_big), describe(refusal));
  BOOST_CHECK_EQUAL(rec.status(c).queued_bytes, 0u);
  auto fits = rec.send_text(c, std::string(bound, 'f'));
  BOOST_REQUIRE_MESSAGE(!fits, describe(fits));
  // Only the second one was sent: its echo is the next message.
  BOOST_CHECK_EQUAL(rec.expect<message_event>().message.payload, std::string(bound, 'f'));
}

// A peer that never reads: the socket stalls once the kernel buffers are full, and from then
// on the bytes wait in the send queue, whose bound turns sends into queue_full. What is
// accepted is bounded by the queue bound plus what the kernel and the transport can hold
// (computed, not timed), and so is the memory.
// (The cork holds back a write's completion while its buffer is full and a write is in
// flight; before that it completed every write at once and the queue drained into it
// without bound, GitHub issue 10.)
BOOST_FIXTURE_TEST_CASE(stalled_peer_fills_the_queue_not_memory, test::actor_system_fixture) {
  stalled_server server;
  test::recorder rec{system};
  constexpr std::size_t size = 16 * 1024;
  constexpr std::size_t bound = 512 * 1024;
  connection_config config;
  config.url = server.url();
  config.sending.max_queued_bytes = bound;
  config.sending.max_queued_messages = 100000;
  config.session.ping_interval = 0ms;  // the peer never answers; heartbeats are not the subject
  auto c = rec.spawn(system, config);
  rec.expect<connected_event>();
  // What may be accepted before the refusal: the queue bound, the client's send buffer at its
  // largest and the server's receive buffer (twice each, for the kernel's per-packet
  // accounting), and the cork's two buffers (64 KiB flush threshold plus one frame each).
  const std::size_t kernel = 2 * (max_send_buffer() + server.receive_buffer());
  const std::size_t cork = 2 * (64 * 1024 + size + 16);
  const std::size_t most = bound + kernel + cork;
  const std::size_t max_sends = most / size + 1;
  const auto before = rss_kib();
  std::size_t accepted = 0;
  caf::error refusal;
  std::uint64_t max_queued = 0;
  // Paced while the socket takes the bytes: after each send, wait until the queue is empty
  // again, so that a transport that absorbs bytes without bound is caught on any machine.
  // Pacing ends the first time the queue stays non-empty for 1,000 status round trips (the
  // socket has stalled); the outcome does not depend on when that happens.
  bool pacing = true;
  for (std::size_t i = 0; i < max_sends && !refusal; ++i) {
    refusal = rec.send_text(c, numbered(static_cast<int>(i), size));
    if (refusal) break;
    ++accepted;
    auto queued = rec.status(c).queued_bytes;
    max_queued = std::max(max_queued, queued);
    for (int polls = 0; pacing && queued > 0; ++polls) {
      if (polls == 1000) pacing = false;
      queued = rec.status(c).queued_bytes;
    }
  }
  BOOST_REQUIRE_MESSAGE(refusal, accepted << " sends of 16 KiB (" << accepted * size
                                          << " bytes) accepted without queue_full; at most " << most
                                          << " can leave the queue");
  BOOST_CHECK_MESSAGE(is(refusal, errc::queue_full), describe(refusal));
  auto status = rec.status(c);
  max_queued = std::max(max_queued, status.queued_bytes);
  BOOST_CHECK_LE(max_queued, bound);
  // Refused because the queue filled up (past its low watermark), not for another reason.
  BOOST_CHECK_LE(status.queued_bytes, bound);
  BOOST_CHECK_GE(status.queued_bytes, bound / 2);
  // Paused until the queue drains below the low watermark, which it cannot: refused too.
  auto again = rec.send_text(c, "one more");
  BOOST_CHECK_MESSAGE(is(again, errc::queue_full), describe(again));
  const auto after = rss_kib();
  BOOST_TEST_MESSAGE("stalled peer: " << accepted << " sends of 16 KiB accepted (at most "
                                      << max_sends - 1 << "), queued at refusal "
                                      << status.queued_bytes << " bytes (bound " << bound
                                      << "), RSS " << before << " -> " << after << " KiB");
  BOOST_CHECK_LT(after - before, 64 * 1024);  // generous: 64 MiB
  BOOST_CHECK(status.state == connection_state::connected);
}

BOOST_AUTO_TEST_SUITE_END()
