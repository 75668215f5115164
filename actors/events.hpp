#pragma once

/// @file
/// Events a connection sends to its owner, in the order they happen.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <wsnova/core/message.hpp>

namespace wsnova {

/// The connection is up and ready (Gun's `gun_upgrade`): the upgrade succeeded and the restore
/// sequence ran (on_connect, authentication, subscriptions), just before buffered sends leave.
struct connected_event {
  /// The connection's stable id.
  std::string id;
  /// The URL connected to, without user info or token-like query parameters (`redact_url`).
  std::string url;
  /// The subprotocol the server chose, empty if none.
  std::string subprotocol;
  /// True if permessage-deflate is in use.
  bool compressed = false;
};

/// A message arrived (and the message handler let it through).
struct message_event {
  /// The connection's stable id.
  std::string id;
  /// The message.
  ws_message message;
};

/// The transport went down; a `closed_event` follows when the connection will not come back.
struct disconnected_event {
  /// The connection's stable id.
  std::string id;
  /// Why; empty when our own close completed cleanly.
  caf::error cause;
  /// Close code received (or 1006 when the connection dropped without one).
  std::uint16_t code = close_code::abnormal;
  /// Close reason received.
  std::string reason;
};

/// The connection is closed for good; the connection actor exits after sending this.
struct closed_event {
  /// The connection's stable id.
  std::string id;
  /// The close code (from the peer, or the one we sent).
  std::uint16_t code = close_code::normal;
  /// The close reason.
  std::string reason;
  /// Why, when it was not a clean close: peer close, error, owner gone.
  caf::error cause;
};

/// A reconnect is scheduled: attempt `attempt` starts after `delay`.
struct reconnecting_event {
  /// The connection's stable id.
  std::string id;
  /// 1 for the first attempt after a disconnect, counting up until one succeeds.
  std::uint32_t attempt = 1;
  /// Delay before the attempt.
  caf::timespan delay{0};
};

/// The connection is up again after a reconnect; the restore sequence (on_connect,
/// authentication, subscriptions) has run, and buffered sends leave right after. Sent instead of
/// `connected_event` for every connect after the first.
struct reconnected_event {
  /// The connection's stable id.
  std::string id;
  /// Attempts it took.
  std::uint32_t attempts = 1;
  /// The subprotocol the server chose, empty if none.
  std::string subprotocol;
};

/// Ownership moved: sent to the old owner (as its last event) and to the new owner (as its
/// first), so both know where the events go from now on.
struct ownership_event {
  /// The connection's stable id.
  std::string id;
  /// The owner before the transfer.
  caf::actor_addr previous_owner;
  /// The owner from now on.
  caf::actor_addr new_owner;
};

/// Messages accepted by `send` that the connection could not deliver and did not keep,
/// oldest first: frames never written to the socket before the connection dropped (under
/// the reject policy all of them; under the buffer policy those that did not fit the
/// offline buffer, the rest go out after the reconnect), and what was still buffered when
/// the connection closed for good. Nothing accepted is dropped silently. Frames already
/// written to the socket are not in it: they are at-most-once.
struct unsent_event {
  /// The connection's stable id.
  std::string id;
  /// The messages, as they were queued (after the message handler's encoding).
  std::vector<ws_message> messages;
};

/// An error the error handler did not ignore.
struct error_event {
  /// The connection's stable id.
  std::string id;
  /// The error.
  caf::error error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connected_event& x) {
  return f(caf::meta::type_name("wsnova.connected_event"), x.id, x.url, x.subprotocol,
           x.compressed);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, message_event& x) {
  return f(caf::meta::type_name("wsnova.message_event"), x.id, x.message);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, disconnected_event& x) {
  return f(caf::meta::type_name("wsnova.disconnected_event"), x.id, x.cause, x.code, x.reason);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, closed_event& x) {
  return f(caf::meta::type_name("wsnova.closed_event"), x.id, x.code, x.reason, x.cause);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reconnecting_event& x) {
  return f(caf::meta::type_name("wsnova.reconnecting_event"), x.id, x.attempt, x.delay);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reconnected_event& x) {
  return f(caf::meta::type_name("wsnova.reconnected_event"), x.id, x.attempts, x.subprotocol);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ownership_event& x) {
  return f(caf::meta::type_name("wsnova.ownership_event"), x.id, x.previous_owner, x.new_owner);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, unsent_event& x) {
  return f(caf::meta::type_name("wsnova.unsent_event"), x.id, x.messages);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, error_event& x) {
  return f(caf::meta::type_name("wsnova.error_event"), x.id, x.error);
}

}  // namespace wsnova
