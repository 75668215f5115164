#pragma once

/// @file
/// The Auth behaviour: how a platform authenticates, on every connect and before a token
/// expires.

#include <chrono>
#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <wsnova/behaviors/behavior.hpp>
#include <wsnova/behaviors/rpc_call.hpp>
#include <wsnova/core/atoms.hpp>

namespace wsnova {

/// Why the connection authenticates.
enum class auth_reason : std::uint8_t {
  /// The first connect.
  connect,
  /// A reconnect (the restore sequence).
  reconnect,
  /// The token is about to expire.
  refresh,
  /// The user asked (`authenticate`).
  user,
};

/// Returns the name of a reason, e.g. "refresh".
const char* to_string(auth_reason reason);

/// What the Auth behaviour is asked to build a request for.
struct auth_attempt {
  /// Why.
  auth_reason reason = auth_reason::connect;
  /// The refresh token of the last successful authentication, empty if none.
  std::string refresh_token;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, auth_attempt& x) {
  return f(caf::meta::type_name("wsnova.auth_attempt"), x.reason, x.refresh_token);
}

/// What an accepted authentication yields.
struct auth_outcome {
  /// How long the token lives; zero = it does not expire (no refresh is scheduled).
  caf::timespan expires_in{0};
  /// The token to refresh with, empty if none.
  std::string refresh_token;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, auth_outcome& x) {
  return f(caf::meta::type_name("wsnova.auth_outcome"), x.expires_in, x.refresh_token);
}

/// The Auth behaviour: the credentials provider. The connection never holds credentials: it
/// asks this behaviour for the request to send each time, sends it as a JSON-RPC request,
/// and never logs its parameters (they are redacted in every log event).
///
/// - `(auth_req_atom, auth_attempt)` → `rpc_call`; default: an empty call: no authentication
/// - `(auth_res_atom, std::string result_json)` → `auth_outcome`; default: reads `expires_in`
/// (seconds) and `refresh_token` from the result object when present
///
/// The connection authenticates after every (re)connect, before subscriptions are restored
/// and before buffered sends leave; it authenticates again at `connection_config::
/// auth_refresh_at` of the token's lifetime. A JSON-RPC error answer, a timeout
/// (`connection_config::auth_timeout`) or an error answer of `auth_res` fails the attempt:
/// the error (`errc::auth_failed`) goes to the Error behaviour. Default timeout for the actor
/// form: 5 s.
struct auth_behavior : behavior_decl<callback<auth_req_atom, rpc_call(auth_attempt)>,
                                     callback<auth_res_atom, auth_outcome(std::string)>> {
  /// How long the actor form may take to answer.
  static constexpr caf::timespan default_timeout = std::chrono::seconds{5};
};

/// Reads `expires_in` (seconds) and `refresh_token` from a JSON-RPC result object, the shape
/// OAuth 2.0 token responses share; the Auth behaviour's default `auth_res`. Errors:
/// `auth_failed` when the result is not a JSON object.
caf::expected<auth_outcome> read_token_result(const std::string& result_json);

}  // namespace wsnova
