#pragma once

// The connection's state machine: one state, one recorded stop cause, one transition
// function. Internal.

#include <cstdint>
#include <optional>

#include <wsnova/actors/connection.hpp>

namespace wsnova::detail {

/// What happened to a connection; each event moves it to the state `next_state` computes.
enum class lifecycle_event : std::uint8_t {
  /// A transport session starts: `idle` or `reconnecting` → `connecting`.
  connect,
  /// The upgrade succeeded: `connecting` → `connected`.
  open,
  /// A close handshake (or, before the upgrade, an abort) started: `connecting`,
  /// `connected` or `closing` → `closing`.
  close,
  /// The session ended: `connecting`, `connected` or `closing` → `disconnected`.
  drop,
  /// A reconnect is scheduled: `connecting`, `connected`, `disconnected` or
  /// `reconnecting` → `reconnecting`.
  retry,
  /// Closed for good: every state but `closed` → `closed`.
  finish,
};

/// Returns the name of an event, e.g. "open".
const char* to_string(lifecycle_event event);

/// Why a connection will not come back once its session ends. Replaces the flags
/// `close_requested` and `owner_gone` of earlier versions.
enum class stop_cause : std::uint8_t {
  /// Not stopping: a dropped connection may reconnect.
  none,
  /// The user or a `close` directive asked to close (a normal exit).
  close_requested,
  /// The owner terminated (a normal exit; the closed event reports `owner_gone`).
  owner_gone,
  /// An exit message (a supervisor's shutdown, a linked actor's failure): the connection
  /// closes, reports what it could not send, and exits with that message's reason.
  exit_requested,
};

/// Returns the state `event` leads to from `state`, or nothing when the event is not valid
/// in that state. The whole transition table of a connection is this one function.
std::optional<connection_state> next_state(connection_state state, lifecycle_event event);

/// A connection's state plus its stop cause; every state change goes through `advance`.
class connection_lifecycle {
 public:
  /// The current state; `idle` at first.
  connection_state state() const noexcept { return state_; }

  /// True in `state`.
  bool is(connection_state state) const noexcept { return state_ == state; }

  /// The recorded stop cause; `none` until the connection decides to stop.
  stop_cause cause() const noexcept { return cause_; }

  /// True once a stop cause is recorded: the connection never reconnects again.
  bool stopping() const noexcept { return cause_ != stop_cause::none; }

  /// Moves to `next_state(state(), event)`. Returns false and keeps the state when the
  /// event is not valid in the current state (and asserts in debug builds: the caller broke
  /// the state machine).
  bool advance(lifecycle_event event);

  /// Records why the connection stops. A cause is never cleared; `owner_gone` supersedes
  /// `close_requested` (with the owner gone there is no one left to report to, so its death
  /// decides the final event), anything else keeps the first cause.
  void stop(stop_cause cause) noexcept;

 private:
  connection_state state_ = connection_state::idle;
  stop_cause cause_ = stop_cause::none;
};

}  // namespace wsnova::detail
