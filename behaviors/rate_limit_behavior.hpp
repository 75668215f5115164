#pragma once

/// @file
/// The RateLimit behaviour: may a request leave now?

#include <chrono>
#include <string>

#include <wsnova/behaviors/behavior.hpp>
#include <wsnova/behaviors/rate_limit.hpp>
#include <wsnova/core/atoms.hpp>

namespace wsnova {

/// The RateLimit behaviour: one callback, `(rate_acquire_atom, std::string kind) ->
/// rate_answer`, asked before each request leaves. Kinds: `"auth"`, `"subscribe"`,
/// `"unsubscribe"`, `"request"` (JSON-RPC), `"send"` (anything else).
///
/// - `sent`: the request leaves now.
/// - `queued`: it waits, in order, until the connection receives `(rate_release_atom,
///   ticket)`; the caller's request is answered when it leaves.
/// - `rejected` (or an error answer): the request fails with `rate_limited`.
///
/// Default: the connection's own token bucket when `connection_config::rate_limit` is set,
/// no limit otherwise. The actor form is how several connections share one bucket: pass the
/// handle of `spawn_shared_rate_limit` (its interface includes this one). Default timeout for
/// the actor form: 1 s.
struct rate_limit_behavior : behavior_decl<callback<rate_acquire_atom, rate_answer(std::string)>> {
  /// How long the actor form may take to answer.
  static constexpr caf::timespan default_timeout = std::chrono::seconds{1};
};

}  // namespace wsnova
