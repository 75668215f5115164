#pragma once

/// @file
/// The client-facing interface of a connection actor.

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/timestamp.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/actors/connection_owner.hpp>
#include <wsnova/core/atoms.hpp>
#include <wsnova/core/message.hpp>

namespace wsnova {

/// States of a connection (the state machine in docs/architecture.md).
enum class connection_state : std::uint8_t {
  /// Spawned, not yet connecting.
  idle,
  /// Resolving, TCP connect, TLS and upgrade in progress.
  connecting,
  /// Open: messages flow.
  connected,
  /// The transport went down; a decision (reconnect or stop) is pending.
  disconnected,
  /// Waiting to connect again.
  reconnecting,
  /// Close handshake in progress.
  closing,
  /// Closed for good.
  closed,
};

/// Returns the name of a state, e.g. "connected".
const char* to_string(connection_state state);

/// A snapshot of a connection, the answer to `status`.
struct connection_status {
  /// The connection's stable id.
  std::string id;
  /// The URL, without user info or token-like query parameters (`redact_url`).
  std::string url;
  /// The state.
  connection_state state = connection_state::idle;
  /// The subprotocol the server chose, empty if none.
  std::string subprotocol;
  /// Messages queued for sending since the start.
  std::uint64_t messages_sent = 0;
  /// Messages received since the start.
  std::uint64_t messages_received = 0;
  /// Successful connects since the start.
  std::uint32_t connects = 0;
  /// Messages accepted by `send` but not yet written to the socket.
  std::uint64_t queued_messages = 0;
  /// Bytes accepted by `send` but not yet written to the socket.
  std::uint64_t queued_bytes = 0;
  /// Messages buffered while disconnected (buffer policy).
  std::uint64_t buffered_messages = 0;
  /// Requests waiting for the rate limit (each is answered when it leaves).
  std::uint64_t rate_queued = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connection_status& x) {
  return f(caf::meta::type_name("wsnova.connection_status"), x.id, x.url, x.state, x.subprotocol,
           x.messages_sent, x.messages_received, x.connects, x.queued_messages, x.queued_bytes,
           x.buffered_messages, x.rate_queued);
}

/// A WebSocket connection actor. Every request may also be sent without awaiting the reply.
///
/// - `(connect_atom) -> ok_atom`: answers once the connection is up (at once if it is);
///   errors: the connect failure (`dns`, `connect_refused`, `tls_verify_failed`,
///   `upgrade_rejected`, `timeout`, ...) or `closed`.
/// - `(send_atom, ws_message) -> ok_atom`: queues the message; errors: `not_connected`
///   (reject policy while down), `closed`, `queue_full` (above a high watermark of
///   `send_limits`, or the offline buffer is full: try again later), `message_too_big`
///   (larger than the whole send queue bound: it never fits), or the message handler's
///   encoding error.
/// - `(ping_atom) -> caf::timespan`: pings and answers the round-trip time when the pong
///   arrives; errors: `not_connected`, or the disconnect's cause.
/// - `(status_atom) -> connection_status`.
/// - `(close_atom, code, reason) -> ok_atom`: sends what is queued, closes with `code`
///   (1000, 1001, 1002... or 3000-4999) and answers when the close handshake is done; the
///   actor then exits. Errors: `invalid_argument` for a code that may not be sent.
/// - `(transfer_atom, connection_owner new_owner) -> ok_atom`: re-points the owner monitor
///   (demonitor the old owner, monitor the new one) and tells both with an `ownership_event`.
///   Every event after the switch goes to the new owner, in order, none lost or duplicated.
///   Only the current owner or the connection's `transfer_authority` may ask. Errors:
///   `not_allowed` (another sender), `actor_gone` (the new owner is dead; ownership is
///   unchanged), `invalid_argument` (no new owner).
/// - `(flow_atom, uint32_t n)`: with `connection_config::flow` set, allows `n` more
///   `message_event`s (Gun's `update_flow`). Without credit the connection stops reading
///   the socket, so a slow owner pushes back on the server through TCP.
/// - `(send_json_atom, std::string json) -> ok_atom`: checks that `json` is JSON and sends it
///   as a text message (as `send`); errors: `invalid_argument`, or those of `send`.
/// - `(request_atom, method, params_json, caf::timespan timeout) -> std::string`: a JSON-RPC 2.0
///   request (params: an object, an array, or empty for none), answered with the `result` as
///   JSON text. Errors: `rpc_error` ("CODE: MESSAGE" of the error object), `timeout`,
///   `connection_lost` (in flight at a disconnect: never sent again by wsnova), `not_connected`,
///   `rate_limited`, `invalid_argument`.
/// - `(subscribe_atom, channel, params_json) -> uint64_t`: subscribes (Subscription
///   behaviour), answered with the subscription's id once confirmed. The subscription is
///   restored after every reconnect. Errors: `subscription_failed` (refused, or not
///   confirmed within `connection_config::subscribe_timeout`), `not_allowed` (the channel
///   has an active subscription), `rate_limited`.
/// - `(unsubscribe_atom, uint64_t id) -> ok_atom`: ends a subscription (sends the unsubscribe
///   request when connected). Errors: `unknown_id`, `not_allowed` (already ended).
/// - `(authenticate_atom) -> ok_atom`: authenticates now (Auth behaviour), answered when the
///   server accepted. Errors: `auth_failed`, `not_connected`.
/// - `(reconnect_atom) -> ok_atom`: drops the transport and connects again at once (the
///   restore sequence follows); not counted against the reconnect policy. Errors: `closed`.
using connection = caf::typed_actor<
    caf::replies_to<connect_atom>::with<caf::ok_atom>,
    caf::replies_to<send_atom, ws_message>::with<caf::ok_atom>,
    caf::replies_to<ping_atom>::with<caf::timespan>,
    caf::replies_to<status_atom>::with<connection_status>,
    caf::replies_to<close_atom, std::uint16_t, std::string>::with<caf::ok_atom>,
    caf::replies_to<transfer_atom, connection_owner>::with<caf::ok_atom>,
    caf::reacts_to<flow_atom, std::uint32_t>,
    caf::replies_to<send_json_atom, std::string>::with<caf::ok_atom>,
    caf::replies_to<request_atom, std::string, std::string, caf::timespan>::with<std::string>,
    caf::replies_to<subscribe_atom, std::string, std::string>::with<std::uint64_t>,
    caf::replies_to<unsubscribe_atom, std::uint64_t>::with<caf::ok_atom>,
    caf::replies_to<authenticate_atom>::with<caf::ok_atom>,
    caf::replies_to<reconnect_atom>::with<caf::ok_atom>>;

}  // namespace wsnova
