#pragma once

/// @file
/// The restart-strategy interface: given the child that failed and a view of all children,
/// decide which children to restart (and after what delay) or to escalate. The four OTP
/// strategies are implemented on this interface; users add their own the same way.
///
/// A strategy is consulted only when the failed child is due for a restart (its restart
/// type and exit reason say so, see `should_restart`) and the restart intensity allowed it.
/// The supervisor then carries the plan out:
///   1. it stops every *running* child named in `restart`, in reverse start order, using each
///      child's shutdown spec (the failed child is already down);
///   2. after `delay`, it starts the named children in start order. Named children whose
///      restart type is `temporary` are stopped and removed instead of restarted.
/// An `escalate` plan makes the supervisor stop all children (reverse order) and exit with
/// the plan's reason, so its own parent applies its strategy.
///
/// Strategies are called inside the supervisor actor: they must not block and should not
/// keep references to the views after returning.

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include <wsnova/supervision/child_spec.hpp>

namespace wsnova {

// -- exit reasons -------------------------------------------------------------

/// How a child terminated, in OTP terms.
enum class exit_kind : std::uint8_t {
  /// `exit_reason::normal` (or no error): OTP `normal`.
  normal,
  /// `exit_reason::user_shutdown`: OTP `shutdown`.
  shutdown,
  /// `exit_reason::kill`: OTP `killed`. Abnormal for restart purposes.
  killed,
  /// Any other reason (an error, an exception, a supervisor giving up).
  abnormal,
};

/// Returns "normal", "shutdown", "killed" or "abnormal".
std::string to_string(exit_kind x);

/// Maps a down-message reason to its OTP kind.
exit_kind classify_exit(const caf::error& reason);

/// The one rule of restart type x exit kind: permanent always restarts, temporary never,
/// transient only after `killed` or `abnormal`.
bool should_restart(restart_type type, exit_kind kind);

// -- strategy kinds -----------------------------------------------------------

/// The supervisor's restart strategy (OTP `strategy`).
enum class strategy_kind : std::uint8_t {
  /// Restart only the failed child. The default.
  one_for_one,
  /// Stop all other children (reverse order), then restart all (start order).
  one_for_all,
  /// Stop the children started after the failed one (reverse order), then restart the
  /// failed child and those (start order).
  rest_for_one,
  /// One spec (the template); children are added with `start_child(args)` and restarted
  /// like `one_for_one`. Their ids are "<template id>#<n>".
  simple_one_for_one,
  /// Use `supervisor_flags::custom_strategy`.
  custom,
};

/// Returns the strategy's name, e.g. "rest_for_one".
std::string to_string(strategy_kind x);

// -- plan inputs and output ---------------------------------------------------

/// The child whose termination triggered the decision. After a failed restart (OTP's
/// try_again_restart) it is the child whose start failed, with the start error as reason,
/// so the strategy plans the group again.
struct child_exit {
  /// Its id.
  std::string id;
  /// The reason from its down message.
  caf::error reason;
  /// `classify_exit(reason)`.
  exit_kind how = exit_kind::abnormal;
  /// Its position in start order.
  std::size_t index = 0;
  /// The backoff delay due for this restart (0 when backoff is off).
  std::chrono::milliseconds next_delay{0};
};

/// A read-only view of one child as the strategy sees it.
struct child_view {
  /// Its id.
  std::string id;
  /// Worker or supervisor.
  child_kind kind = child_kind::worker;
  /// Its restart type.
  restart_type restart = restart_type::permanent;
  /// Whether it currently runs (false for the failed child, stopped or pending children).
  bool running = false;
  /// Consecutive restarts counted by its backoff.
  std::size_t failures = 0;
};

/// What to do about a failed child.
struct restart_plan {
  /// Restart the children in `restart`, or escalate.
  enum class decision : std::uint8_t { restart, escalate };

  /// The decision. Default `restart`.
  decision what = decision::restart;

  /// Ids of the children to (stop and) restart; order does not matter, the supervisor uses
  /// start order. Unknown ids are ignored.
  std::vector<std::string> restart;

  /// Delay before the restarts begin, measured on the actor clock. Default 0.
  std::chrono::milliseconds delay{0};

  /// Exit reason of the supervisor when escalating. Default: the failed child's reason.
  caf::error reason;

  /// Returns a plan restarting `ids` after `delay`.
  static restart_plan restart_children(std::vector<std::string> ids,
                                       std::chrono::milliseconds delay = {});

  /// Returns a plan escalating with `reason`.
  static restart_plan escalate(caf::error reason);
};

// -- the interface ------------------------------------------------------------

/// A restart strategy. Implement `plan`; see the file comment for how plans are executed.
class restart_strategy {
 public:
  virtual ~restart_strategy();

  /// Returns what to do after `failed` terminated. `children` lists every child in start
  /// order, including the failed one (at `failed.index`, not running), unless
  /// `needs_children()` is false: then `children` is empty and `failed.index` is 0.
  virtual restart_plan plan(const child_exit& failed, std::span<const child_view> children) = 0;

  /// Returns whether `plan` reads `children`. Default true. A strategy that decides from
  /// the failed child alone returns false and spares the supervisor an O(n) walk per
  /// restart (the built-in one_for_one does).
  virtual bool needs_children() const;
};

/// Returns the built-in strategy for `kind` (nullptr for `strategy_kind::custom`).
std::shared_ptr<restart_strategy> make_builtin_strategy(strategy_kind kind);

}  // namespace wsnova
