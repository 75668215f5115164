#pragma once

/// @file
/// `child_spec`: how a supervisor starts, stops and restarts one child, and its validation.
///
/// Like OTP's child specification map: every field has a default except `id` and `start`.
/// `check_child_spec` validates a spec before anything spawns and returns an
/// `errc::invalid_spec` error whose detail starts with the offending field's name.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>

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

  friend bool operator==(const shutdown_spec&, const shutdown_spec&) = default;
};

/// Returns e.g. "timeout(5000ms)", "brutal_kill" or "infinity".
std::string to_string(const shutdown_spec& x);

// -- restart backoff ----------------------------------------------------------

/// Optional exponential delay before restarting a child that keeps failing (not in OTP,
/// which restarts at once). The n-th consecutive restart (n = 0, 1, ...) waits
/// `min(max_delay, min_delay * multiplier^n)`, scaled by a random factor in
/// `[1 - jitter, 1 + jitter]`. The counter goes back to 0 when the child had run for at
/// least `reset_after` before it failed. The delay is measured on the actor clock, so the
/// test coordinator's virtual clock drives it. With the default `min_delay` of 0 the
/// backoff is off and restarts are immediate, as in OTP.
struct restart_backoff {
  /// Delay of the first restart; 0 disables backoff. Default 0 ms. Must be >= 0.
  std::chrono::milliseconds min_delay{0};

  /// Upper bound of the delay. Default 30000 ms. Must be >= `min_delay`.
  std::chrono::milliseconds max_delay{30000};

  /// Growth per consecutive restart. Default 2.0. Must be >= 1.
  double multiplier = 2.0;

  /// Random spread of each delay, as a fraction. Default 0 (deterministic). Must be in [0, 1].
  double jitter = 0.0;

  /// Running time after which the consecutive-restart counter resets. Default 60000 ms.
  /// Must be >= 0; 0 means "reset after any run", i.e. always wait `min_delay`.
  std::chrono::milliseconds reset_after{60000};

  /// Returns whether backoff is on (`min_delay > 0`).
  bool enabled() const noexcept { return min_delay.count() > 0; }

  /// Returns the delay of restart number `n` (0-based) for a uniform random `u` in [0, 1).
  std::chrono::milliseconds delay(std::size_t n, double u = 0.5) const;

  friend bool operator==(const restart_backoff&, const restart_backoff&) = default;
};

// -- start function -----------------------------------------------------------

/// Starts a child and returns its handle. Called by the supervisor, from inside the
/// supervisor actor, with the supervisor's actor system and, for `simple_one_for_one`
/// children, the arguments given to `start_child` (an empty message otherwise). Must not
/// block. Returning an error or an invalid handle counts as a failed start.
using start_function =
  std::function<caf::expected<caf::actor>(caf::actor_system&, const caf::message& args)>;

namespace detail {

template <class T>
caf::expected<caf::actor> to_child_handle(T&& x) {
  using value_type = std::decay_t<T>;
  if constexpr (std::is_same_v<value_type, caf::error>) {
    return std::forward<T>(x);
  } else if constexpr (requires { x.error(); *x; }) {
    if (!x) return x.error();
    return caf::actor_cast<caf::actor>(*x);
  } else {
    return caf::actor_cast<caf::actor>(std::forward<T>(x));
  }
}

}  // namespace detail

/// Adapts a callable to a `start_function`. Accepts `f(sys)` or `f(sys, args)` returning a
/// dynamically or statically typed handle, or a `caf::expected` of one.
/// Example: `start_with([](caf::actor_system& sys) { return sys.spawn(my_worker); })`.
template <class F>
start_function start_with(F f) {
  return [f = std::move(f)](caf::actor_system& sys,
                            const caf::message& args) -> caf::expected<caf::actor> {
    if constexpr (std::is_invocable_v<F&, caf::actor_system&, const caf::message&>)
      return detail::to_child_handle(f(sys, args));
    else
      return detail::to_child_handle(f(sys));
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

  /// Delay between consecutive restarts. Default: off (immediate restarts).
  restart_backoff backoff;
};

/// Returns a copy of `spec` with every defaulted field filled in.
child_spec with_defaults(child_spec spec);

/// Returns the shutdown that applies to `spec` (its own or the default for its kind).
shutdown_spec effective_shutdown(const child_spec& spec);

/// Checks one spec. Returns `errc::invalid_spec` with a detail naming the field
/// ("id: ...", "start: ...", "shutdown: ...", "backoff.min_delay: ..."), or no error.
caf::error check_child_spec(const child_spec& spec);

}  // namespace wsnova
