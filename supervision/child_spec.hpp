#pragma once

/// @file
/// `child_spec`: how a supervisor starts, stops and restarts one child, and its validation.
///
/// Like OTP's child specification map: every field has a default except `id` and `start`.
/// `check_child_spec` validates a spec before anything spawns and returns a tagged
/// `sup_errc` (OTP's reasons: `invalid_child_id`, `invalid_start`, `invalid_restart_type`,
/// `invalid_shutdown`, `invalid_child_type`, `invalid_backoff`, `bad_combination`) whose
/// detail starts with the offending field's name.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>

#include <wsnova/core/backoff.hpp>

namespace wsnova {

// -- restart type -------------------------------------------------------------

/// When a terminated child is restarted (OTP `restart`).
enum class restart_type : std::uint8_t {
  /// Always restarted, whatever the exit reason. The default.
  permanent,
  /// Restarted only after an abnormal exit: not after `normal` nor after
  /// `user_shutdown` (OTP's `shutdown`). A `kill` counts as abnormal.
  transient,
  /// Never restarted; its spec is removed when it terminates for any reason.
  temporary,
};

/// Returns "permanent", "transient" or "temporary".
std::string to_string(restart_type x);

// -- child kind ---------------------------------------------------------------

/// What the child is (OTP `type`). Only affects the default shutdown and `count_children`.
enum class child_kind : std::uint8_t {
  /// An ordinary actor. The default.
  worker,
  /// Another supervisor (a subtree). Its default shutdown is `infinity`.
  supervisor,
};

/// Returns "worker" or "supervisor".
std::string to_string(child_kind x);

// -- shutdown -----------------------------------------------------------------

/// How a child is stopped (OTP `shutdown`). The supervisor always holds a monitor on the
/// child, so it waits for the down message, never for a link's exit signal.
struct shutdown_spec {
  /// The three shutdown modes of OTP.
  enum class mode : std::uint8_t {
    /// Send `exit_reason::user_shutdown`, wait up to `timeout` for the down message, then
    /// send `exit_reason::kill`.
    timeout,
    /// Send `exit_reason::kill` at once (the child cannot trap it).
    brutal_kill,
    /// Send `exit_reason::user_shutdown` and wait for the down message without a deadline.
    /// Meant for child supervisors, which need the time to stop their own subtree.
    infinity,
  };

  /// The mode. Default `timeout`.
  mode how = mode::timeout;

  /// The deadline for `mode::timeout`; must be positive. Default 5000 ms (OTP's default).
  std::chrono::milliseconds timeout{5000};

  /// Returns `{mode::timeout, t}`.
  static shutdown_spec after(std::chrono::milliseconds t) { return {mode::timeout, t}; }

  /// Returns `{mode::brutal_kill}`.
  static shutdown_spec brutal_kill() { return {mode::brutal_kill, std::chrono::milliseconds{0}}; }

  /// Returns `{mode::infinity}`.
  static shutdown_spec infinity() { return {mode::infinity, std::chrono::milliseconds{0}}; }

  /// Member-wise equality.
  friend bool operator==(const shutdown_spec&, const shutdown_spec&) = default;
};

/// Returns e.g. "timeout(5000ms)", "brutal_kill" or "infinity".
std::string to_string(const shutdown_spec& x);

// -- restart backoff ----------------------------------------------------------

/// Delays between consecutive restarts of a child that keeps failing (not in OTP, which
/// restarts at once): the one backoff of `core/backoff.hpp`. The n-th consecutive restart
/// (n = 0, 1, ...) waits `backoff::next()`; the counter goes back to 0 when the child had
/// run for at least `stable_after` before it failed. Delays run on the actor clock, so the
/// test coordinator's virtual clock drives them. `initial_delay` 0 turns backoff off.
using restart_backoff = backoff_policy;

/// Returns the default restart backoff: off (`initial_delay` 0, immediate restarts as in
/// OTP); once `initial_delay` is set, `exponential` without jitter, capped at 30 s,
/// multiplier 2, counter reset after 60 s of running, `max_attempts` 0 (intensity bounds
/// restarts).
restart_backoff default_restart_backoff();

// -- start function -----------------------------------------------------------

/// What a start function answers (OTP's `{ok, Pid}`, `ignore` or `{error, Reason}`).
/// Converts implicitly from a handle, a `caf::error` or a `caf::expected<caf::actor>`, so
/// start functions returning those keep compiling.
class start_result {
 public:
  /// A failed start (no reason given).
  start_result() = default;

  /// A started child; an invalid handle counts as a failed start.
  // cppcheck-suppress noExplicitConstructor ; implicit on purpose: start functions return it
  start_result(caf::actor handle) : handle_(std::move(handle)) {}

  /// A failed start with `reason`.
  // cppcheck-suppress noExplicitConstructor ; implicit on purpose: start functions return it
  start_result(caf::error reason) : error_(std::move(reason)) {}

  /// A started child or a failed start.
  // cppcheck-suppress noExplicitConstructor ; implicit on purpose: start functions return it
  start_result(caf::expected<caf::actor> x) {
    if (x)
      handle_ = std::move(*x);
    else
      error_ = std::move(x.error());
  }

  /// Returns OTP's `ignore`: the spec is kept (not for temporary children nor
  /// simple_one_for_one instances), no actor runs, nothing is restarted.
  static start_result ignore() {
    start_result result;
    result.ignored_ = true;
    return result;
  }

  /// Returns whether the start function answered ignore.
  bool ignored() const noexcept { return ignored_; }

  /// Returns whether a child runs (a valid handle, not ignored).
  bool started() const noexcept { return !ignored_ && static_cast<bool>(handle_); }

  /// Returns the started child (invalid unless `started()`).
  const caf::actor& handle() const noexcept { return handle_; }

  /// Returns the reason of a failed start (may be empty: then the handle was invalid).
  const caf::error& error() const noexcept { return error_; }

 private:
  caf::actor handle_;
  caf::error error_;
  bool ignored_ = false;
};

/// Starts a child and answers its handle, `start_result::ignore()` or an error. Called by
/// the supervisor, from inside the supervisor actor, with the supervisor's actor system
/// and, for `simple_one_for_one` children, the arguments given to `start_child` (an empty
/// message otherwise). Must not block. An error, an invalid handle or an exception counts
/// as a failed start.
using start_function = std::function<start_result(caf::actor_system&, const caf::message& args)>;

namespace detail {

template <class T>
start_result to_start_result(T&& x) {
  using value_type = std::decay_t<T>;
  if constexpr (std::is_same_v<value_type, caf::error> ||
                std::is_same_v<value_type, start_result>) {
    return std::forward<T>(x);
  } else if constexpr (requires {
                         x.error();
                         *x;
                       }) {
    if (!x) return start_result{x.error()};
    return start_result{caf::actor_cast<caf::actor>(*x)};
  } else {
    return start_result{caf::actor_cast<caf::actor>(std::forward<T>(x))};
  }
}

}  // namespace detail

/// Adapts a callable to a `start_function`. Accepts `f(sys)` or `f(sys, args)` returning a
/// dynamically or statically typed handle, a `caf::expected` of one, or a `start_result`.
/// Example: `start_with([](caf::actor_system& sys) { return sys.spawn(my_worker); })`.
template <class F>
start_function start_with(F f) {
  return [f = std::move(f)](caf::actor_system& sys, const caf::message& args) -> start_result {
    if constexpr (std::is_invocable_v<F&, caf::actor_system&, const caf::message&>)
      return detail::to_start_result(f(sys, args));
    else
      return detail::to_start_result(f(sys));
  };
}

// -- child spec ---------------------------------------------------------------

/// Everything a supervisor needs to know about one child (OTP's child spec map).
struct child_spec {
  /// Name of the child, unique within its supervisor. Mandatory, must not be empty.
  std::string id;

  /// Starts the child (see `start_function`). Mandatory.
  start_function start;

  /// When to restart the child. Default `restart_type::permanent`.
  restart_type restart = restart_type::permanent;

  /// How to stop the child. Default (unset): 5000 ms for a worker, `infinity` for a
  /// supervisor, as in OTP; `with_defaults` fills it in.
  std::optional<shutdown_spec> shutdown;

  /// Worker or supervisor. Default `child_kind::worker`.
  child_kind kind = child_kind::worker;

  /// Whether the child's own exit may shut the supervisor down (OTP 24 `significant`, see
  /// `auto_shutdown`). Default false. Must be false for permanent children and under
  /// `auto_shutdown::never` (`sup_errc::bad_combination`).
  bool significant = false;

  /// Delay between consecutive restarts. Default `default_restart_backoff()`: off
  /// (immediate restarts).
  restart_backoff backoff = default_restart_backoff();
};

/// Returns a copy of `spec` with every defaulted field filled in.
child_spec with_defaults(child_spec spec);

/// Returns the shutdown that applies to `spec` (its own or the default for its kind).
shutdown_spec effective_shutdown(const child_spec& spec);

/// Checks one spec alone (OTP's check_childspec without the supervisor's flags). Returns
/// a tagged `sup_errc` with a detail naming the field ("id: ...", "start: ...",
/// "shutdown: ...", "backoff.initial_delay: ..."), or no error: `invalid_child_id`,
/// `invalid_start`, `invalid_restart_type`, `invalid_child_type`, `invalid_shutdown`,
/// `invalid_backoff`, `bad_combination` (significant and permanent). The rule that needs
/// the flags (significant under `auto_shutdown::never`) is in `check_supervisor`.
caf::error check_child_spec(const child_spec& spec);

}  // namespace wsnova
