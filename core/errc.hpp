#pragma once

/// @file
/// wsnova's error codes as a plain enum, usable without CAF (the transport reports them);
/// `core/error.hpp` carries them in `caf::error`.

#include <cstdint>
#include <string>

namespace wsnova {

/// Error codes of wsnova. Carried in `caf::error` under the category atom `"wsnova"`; the
/// error's context holds a human-readable detail (for example the HTTP status of a rejected
/// upgrade, or the close code and reason sent by the peer).
enum class errc : std::uint8_t {
  /// Not an error.
  none = 0,
  /// The URL could not be parsed, or is not a ws:// or wss:// URL.
  bad_url,
  /// The host name could not be resolved.
  dns,
  /// The TCP connection was refused or could not be established.
  connect_refused,
  /// The TLS peer certificate failed verification (untrusted, expired, wrong host name).
  tls_verify_failed,
  /// The TLS handshake failed for another reason.
  tls_handshake,
  /// The server answered the HTTP upgrade with a non-101 status (the status is in the context).
  upgrade_rejected,
  /// The peer violated RFC 6455 (bad frame, bad UTF-8, bad close code, ...).
  protocol_violation,
  /// A message exceeded the configured maximum size (close code 1009).
  message_too_big,
  /// The send queue is full.
  queue_full,
  /// A rate limit rejected the request.
  rate_limited,
  /// An operation did not complete before its deadline.
  timeout,
  /// The peer closed the connection (code and reason are in the context).
  closed_by_peer,
  /// The owner actor terminated.
  owner_gone,
  /// The operation needs an open connection and there is none.
  not_connected,
  /// The connection was closed by the user and will not come back.
  closed,
  /// The connection dropped: reset, end of stream, or another I/O failure.
  connection_lost,
  /// The actor handling the request terminated before answering.
  actor_gone,
  /// An invalid argument (bad option value, bad close code, ...).
  invalid_argument,
  /// The operation is not allowed in the current state or by this caller.
  not_allowed,
  /// Registry: no live actor is registered under this id.
  unknown_id,
  /// Authentication was refused, failed or timed out.
  auth_failed,
  /// The peer answered a JSON-RPC request with an error object (code and message in the
  /// detail: "CODE: MESSAGE").
  rpc_error,
  /// A subscription was refused or not confirmed in time.
  subscription_failed,
  /// A listening socket could not be opened: address in use, not permitted, not local.
  bind_failed,
  /// The HTTP proxy answered CONNECT with 407: credentials missing or wrong.
  proxy_auth_required,
  /// The HTTP proxy refused the CONNECT tunnel (the status is in the failure) or answered
  /// with something that is not HTTP.
  proxy_failed,
};

/// Returns the name of an error code, e.g. "upgrade_rejected".
std::string to_string(errc code);

}  // namespace wsnova
