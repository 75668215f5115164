// An HTTP/1.1 client for tests of wsnova's HTTP endpoints (metrics_server, the observer):
// Beast over loopback, every operation with a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace wsnova::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

/// A client connection to 127.0.0.1:port. Each operation runs with a 5 s deadline on the
/// calling thread, so a server that does not answer fails the test instead of hanging it.
class http_client {
 public:
  using response = http::response<http::string_body>;

  explicit http_client(std::uint16_t port) {
    auto ec = run([&](auto done) {
      stream_.async_connect(net::ip::tcp::endpoint{net::ip::make_address("127.0.0.1"), port},
                            [done](beast::error_code e) { done(e, 0); });
    });
    if (ec)
      throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " +
                               ec.message());
  }

  /// Sends one request (HTTP/1.1, keep-alive unless `close`), returns the error of the write.
  beast::error_code send(http::verb verb, std::string target, bool close = false) {
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.keep_alive(!close);
    request.prepare_payload();
    return run([&](auto done) { http::async_write(stream_, request, done); });
  }

  /// Sends raw bytes.
  beast::error_code send_raw(std::string_view bytes) {
    return run([&](auto done) { net::async_write(stream_, net::buffer(bytes), done); });
  }

  /// Reads one response; `ec` tells why there is none.
  response receive(beast::error_code& ec) {
    response out;
    ec = run([&](auto done) { http::async_read(stream_, buffer_, out, done); });
    return out;
  }

  /// Sends a request and returns the response, throwing on a transport error.
  response request(http::verb verb, std::string target) {
    if (auto ec = send(verb, std::move(target)); ec)
      throw std::runtime_error("writing the request: " + ec.message());
    beast::error_code ec;
    auto out = receive(ec);
    if (ec) throw std::runtime_error("reading the response: " + ec.message());
    return out;
  }

  /// Reads until the server closes (returns `net::error::eof`) or something else happens.
  beast::error_code read_until_closed() {
    std::size_t unexpected = 0;
    while (true) {
      char scratch[512];
      std::size_t got = 0;
      auto ec = run([&](auto done) {
        stream_.async_read_some(net::buffer(scratch),
                                [&got, done](beast::error_code e, std::size_t n) {
                                  got = n;
                                  done(e, n);
                                });
      });
      if (ec) return unexpected == 0 ? ec : net::error::message_size;  // bytes before close: odd
      unexpected += got;
    }
  }

 private:
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = net::error::would_block;
    stream_.expires_after(std::chrono::seconds(5));
    start([&result](beast::error_code ec, std::size_t) { result = ec; });
    context_.restart();
    context_.run();
    return result;
  }

  net::io_context context_;
  beast::tcp_stream stream_{context_};
  beast::flat_buffer buffer_;
};

}  // namespace wsnova::test
