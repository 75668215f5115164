#pragma once

/// @file
/// The Error behaviour: classifies errors and decides the recovery.

#include <chrono>
#include <string>

#include <caf/error.hpp>

#include <wsnova/behaviors/behavior.hpp>
#include <wsnova/behaviors/directive.hpp>
#include <wsnova/core/atoms.hpp>

namespace wsnova {

/// The Error behaviour (WebsockexNova's ErrorHandler). Every error the connection meets
/// passes through it first, with where it happened:
///
/// - `"transport"`: the connection dropped or a connect failed
/// - `"auth"`: authentication was refused, failed or timed out
/// - `"subscribe"`: a subscription was refused or expired (also while restoring it)
/// - `"rate_limit"`: a request was refused by the rate limit
/// - `"behavior:NAME.CALLBACK"`: a behaviour failed to answer (timeout, actor gone, error answer)
///
/// One callback, `(on_error_atom, caf::error, std::string where) -> directive`. Default `ok`:
/// for `"transport"` the Connection behaviour's `on_disconnect` decides; for a failed
/// behaviour the connection goes on with that callback's default; for a restore step the
/// restore goes on with the next step. `ignore` does the same without telling the owner (the
/// owner gets an `error_event` otherwise). `close`, `stop` and `reconnect` act on the
/// connection at once. If the Error behaviour itself fails, its default applies. Default
/// timeout for the actor form: 5 s.
struct error_behavior : behavior_decl<callback<on_error_atom, directive(caf::error, std::string)>> {
  /// How long the actor form may take to answer.
  static constexpr caf::timespan default_timeout = std::chrono::seconds{5};
};

}  // namespace wsnova
