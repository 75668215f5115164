#pragma once

/// @file
/// The observer's HTTP/1.1 server: GET routes answered asynchronously, on an `io_context`
/// and a thread of its own. CAF-free.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <wsnova/core/failure.hpp>

namespace wsnova::detail {

/// One answer.
struct http_reply {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// Answers one request, from any thread, once; later calls do nothing. A request whose
/// responder is dropped unanswered gets 503.
class http_responder {
 public:
  struct state;
  explicit http_responder(std::shared_ptr<state> st) : state_(std::move(st)) {}
  void operator()(http_reply reply) const;

 private:
  std::shared_ptr<state> state_;
};

/// Handles `GET <path>`: runs on the server's thread and must not block; answers through
/// the responder, now or later.
using http_route = std::function<void(http_responder)>;

/// Where to listen, limits, and the routes.
struct http_server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t max_header_bytes = 8192;
  std::chrono::milliseconds request_timeout{10000};
  std::size_t max_connections = 16;
  /// Exact paths (a query string is ignored); anything else is 404, any method but GET 405.
  std::map<std::string, http_route> routes;
};

/// Listens at once and serves on its own thread until `stop()` or destruction.
class http_server {
 public:
  /// Errors: `invalid_argument` (address not an IP address, zero limits), `bind_failed`.
  static result<http_server> start(http_server_options options);

  http_server(http_server&& other) noexcept = default;
  http_server& operator=(http_server&&) = delete;
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;
  ~http_server();

  std::uint16_t port() const noexcept { return port_; }

  /// Closes the listener and every connection, then joins the thread. Idempotent. Answers
  /// that arrive later are dropped.
  void stop();

  struct state;

 private:
  http_server(std::shared_ptr<state> st, std::uint16_t port);

  std::shared_ptr<state> state_;  // shared with sessions and pending responders
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace wsnova::detail
