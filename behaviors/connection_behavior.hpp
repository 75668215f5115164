#pragma once

/// @file
/// The Connection behaviour: handshake, connect, disconnect, control frames.

#include <cstdint>
#include <string>

#include <chrono>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/behaviors/behavior.hpp>
#include <wsnova/behaviors/directive.hpp>
#include <wsnova/behaviors/handler_context.hpp>
#include <wsnova/core/atoms.hpp>
#include <wsnova/transport/session.hpp>

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

/// The handshake a connection is about to make: what `on_handshake` may change before every
/// (re)connect.
struct handshake {
  /// Extra HTTP headers on the upgrade request, in order.
  std::vector<std::pair<std::string, std::string>> headers;
  /// Subprotocols offered, in order of preference.
  std::vector<std::string> subprotocols;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handshake& x) {
  return f(caf::meta::type_name("wsnova.handshake"), x.headers, x.subprotocols);
}

/// The Connection behaviour (WebsockexNova's ConnectionHandler). Callbacks and their defaults:
///
/// - `(on_handshk_atom, handshake)` → `handshake`; default: unchanged; before every (re)connect,
/// the connection waits for it
/// - `(on_connect_atom, connect_info)` → `directive`; default: `ok`; `reply` sends frames at once
/// (before auth and subscriptions are restored)
/// - `(on_disconn_atom, disconnect_info)` → `directive`; default: `ok`: reconnect after the
/// policy's next delay when `should_reconnect(info)`, else end with the cause
/// - `(on_control_atom, control_kind, std::string)` → `directive`; default: `ok` (Beast already
/// answered pings)
///
/// `reconnect` from `on_disconnect` counts as an attempt of the reconnect policy: a delay of
/// zero takes the policy's next delay, and when the policy gives up (`max_attempts`) the
/// connection ends with `reconnect_exhausted`. Default timeout for the actor form: 5 s.
struct connection_behavior
    : behavior_decl<callback<on_handshk_atom, handshake(handshake)>,
                    callback<on_connect_atom, directive(connect_info)>,
                    callback<on_disconn_atom, directive(disconnect_info)>,
                    callback<on_control_atom, directive(control_kind, std::string)>> {
  /// How long the actor form may take to answer.
  static constexpr caf::timespan default_timeout = std::chrono::seconds{5};
};

}  // namespace wsnova
