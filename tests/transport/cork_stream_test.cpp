// The write cork under the WebSocket stream (transport/detail/cork_stream.hpp) on a loopback
// TCP pair, driven by hand on one io_context: when what was written leaves, and in which order.
#define BOOST_TEST_MODULE cork_stream
#include <wsnova/transport/detail/cork_stream.hpp>

#include <boost/test/unit_test.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/core/tcp_stream.hpp>

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

struct fixture {
  asio::io_context io;
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  wsnova::detail::cork_stream<boost::beast::tcp_stream> cork{io};
  tcp::socket peer{io};
  /// Handlers keep the owner alive; the cork writes nothing without one.
  std::shared_ptr<int> owner = std::make_shared<int>(0);
  std::array<char, 64> read_buffer{};

  fixture() {
    cork.next_layer().socket().connect(acceptor.local_endpoint());
    acceptor.accept(peer);
    cork.set_owner(owner);
  }

  /// Runs handlers until `done()` or the deadline; false at the deadline.
  bool run_until(const std::function<bool()>& done) {
    auto until = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= until) return false;
      io.run_one_for(100ms);
    }
    return true;
  }

  /// Reads exactly `size` bytes the cork sent (they are in the kernel: a write completed).
  std::string received(std::size_t size) {
    std::string bytes(size, '\0');
    asio::read(peer, asio::buffer(bytes));
    return bytes;
  }

  /// Starts a read on the cork, as Beast does when it needs more bytes.
  void start_read() {
    cork.async_read_some(asio::buffer(read_buffer), [](error_code, std::size_t) {});
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cork, fixture)

// A small write stays in the cork; when the reader then goes to the socket for more bytes
// (it went through all it had), the write leaves at once, not handler rounds later.
BOOST_AUTO_TEST_CASE(small_write_leaves_when_the_reader_waits_for_the_socket) {
  std::string frame = "0123456789";
  bool completed = false;
  cork.async_write_some(asio::buffer(frame), [&](error_code ec, std::size_t n) {
    completed = !ec && n == frame.size();
  });
  BOOST_CHECK(!cork.writing());
  BOOST_CHECK_EQUAL(cork.bytes_accepted(), frame.size());
  start_read();
  BOOST_CHECK(cork.writing());
  BOOST_REQUIRE(run_until([&] { return completed && cork.bytes_written() == frame.size(); }));
  BOOST_CHECK_EQUAL(received(frame.size()), frame);
}

// Without a read, a small write leaves after the quiet handler rounds.
BOOST_AUTO_TEST_CASE(small_write_without_a_read_leaves_after_quiet_rounds) {
  std::string frame = "abc";
  cork.async_write_some(asio::buffer(frame), [](error_code, std::size_t) {});
  BOOST_CHECK(!cork.writing());
  BOOST_REQUIRE(run_until([&] { return cork.bytes_written() == frame.size(); }));
  BOOST_CHECK_EQUAL(received(frame.size()), frame);
}

// A large write into an empty, idle cork goes straight to the socket, without waiting and
// without a copy: its completion runs only once the socket took every byte (a copied write
// completes at once). A small write meanwhile waits in the cork and follows it.
BOOST_AUTO_TEST_CASE(large_write_into_an_empty_cork_goes_straight_to_the_socket) {
  std::string large(cork.direct_write_min, 'L');
  std::string small = "after";
  std::size_t written_at_completion = 0;
  bool large_done = false;
  cork.async_write_some(asio::buffer(large), [&](error_code ec, std::size_t n) {
    large_done = !ec && n == large.size();
    written_at_completion = cork.bytes_written();
  });
  BOOST_CHECK(cork.writing());
  cork.async_write_some(asio::buffer(small), [](error_code, std::size_t) {});
  BOOST_REQUIRE(run_until([&] { return large_done; }));
  BOOST_CHECK_EQUAL(written_at_completion, large.size());
  BOOST_REQUIRE(run_until([&] { return cork.bytes_written() == large.size() + small.size(); }));
  BOOST_CHECK_EQUAL(cork.bytes_accepted(), cork.bytes_written());
  BOOST_CHECK(received(large.size() + small.size()) == large + small);
}

// A large write behind corked bytes is copied after them: order on the wire is write order.
BOOST_AUTO_TEST_CASE(large_write_behind_corked_bytes_keeps_the_order) {
  std::string small = "first";
  std::string large(cork.direct_write_min * 2, 'L');
  bool large_done = false;
  cork.async_write_some(asio::buffer(small), [](error_code, std::size_t) {});
  cork.async_write_some(asio::buffer(large), [&](error_code ec, std::size_t n) {
    large_done = !ec && n == large.size();
  });
  BOOST_CHECK(!cork.writing());  // both corked: under the flush threshold, no read started
  start_read();
  BOOST_REQUIRE(
      run_until([&] { return large_done && cork.bytes_written() == small.size() + large.size(); }));
  BOOST_CHECK(received(small.size() + large.size()) == small + large);
}

BOOST_AUTO_TEST_SUITE_END()
