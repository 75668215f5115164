#pragma once

/// @file
/// A small HTTP/1.1 server for Prometheus scrapes: `GET /metrics` on an `io_context` you run.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include <wsnova/core/failure.hpp>

namespace wsnova {

/// Settings of a `metrics_server`.
struct metrics_server_options {
  /// IP address to listen on (no name resolution). Default 127.0.0.1: metrics stay on the
  /// machine unless you choose otherwise (e.g. "0.0.0.0" or "::").
  std::string address = "127.0.0.1";
  /// TCP port; 0 = an ephemeral port chosen by the kernel (read it with `port()`).
  std::uint16_t port = 0;
  /// The path served. Default "/metrics"; a query string is ignored.
  std::string path = "/metrics";
  /// Largest request header accepted (request line and fields); a larger one gets
  /// 431 and the connection is closed. Default 8 KiB.
  std::size_t max_header_bytes = 8192;
  /// Time a client has to send a whole request header, and to read a response; also the
  /// longest a keep-alive connection may sit idle. Then the connection is closed, so a
  /// client sending slowly or not at all cannot hold it. Default 10 s.
  std::chrono::milliseconds request_timeout{10000};
  /// Connections served at once; more are closed at once. Default 16.
  std::size_t max_connections = 16;
};

/// A Prometheus scrape endpoint: answers `GET <path>` with the text `body()` returns,
/// `Content-Type: text/plain; version=0.0.4; charset=utf-8`; 404 for other paths, 405 for
/// other methods, 431 for an oversized header, 400 for a request it cannot parse (or one
/// with a body). Keep-alive is honoured. No TLS: put it behind a proxy to expose it.
///
/// It runs on the `io_context` the caller gives (e.g. wsnova's I/O thread) and does not
/// start threads; each connection has its own strand, so a context run by several threads
/// works too. `body` runs on that context: it should be quick and thread-safe (e.g.
/// `[registry] { return registry->render_prometheus(); }` with a `shared_ptr` to a
/// `metrics_registry`). A body that throws answers 500.
///
/// Lifetime: `stop()` (and the destructor) closes the listening socket and every
/// connection without waiting; operations still queued in the context keep what they use
/// alive, `body` included, until they have run. Destroy the server before the context.
class metrics_server {
 public:
  /// Produces the body of a scrape.
  using body_source = std::function<std::string()>;

  /// Listens on `options.address`:`options.port` and starts accepting on `context`.
  /// Errors: `invalid_argument` (address not an IP address, empty `body`, zero limits),
  /// `bind_failed` (address in use, not permitted, not an address of this machine), with
  /// the address and the system's reason in the detail.
  static result<metrics_server> start(boost::asio::io_context& context, body_source body,
                                      metrics_server_options options = {});

  /// Takes over `other`'s listener; `other` is left stopped.
  metrics_server(metrics_server&& other) noexcept = default;
  /// Stops this server, then takes over `other`'s listener.
  metrics_server& operator=(metrics_server&& other) noexcept;
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  /// Calls `stop()`.
  ~metrics_server();

  /// Returns the port listened on (the one the kernel chose when `options.port` was 0).
  std::uint16_t port() const noexcept { return port_; }

  /// Closes the listening socket and every open connection, without waiting for them.
  /// Idempotent; callable from any thread.
  void stop();

 private:
  struct state;
  metrics_server(std::shared_ptr<state> server, std::uint16_t port);

  std::shared_ptr<state> state_;  // the HTTP server (transport/detail/http_server.hpp)
  std::uint16_t port_ = 0;
};

}  // namespace wsnova
