#pragma once

/// @file
/// What a transport session reports, and to whom: the `session_listener` interface.

#include <cstdint>
#include <string>
#include <vector>

#include <wsnova/core/failure.hpp>
#include <wsnova/core/message.hpp>

namespace wsnova {

/// Control frame kinds reported to the listener.
enum class control_kind : std::uint8_t {
  /// The peer pinged us (the session answers it).
  ping,
  /// The peer answered a ping.
  pong,
};

/// How a session ended; reported once, in `session_listener::on_end`.
struct session_end {
  /// Why it ended; no failure (`!cause`) when our close handshake completed cleanly.
  failure cause;
  /// The close code: the peer's (1005 for an empty close frame), the one we sent when we
  /// failed the connection (1002, 1007, 1009, 1011), or 1006 when no close frame came.
  std::uint16_t code = 0;
  /// The close reason that goes with `code`, possibly empty.
  std::string reason;
  /// Messages passed to `session::send` that never reached the socket, oldest first: the
  /// caller may send them again (frames handed to the kernel count as written).
  std::vector<ws_message> unsent;
};

/// Receives a session's events, on the session's I/O thread, in order: `on_open` (or not,
/// when connecting fails), then messages and control frames, then exactly one `on_end`,
/// after which nothing more. A callback returning false means "nobody listens any more":
/// the session then closes itself (1001) and reports only its `on_end`.
class session_listener {
 public:
  virtual ~session_listener() = default;

  /// The upgrade succeeded with `subprotocol` (empty if none), compressed if
  /// permessage-deflate was agreed.
  virtual bool on_open(std::uint64_t id, std::string subprotocol, bool compressed) = 0;

  /// A data message arrived.
  virtual bool on_message(std::uint64_t id, ws_message message) = 0;

  /// A ping or pong arrived with `payload`.
  virtual bool on_control(std::uint64_t id, control_kind kind, std::string payload) = 0;

  /// The session ended; the last call for `id`.
  virtual void on_end(std::uint64_t id, session_end end) = 0;
};

}  // namespace wsnova
