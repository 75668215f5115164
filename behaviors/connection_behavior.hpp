#pragma once

/// @file
/// ConnectionHandler: connect, disconnect, control frames, handshake headers.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/behaviors/directive.hpp>
#include <wsnova/behaviors/handler_context.hpp>
#include <wsnova/core/atoms.hpp>
#include <wsnova/transport/session.hpp>
#include <wsnova/transport/session_options.hpp>

namespace wsnova {

/// What the connection knows when the upgrade succeeded.
struct connect_info {
  /// The URL connected to.
  std::string url;
  /// The subprotocol the server chose, empty if none.
  std::string subprotocol;
  /// True if permessage-deflate was negotiated.
  bool compressed = false;
  /// 1 for the first connection, then counting every successful reconnect.
  std::uint32_t connection_count = 1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connect_info& x) {
  return f(caf::meta::type_name("wsnova.connect_info"), x.url, x.subprotocol, x.compressed,
           x.connection_count);
}

/// Why the transport went down.
struct disconnect_info {
  /// The cause; empty when our own close completed cleanly.
  caf::error cause;
  /// The close code received or sent (1006 when the connection dropped without one).
  std::uint16_t code = close_code::abnormal;
  /// The close reason.
  std::string reason;
  /// True if the user asked for the close (such a close never reconnects).
  bool user_requested = false;
  /// Successful connects so far; 0 when the first connect failed.
  std::uint32_t connects = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, disconnect_info& x) {
  return f(caf::meta::type_name("wsnova.disconnect_info"), x.cause, x.code, x.reason,
           x.user_requested, x.connects);
}

/// Returns true if a connection that went down this way should come back by default:
/// peer close 1001, 1006, 1011, 1012, 1013 or 1014; TCP reset or end of stream; timeouts
/// (including a dead peer); DNS failure; refused connect; HTTP 5xx on upgrade. False for a
/// user close, a clean close by the peer (1000 and others), HTTP 4xx on upgrade, TLS
/// failures, protocol violations and oversized messages: retrying would fail the same way.
bool should_reconnect(const disconnect_info& info);

/// In-process ConnectionHandler: a plain class run inside the connection actor (no mailbox
/// hop). Override what you need; every default is documented.
class connection_handler {
 public:
  virtual ~connection_handler();

  /// Called before every (re)connect; may change headers or subprotocols. Default: nothing.
  virtual void on_handshake(handler_context& context, session_options& options);

  /// Called when the upgrade succeeded. Default: `ok`. A `reply` sends frames right away
  /// (a subscription or login message, say).
  virtual directive on_connect(handler_context& context, const connect_info& info);

  /// Called when the transport went down (or a connect attempt failed). Default: when
  /// `should_reconnect(info)`, `reconnect` after the policy's next delay
  /// (`context.next_backoff()`); `stop` with the cause otherwise, when the policy gives up,
  /// or when the first connect failed and `retry_initial_connect` is off.
  virtual directive on_disconnect(handler_context& context, const disconnect_info& info);

  /// Called for each ping or pong from the peer (Beast already answered pings).
  /// Default: `ok`.
  virtual directive on_control_frame(handler_context& context, control_kind kind,
                                     std::string_view payload);
};

/// ConnectionHandler as a separate actor (isolated, possibly remote). Each request answers
/// with the directive the connection then obeys.
using connection_handler_actor =
    caf::typed_actor<caf::replies_to<on_connect_atom, connect_info>::with<directive>,
                     caf::replies_to<on_disconn_atom, disconnect_info>::with<directive>,
                     caf::replies_to<on_control_atom, control_kind, std::string>::with<directive>>;

/// Returns an in-process handler that forwards every callback to `handler` and applies its
/// answers when they arrive (`deferred`). `on_handshake` is not forwarded.
std::shared_ptr<connection_handler> make_connection_handler(connection_handler_actor handler);

}  // namespace wsnova
