#pragma once

/// @file
/// WebSocket message and close-code types shared by the transport, the actors and handlers.

#include <cstdint>
#include <string>

namespace wsnova {

/// The kind of a WebSocket data message (RFC 6455 section 5.6).
enum class message_kind : std::uint8_t {
  /// UTF-8 text.
  text,
  /// Arbitrary bytes.
  binary,
};

/// Returns "text" or "binary".
const char* to_string(message_kind kind);

/// A complete WebSocket data message. Binary payloads are carried in a `std::string` too:
/// it owns its bytes, moves cheaply and needs no conversion at the Beast boundary.
struct ws_message {
  /// Text or binary.
  message_kind kind = message_kind::text;
  /// The payload bytes.
  std::string payload;
};

/// Makes `ws_message` a CAF message type without this header including CAF (the transport
/// uses it); its name is announced when the type is registered.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ws_message& x) {
  return f(x.kind, x.payload);
}

/// Close status codes of RFC 6455 section 7.4.1 that wsnova sends or interprets.
namespace close_code {
/// Normal closure.
inline constexpr std::uint16_t normal = 1000;
/// Going away: the owner is gone or the client shuts down.
inline constexpr std::uint16_t going_away = 1001;
/// Protocol error.
inline constexpr std::uint16_t protocol_error = 1002;
/// No status received (never sent on the wire; reported when a close frame had no code).
inline constexpr std::uint16_t no_status = 1005;
/// Abnormal closure: the connection dropped without a close frame (never sent on the wire).
inline constexpr std::uint16_t abnormal = 1006;
/// Message too big.
inline constexpr std::uint16_t too_big = 1009;
/// Internal error, also used when the peer stops answering pings.
inline constexpr std::uint16_t internal_error = 1011;

/// Returns true if `code` may be sent in a close frame (RFC 6455 section 7.4).
constexpr bool is_sendable(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}
}  // namespace close_code

}  // namespace wsnova
