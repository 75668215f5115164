// A loopback TCP proxy with fault hooks, for resilience tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace wsnova::test {

/// What `refuse(true)` does with new connections.
enum class refuse_mode : std::uint8_t {
  /// Accept each new connection and reset it at once (SO_LINGER 0, then close): the client
  /// sees its connect succeed, then a reset during the handshake. The default.
  reset,
  /// Close the listening socket: the client's connect is refused by the kernel. `refuse(false)`
  /// binds the same port again.
  close_listener,
};

/// A TCP proxy on 127.0.0.1 (ephemeral port) that forwards every accepted connection to
/// 127.0.0.1:`target_port`, with hooks that inject faults. Every hook defaults to "no fault";
/// a mode set by `pass`, `delay`, `throttle` or `blackhole` applies to every connection,
/// current and future, from the next chunk on (modes replace each other).
///
/// | hook              | effect                                                            |
/// | ----------------- | ----------------------------------------------------------------- |
/// | `pass()`          | forward everything at once (the default)                           |
/// | `delay(ms)`       | forward each chunk `ms` after it was read, per direction            |
/// | `throttle(bps)`   | forward at most `bps` bytes per second per direction                |
/// | `blackhole()`     | forward nothing in either direction and keep the sockets open: a network
/// partition (half-open peer: nothing arrives, nothing fails). Data already read is held, the rest
/// waits in the kernel; the next mode releases it, as TCP retransmission does once a partition
/// heals | | `drop_all()`      | reset every current connection, both sides (SO_LINGER 0, close) |
/// | `close_all()`     | close every current connection, both sides, with a FIN             |
/// | `refuse(on, mode)`| while on, new connections are reset at once or the listener is closed |
///
/// Thread safety: every member function may be called from any thread. Commands act on the
/// proxy's I/O thread; `drop_all` and `close_all` return once every current connection is
/// closed. Lifetime: the destructor closes every socket (reset) and joins the I/O thread.
class fault_proxy {
 public:
  // -- constructors ---------------------------------------------------------------------

  /// Binds 127.0.0.1:0 and starts forwarding to 127.0.0.1:`target_port` before returning.
  /// Throws `std::system_error` when it cannot bind.
  explicit fault_proxy(std::uint16_t target_port);

  /// Resets every connection and joins the I/O thread.
  ~fault_proxy();

  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;

  // -- properties -----------------------------------------------------------------------

  /// Returns the port the proxy listens on (stable across `refuse(true, close_listener)`).
  std::uint16_t port() const;

  /// Returns `ws://127.0.0.1:PORT/path`.
  std::string url(std::string_view path = "/") const;

  /// Forwards new connections to `target_port` from now on (a restarted server on a new
  /// port); current connections keep their target.
  void retarget(std::uint16_t target_port);

  // -- modes ----------------------------------------------------------------------------

  /// Forwards everything at once.
  void pass();

  /// Forwards each chunk `by` after it was read (per direction, in order).
  void delay(std::chrono::milliseconds by);

  /// Forwards at most `bytes_per_second` (> 0) per direction and connection.
  void throttle(std::size_t bytes_per_second);

  /// Stops forwarding in both directions, holding the data; sockets stay open. The next
  /// `pass`, `delay` or `throttle` releases what was held, in order (bytes are never lost:
  /// a byte stream with a hole would be a corrupted WebSocket stream, not a partition).
  void blackhole();

  // -- commands -------------------------------------------------------------------------

  /// Resets every current connection on both sides; returns when they are closed.
  void drop_all();

  /// Closes every current connection on both sides with a FIN; returns when they are closed.
  void close_all();

  /// While `on`, refuses new connections as `mode` says; `refuse(false)` accepts again.
  void refuse(bool on, refuse_mode mode = refuse_mode::reset);

  // -- observations ---------------------------------------------------------------------

  /// Returns the number of connections accepted from clients since start (refused ones
  /// included).
  std::size_t connections_accepted() const;

  /// Returns the number of connections currently forwarded (both sides open).
  std::size_t active_connections() const;

  /// Returns the number of payload bytes forwarded (both directions) since start.
  std::uint64_t bytes_forwarded() const;

  /// Returns true as soon as `active_connections() == n`, false if that does not happen
  /// before `deadline` elapses.
  bool wait_for_connections(std::size_t n, std::chrono::milliseconds deadline);

  /// Returns true as soon as `connections_accepted() >= n`, false at the deadline.
  bool wait_for_accepted(std::size_t n, std::chrono::milliseconds deadline);

  /// Opaque state (defined in fault_proxy.cpp).
  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace wsnova::test
