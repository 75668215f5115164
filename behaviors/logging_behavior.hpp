#pragma once

/// @file
/// The Logging behaviour: structured events of a connection, with secrets redacted.

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <wsnova/behaviors/behavior.hpp>
#include <wsnova/core/atoms.hpp>

namespace wsnova {

/// Severity of a log event, lowest first.
enum class log_level : std::uint8_t { debug, info, warning, error, off };

/// Returns the name of a level, e.g. "warning".
const char* to_string(log_level level);

/// One structured event. Built by the connection with secrets already redacted: the URL has
/// no user info and no token-like query parameters, `Authorization`, `Proxy-Authorization`
/// and `Cookie` headers never appear, and the parameters of authentication requests are
/// never included.
struct log_event {
  /// Severity.
  log_level level = log_level::info;
  /// What happened, a stable word: "connected", "disconnected", "reconnecting", "auth",
  /// "subscribe", "restored", "rate_limited", "rate_queued", "behavior_failed", "stopping",
  /// "closed", ...
  std::string event;
  /// The stable connection id.
  std::string connection_id;
  /// The connection's state when it happened, e.g. "connected".
  std::string state;
  /// The URL without credentials.
  std::string url;
  /// A close code or a wsnova error code, 0 if none.
  std::uint16_t code = 0;
  /// A duration that belongs to the event (connect time, downtime, restore time), 0 if none.
  caf::timespan duration{0};
  /// Free text (an error's description), redacted.
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_event& x) {
  return f(caf::meta::type_name("wsnova.log_event"), x.level, x.event, x.connection_id, x.state,
           x.url, x.code, x.duration, x.detail);
}

/// Writes `event` as one line of `key=value` pairs, e.g.
/// `wsnova warning disconnected conn=feed-1 state=disconnected url=wss://h/ws code=1006`.
void write_log_line(std::ostream& out, const log_event& event);

/// The Logging behaviour: one one-way callback, `(log_atom, log_event)`, for every event at or
/// above `connection_config::log_level` (default `warning`). Default: one line on stderr
/// (`write_log_line`). Events below the level are not even built.
struct logging_behavior : behavior_decl<callback<log_atom, void(log_event)>> {
  /// Unused: one-way callbacks are not awaited.
  static constexpr caf::timespan default_timeout = std::chrono::seconds{0};
};

}  // namespace wsnova
