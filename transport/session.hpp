#pragma once

/// @file
/// One WebSocket connection over Boost.Beast (ws:// or wss://), driven on one I/O thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <wsnova/core/message.hpp>
#include <wsnova/transport/session_listener.hpp>
#include <wsnova/transport/session_options.hpp>
#include <wsnova/transport/url.hpp>

namespace wsnova {

/// How long each step of connecting took; a step not taken (no proxy, ws://) stays zero.
struct connect_timings {
  /// DNS resolution plus the TCP connect (to the proxy when there is one).
  std::chrono::microseconds tcp_connect{0};
  /// The proxy's CONNECT request and response.
  std::chrono::microseconds proxy_connect{0};
  /// The TLS handshake (wss://).
  std::chrono::microseconds tls_handshake{0};
  /// The HTTP upgrade request and response.
  std::chrono::microseconds upgrade{0};

  /// Returns the sum of the steps.
  std::chrono::microseconds total() const {
    return tcp_connect + proxy_connect + tls_handshake + upgrade;
  }
};

/// The payload of the session's own heartbeat pings: a fixed prefix and the steady-clock
/// time the ping was sent, so the pong (which echoes it) tells its own round trip.
std::string heartbeat_ping_payload(std::chrono::steady_clock::time_point sent_at);

/// Returns the round trip of a heartbeat pong received at `now`, or nothing when `payload` is
/// not one of the session's heartbeat pings (a user ping, say).
std::optional<std::chrono::steady_clock::duration> heartbeat_round_trip(
    std::string_view payload, std::chrono::steady_clock::time_point now);

/// A WebSocket client connection: resolve, TCP connect, TLS handshake (wss), HTTP upgrade,
/// then reads, a write queue (one writer at a time), heartbeat pings and the close handshake.
/// It knows nothing of reconnection or handlers: it reports every event to its
/// `session_listener`; when the listener stops listening the session closes itself.
///
/// Thread safety: all public functions may be called from any thread; they run inline when
/// called on the session's own I/O thread (the connection actor pinned there) and are posted
/// to its `io_context` otherwise. Lifetime: shared; pending operations keep the session alive, and
/// `abort()` ends them.
class session : public std::enable_shared_from_this<session> {
 public:
  virtual ~session();

  /// Creates a session for `url` on `context`. `tls` must be non-null for wss:// URLs.
  /// Events go to `listener` (non-null), tagged with `id` so it can tell sessions apart.
  static std::shared_ptr<session> make(boost::asio::io_context& context, ws_url url,
                                       session_options options,
                                       std::shared_ptr<boost::asio::ssl::context> tls,
                                       std::shared_ptr<session_listener> listener,
                                       std::uint64_t id);

  /// As above, reading `options` (non-null) without copying them: a caller that starts many
  /// sessions (a connection, at every reconnect) keeps one copy for all of them.
  static std::shared_ptr<session> make(boost::asio::io_context& context, ws_url url,
                                       std::shared_ptr<const session_options> options,
                                       std::shared_ptr<boost::asio::ssl::context> tls,
                                       std::shared_ptr<session_listener> listener,
                                       std::uint64_t id);

  /// Starts connecting. Reports `on_open`, or `on_end` when connecting fails.
  virtual void start() = 0;

  /// Queues a message; messages leave in the order queued.
  virtual void send(ws_message message) = 0;

  /// Queues a ping with the given payload (at most 125 bytes).
  virtual void ping(std::string payload) = 0;

  /// Sends the queued messages, then starts the close handshake with `code` and `reason`.
  virtual void close(std::uint16_t code, std::string reason) = 0;

  /// Drops the connection at once, without a close frame.
  virtual void abort() = 0;

  /// Stops reading from the socket after the message in progress, so a slow consumer
  /// pushes back through TCP instead of buffering. While paused, heartbeats do not declare
  /// the peer dead (its frames wait unread in the kernel).
  virtual void pause_reading() = 0;

  /// Reads again after `pause_reading`.
  virtual void resume_reading() = 0;

  /// Returns the id given at creation.
  std::uint64_t id() const { return id_; }

  /// Returns the number of messages passed to `send` and not yet written (or dropped).
  /// Thread-safe: the connection actor reads it to enforce its send limits.
  std::size_t queued_messages() const noexcept {
    return queued_messages_.load(std::memory_order_relaxed);
  }

  /// Returns the payload bytes passed to `send` and not yet written (or dropped).
  std::size_t queued_bytes() const noexcept {
    return queued_bytes_.load(std::memory_order_relaxed);
  }

  /// Returns how long the steps of connecting took. Valid once `on_open` was reported
  /// (written on the I/O thread before that call, read after it).
  const connect_timings& timings() const noexcept { return timings_; }

  /// Returns true when the TLS handshake resumed an earlier session of the same TLS context
  /// and host (no certificate exchange: one round trip and no signature less). Valid once
  /// `on_open` was reported; false for ws://.
  bool tls_resumed() const noexcept { return tls_resumed_; }

 protected:
  /// For the implementation (`session::make`): `id` is what `id()` returns.
  explicit session(std::uint64_t id) : id_(id) {}

  /// Counts a message of `bytes` payload bytes into the queue (on `send`).
  void count_queued(std::size_t bytes) noexcept {
    queued_messages_.fetch_add(1, std::memory_order_relaxed);
    queued_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }

  /// Counts a message of `bytes` payload bytes out of the queue (written or dropped).
  void count_done(std::size_t bytes) noexcept {
    queued_messages_.fetch_sub(1, std::memory_order_relaxed);
    queued_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  }

  /// Filled by the implementation while connecting.
  connect_timings timings_;
  /// Set by the implementation after the TLS handshake.
  bool tls_resumed_ = false;

 private:
  std::uint64_t id_;
  std::atomic<std::size_t> queued_messages_{0};
  std::atomic<std::size_t> queued_bytes_{0};
};

}  // namespace wsnova
