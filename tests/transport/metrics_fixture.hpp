// What the metrics_server tests share: an I/O thread for the server, a Beast HTTP client
// whose every operation has a deadline, and a parser of the exposition text written here
// from the format's description (the interop test checks against the reference parser).
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
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

/// An `io_context` run by one thread until destruction (the server's I/O thread).
class io_thread {
 public:
  io_thread() : thread_([this] { context_.run(); }) {}
  ~io_thread() {
    guard_.reset();
    context_.stop();
  }
  io_thread(const io_thread&) = delete;
  io_thread& operator=(const io_thread&) = delete;

  net::io_context& context() { return context_; }

 private:
  net::io_context context_;
  net::executor_work_guard<net::io_context::executor_type> guard_{context_.get_executor()};
  std::jthread thread_;  // last: joins before the context goes
};

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
    if (ec) throw std::runtime_error("connect to the metrics server: " + ec.message());
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

/// One sample line of the exposition.
struct sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

/// The exposition text parsed: `# TYPE` by family, samples in order. Throws
/// `std::runtime_error` on anything the format 0.0.4 does not allow (as far as wsnova uses
/// it), including a sample whose family had no HELP and TYPE before it.
struct exposition {
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> helps;
  std::vector<sample> samples;

  static exposition parse(std::string_view text) {
    exposition out;
    while (!text.empty()) {
      auto end = text.find('\n');
      if (end == std::string_view::npos) throw std::runtime_error("last line without \\n");
      out.line(text.substr(0, end));
      text.remove_prefix(end + 1);
    }
    return out;
  }

  /// Returns the value of the sample `name` with exactly `labels`; NaN (equal to nothing)
  /// when there is none.
  double value(std::string_view name, const std::map<std::string, std::string>& labels) const {
    for (const auto& s : samples)
      if (s.name == name && s.labels == labels) return s.value;
    return std::nan("");
  }

 private:
  static std::string family_of(const std::string& name,
                               const std::map<std::string, std::string>& types) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (name.size() > suffix.size() && name.ends_with(suffix)) {
        auto base = name.substr(0, name.size() - suffix.size());
        auto it = types.find(base);
        if (it != types.end() && it->second == "histogram") return base;
      }
    }
    return name;
  }

  void line(std::string_view l) {
    if (l.starts_with("# HELP ") || l.starts_with("# TYPE ")) {
      auto rest = l.substr(7);
      auto space = rest.find(' ');
      if (space == std::string_view::npos)
        throw std::runtime_error("bad comment: " + std::string{l});
      std::string name{rest.substr(0, space)};
      (l[2] == 'H' ? helps : types)[name] = std::string{rest.substr(space + 1)};
      return;
    }
    sample s;
    std::size_t i = 0;
    while (i < l.size() && l[i] != '{' && l[i] != ' ') ++i;
    s.name = l.substr(0, i);
    if (i < l.size() && l[i] == '{') {
      ++i;
      while (l.at(i) != '}') {
        auto eq = l.find("=\"", i);
        if (eq == std::string_view::npos) throw std::runtime_error("bad label: " + std::string{l});
        std::string key{l.substr(i, eq - i)};
        std::string value;
        for (i = eq + 2; l.at(i) != '"'; ++i) {
          if (l[i] != '\\') {
            value += l[i];
            continue;
          }
          char c = l.at(++i);
          if (c == 'n')
            value += '\n';
          else if (c == '\\' || c == '"')
            value += c;
          else
            throw std::runtime_error("bad escape in: " + std::string{l});
        }
        ++i;  // the closing quote
        if (l.at(i) == ',') ++i;
        s.labels.emplace(std::move(key), std::move(value));
      }
      ++i;  // '}'
    }
    if (l.at(i) != ' ') throw std::runtime_error("no value: " + std::string{l});
    std::string value{l.substr(i + 1)};
    s.value = value == "+Inf" ? HUGE_VAL : std::stod(value);
    auto family = family_of(s.name, types);
    if (!types.count(family) || !helps.count(family))
      throw std::runtime_error("sample before its HELP and TYPE: " + std::string{l});
    samples.push_back(std::move(s));
  }
};

}  // namespace wsnova::test
