#pragma once

/// @file
/// The HTTP/1.1 server behind `metrics_server` and the observer: GET routes answered
/// asynchronously, keep-alive, limits, on the caller's `io_context` or on one of its own with
/// a thread. CAF-free.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

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

/// Handles `GET <path>`: runs on the server's context and must neither block nor throw;
/// answers through the responder, now or later.
using http_route = std::function<void(http_responder)>;

/// Where to listen, limits, what every response carries, and the routes.
struct http_server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t max_header_bytes = 8192;
  std::chrono::milliseconds request_timeout{10000};
  std::size_t max_connections = 16;
  /// The `Server` field of every response.
  std::string server_name = "wsnova";
  /// The `Cache-Control` field of every response; empty: none.
  std::string cache_control;
  /// Exact paths (a query string is ignored); anything else is 404, any method but GET 405.
  std::map<std::string, http_route> routes;
};

/// Listens at once and serves until `stop()` or destruction.
class http_server {
 public:
  /// Serves on `context`, which the caller runs (by one thread or several: each connection
  /// has its own strand); starts no thread. Destroy the server, and drop every responder,
  /// before the context.
  /// Errors: `invalid_argument` (address not an IP address, zero limits, no routes, a path
  /// not starting with '/'), `bind_failed` (with the address and the system's reason).
  static result<http_server> start(boost::asio::io_context& context, http_server_options options);

  /// Serves on an `io_context` and a thread of its own, which `stop()` joins. The context
  /// lives as long as a responder does, so a late answer is safe (and dropped). Errors as
  /// above.
  static result<http_server> start(http_server_options options);

  /// Takes over `other`'s listener; `other` is left stopped.
  http_server(http_server&& other) noexcept = default;
  /// Stops this server, then takes over `other`'s listener.
  http_server& operator=(http_server&& other) noexcept;
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;
  ~http_server();

  std::uint16_t port() const noexcept { return port_; }

  /// Closes the listener and every connection without waiting for them, then joins the
  /// server's own thread if it has one (so not from that thread). Idempotent. Answers that
  /// arrive later are dropped.
  void stop();

  struct state;

 private:
  http_server(std::shared_ptr<state> st, std::uint16_t port);

  std::shared_ptr<state> state_;  // shared with sessions and pending responders
  std::uint16_t port_ = 0;
  std::thread thread_;  // only with a context of its own
};

}  // namespace wsnova::detail
