// Tests of the fault-injection proxy with plain TCP: a raw echo target behind it and a
// blocking client whose every read has a deadline (SO_RCVTIMEO).
#include <wsnova/tests/proxy/fault_proxy.hpp>

#define BOOST_TEST_MODULE fault_proxy
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

using namespace std::chrono_literals;
using wsnova::test::fault_proxy;
using wsnova::test::refuse_mode;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

/// A raw TCP echo server on 127.0.0.1 with its own I/O thread.
class tcp_echo {
 public:
  tcp_echo() {
    accept_next();
    thread_ = std::thread{[this] { io_.run(); }};
  }

  ~tcp_echo() {
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  struct session : std::enable_shared_from_this<session> {
    explicit session(tcp::socket s) : socket(std::move(s)) {}
    void read() {
      socket.async_read_some(asio::buffer(buffer),
                             [self = shared_from_this()](error_code ec, std::size_t n) {
                               if (ec) return;
                               asio::async_write(self->socket, asio::buffer(self->buffer.data(), n),
                                                 [self](error_code ec2, std::size_t) {
                                                   if (!ec2) self->read();
                                                 });
                             });
    }
    tcp::socket socket;
    std::array<char, 4096> buffer{};
  };

  void accept_next() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<session>(std::move(socket))->read();
      accept_next();
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_{io_, tcp::endpoint{asio::ip::address_v4::loopback(), 0}};
  std::thread thread_;
};

/// A client on its own io_context, driven on the test thread; every read gives up after
/// `read_deadline` (the read is cancelled and reports `timed_out`).
struct client {
  explicit client(std::uint16_t port, std::chrono::milliseconds read_deadline = 5000ms)
      : deadline(read_deadline) {
    socket.connect(tcp::endpoint{asio::ip::address_v4::loopback(), port}, connect_error);
  }

  void send(const std::string& data) {
    error_code ec;
    asio::write(socket, asio::buffer(data), ec);
    BOOST_REQUIRE_MESSAGE(!ec, "write: " << ec.message());
  }

  /// Reads exactly `n` bytes, or returns the error that stopped it (`timed_out` at the
  /// deadline).
  error_code read(std::size_t n, std::string& out) { return read(n, out, deadline); }

  /// Reads exactly `n` bytes within `within`.
  error_code read(std::size_t n, std::string& out, std::chrono::milliseconds within) {
    out.assign(n, '\0');
    std::optional<error_code> result;
    asio::async_read(socket, asio::buffer(out), [&](error_code ec, std::size_t) { result = ec; });
    io.restart();
    io.run_for(within);
    if (!result) {
      socket.cancel();
      io.restart();
      io.run();  // let the cancelled read complete
      return asio::error::timed_out;
    }
    return *result;
  }

  /// Sends `data` and expects it back in time.
  void round_trip(const std::string& data) {
    send(data);
    std::string back;
    auto ec = read(data.size(), back);
    BOOST_REQUIRE_MESSAGE(!ec, "read: " << ec.message());
    BOOST_CHECK_EQUAL(back, data);
  }

  std::chrono::milliseconds deadline;
  asio::io_context io;
  tcp::socket socket{io};
  error_code connect_error;
};

bool is_timeout(const error_code& ec) { return ec == asio::error::timed_out; }

struct fixture {
  tcp_echo target;
  fault_proxy proxy{target.port()};
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(forwarding, fixture)

// With no fault set, bytes flow both ways and the counters see one connection.
BOOST_AUTO_TEST_CASE(pass_forwards_both_ways_and_counts) {
  client c{proxy.port()};
  BOOST_REQUIRE(!c.connect_error);
  c.round_trip("hello through the proxy");
  BOOST_CHECK(proxy.wait_for_connections(1, 5000ms));
  BOOST_CHECK_EQUAL(proxy.connections_accepted(), 1u);
  BOOST_CHECK_EQUAL(proxy.bytes_forwarded(), 2 * std::string{"hello through the proxy"}.size());
  BOOST_CHECK_EQUAL(proxy.url("x"), "ws://127.0.0.1:" + std::to_string(proxy.port()) + "/x");
}

// A client's FIN reaches the target, whose FIN comes back: the link is forgotten.
BOOST_AUTO_TEST_CASE(client_close_ends_the_link) {
  {
    client c{proxy.port()};
    c.round_trip("x");
    BOOST_CHECK(proxy.wait_for_connections(1, 5000ms));
  }
  BOOST_CHECK(proxy.wait_for_connections(0, 5000ms));
}

// delay(ms) holds each chunk in each direction: a round trip takes at least twice that.
// After pass() a round trip is shorter than one delayed round trip; the delay is long enough
// (a prompt round trip takes about a millisecond) that a busy machine cannot blur the two.
BOOST_AUTO_TEST_CASE(delay_holds_each_chunk) {
  client c{proxy.port()};
  c.round_trip("warm");
  proxy.delay(500ms);
  auto started = clock_type::now();
  c.round_trip("late");
  auto elapsed = clock_type::now() - started;
  BOOST_CHECK_GE(elapsed, 1000ms);
  BOOST_CHECK_LT(elapsed, 10s);
  proxy.pass();
  started = clock_type::now();
  c.round_trip("prompt");
  BOOST_CHECK_LT(clock_type::now() - started, 1000ms);  // a delayed round trip takes >= 1000
}

// throttle(bps) bounds the rate: 4 KB at 8 KB/s takes about half a second (the two
// directions overlap: the echo starts coming back while the rest is still going out).
BOOST_AUTO_TEST_CASE(throttle_bounds_the_rate) {
  client c{proxy.port()};
  proxy.throttle(8 * 1024);
  auto started = clock_type::now();
  c.round_trip(std::string(4096, 't'));
  auto elapsed = clock_type::now() - started;
  BOOST_TEST_MESSAGE("4 KB round trip at 8 KB/s: "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                     << " ms");
  BOOST_CHECK_GE(elapsed, 400ms);
  BOOST_CHECK_LT(elapsed, 10s);  // a failure bound, 20 times the expected half second
}

// blackhole() keeps the sockets open but lets nothing through: reads time out (no EOF, no
// reset); pass() releases the held bytes in order, then forwarding goes on.
BOOST_AUTO_TEST_CASE(blackhole_is_silent_and_half_open) {
  client c{proxy.port()};
  c.round_trip("before");
  proxy.blackhole();
  c.send("lost");
  std::string back;
  auto ec = c.read(4, back, 300ms);
  BOOST_CHECK_MESSAGE(is_timeout(ec), "expected a read timeout, got: " << ec.message());
  BOOST_CHECK_EQUAL(proxy.active_connections(), 1u);
  proxy.pass();
  ec = c.read(4, back);
  BOOST_CHECK_MESSAGE(!ec, "held bytes after pass(): " << ec.message());
  BOOST_CHECK_EQUAL(back, "lost");
  c.round_trip("after");
}

// drop_all() resets both sides: the client reads ECONNRESET.
BOOST_AUTO_TEST_CASE(drop_all_resets) {
  client c{proxy.port()};
  c.round_trip("x");
  proxy.drop_all();
  std::string back;
  auto ec = c.read(1, back);
  BOOST_CHECK_MESSAGE(ec == asio::error::connection_reset, ec.message());
  BOOST_CHECK(proxy.wait_for_connections(0, 5000ms));
}

// close_all() closes both sides with a FIN: the client reads end of stream.
BOOST_AUTO_TEST_CASE(close_all_sends_fin) {
  client c{proxy.port()};
  c.round_trip("x");
  proxy.close_all();
  std::string back;
  auto ec = c.read(1, back);
  BOOST_CHECK_MESSAGE(ec == asio::error::eof, ec.message());
  BOOST_CHECK(proxy.wait_for_connections(0, 5000ms));
}

// refuse(true) accepts and resets new connections; current ones keep working; refuse(false)
// accepts again.
BOOST_AUTO_TEST_CASE(refuse_resets_new_connections) {
  client old{proxy.port()};
  old.round_trip("x");
  proxy.refuse(true);
  client c{proxy.port()};
  BOOST_REQUIRE(!c.connect_error);  // the kernel completed the handshake
  std::string back;
  auto ec = c.read(1, back);
  BOOST_CHECK_MESSAGE(ec == asio::error::connection_reset || ec == asio::error::eof, ec.message());
  BOOST_CHECK(proxy.wait_for_accepted(2, 5000ms));
  old.round_trip("still up");
  proxy.refuse(false);
  client again{proxy.port()};
  again.round_trip("y");
}

// refuse(true, close_listener) makes connects fail with ECONNREFUSED; refuse(false) listens
// on the same port again.
BOOST_AUTO_TEST_CASE(refuse_closing_the_listener) {
  auto port = proxy.port();
  proxy.refuse(true, refuse_mode::close_listener);
  client c{port};
  BOOST_CHECK_MESSAGE(c.connect_error == asio::error::connection_refused,
                      c.connect_error.message());
  proxy.refuse(false);
  BOOST_CHECK_EQUAL(proxy.port(), port);
  client again{port};
  BOOST_REQUIRE(!again.connect_error);
  again.round_trip("back");
}

// retarget() sends new connections to another target; a dead target resets the client.
BOOST_AUTO_TEST_CASE(retarget_and_dead_target) {
  std::uint16_t dead_port = 0;
  {
    tcp_echo gone;
    dead_port = gone.port();
  }
  proxy.retarget(dead_port);
  client c{proxy.port()};
  std::string back;
  auto ec = c.read(1, back);
  BOOST_CHECK_MESSAGE(ec == asio::error::connection_reset || ec == asio::error::eof, ec.message());
  tcp_echo other;
  proxy.retarget(other.port());
  client d{proxy.port()};
  d.round_trip("to the other target");
}

// wait_for_connections gives up at its deadline when the count is never reached.
BOOST_AUTO_TEST_CASE(wait_has_a_deadline) {
  auto started = clock_type::now();
  BOOST_CHECK(!proxy.wait_for_connections(3, 100ms));
  BOOST_CHECK_GE(clock_type::now() - started, 100ms);
}

// Many threads flipping modes and dropping connections while traffic flows: no crash, and
// pass() leaves a working proxy.
BOOST_AUTO_TEST_CASE(hooks_are_thread_safe) {
  std::atomic<bool> stop{false};
  std::thread flipper{[&] {
    while (!stop) {
      proxy.delay(1ms);
      proxy.blackhole();
      proxy.throttle(1 << 20);
      proxy.pass();
      proxy.drop_all();
      proxy.close_all();
    }
  }};
  for (int i = 0; i < 50; ++i) {
    client c{proxy.port(), 50ms};
    if (c.connect_error) continue;
    error_code ec;
    asio::write(c.socket, asio::buffer(std::string{"noise"}), ec);
    std::string back;
    (void)c.read(5, back);
  }
  stop = true;
  flipper.join();
  proxy.pass();
  client c{proxy.port()};
  c.round_trip("calm again");
}

BOOST_AUTO_TEST_SUITE_END()
