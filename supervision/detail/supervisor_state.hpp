#pragma once

/// @file
/// Internals of the supervisor actor: its extended interface (timer messages to itself)
/// and its one state record. Not for users; include supervisor.hpp.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/actor_clock.hpp>
#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/replies_to.hpp>

#include <wsnova/supervision/child_spec.hpp>
#include <wsnova/supervision/restart_strategy.hpp>
#include <wsnova/supervision/supervisor_actor.hpp>
#include <wsnova/supervision/supervisor_flags.hpp>

namespace wsnova::detail {

/// Deadline of a child's shutdown: `(id, token)`; kills the child if still the same instance.
using shutdown_timer_atom = caf::atom_constant<caf::atom("sv_sdtimer")>;

/// Resumes a pending restart plan: `(plan)`; OTP's try_again_restart, also used for
/// backoff delays.
using retry_atom = caf::atom_constant<caf::atom("sv_retry")>;

/// The supervisor's full interface: the public one plus messages it sends itself.
using supervisor_impl = supervisor_actor::extend<
  caf::reacts_to<shutdown_timer_atom, std::string, std::uint64_t>,
  caf::reacts_to<retry_atom, std::uint64_t>>;

static_assert(std::is_convertible_v<supervisor_impl, supervisor_actor>,
              "the implementation handle must convert to the public interface");

/// Life cycle of one child (OTP: pid undefined, a pid, or restarting).
enum class child_status : std::uint8_t {
  /// Not running; no restart pending.
  stopped,
  /// Running and monitored.
  running,
  /// Asked to stop; waiting for its down message.
  terminating,
  /// Waiting for a delayed or retried restart (`plan`).
  restarting,
};

/// One child.
struct child_record {
  /// Its spec, defaults filled in.
  child_spec spec;
  /// Start arguments (simple_one_for_one children), else empty.
  caf::message args;
  /// The running instance, or invalid.
  caf::actor handle;
  /// See `child_status`.
  child_status status = child_status::stopped;
  /// Changes at every start and stop; timers and queued exits carrying an older token are
  /// stale.
  std::uint64_t token = 0;
  /// The pending plan while `status == restarting`.
  std::uint64_t plan = 0;
  /// When the current instance started (actor clock), for `backoff.reset_after`.
  caf::actor_clock::time_point started_at;
  /// Consecutive restarts counted by the backoff.
  std::size_t failures = 0;
  /// True for simple_one_for_one instances (removed instead of kept when they end).
  bool dynamic = false;
  /// Position key in `supervisor_state::order` (and in `live` while running); set once by
  /// `save_child`, increasing in start order.
  std::uint64_t seq = 0;
};

/// One unit of the supervisor's sequential work queue.
struct step {
  enum class op : std::uint8_t {
    /// Stop child `id` (may wait for its down message).
    stop,
    /// Start child `id` as part of restart plan `plan`.
    start,
    /// Run `fn` (request handling, exit handling, shutdown).
    call,
  };
  op what = op::call;
  std::string id;
  std::uint64_t plan = 0;
  std::function<void()> fn;
};

/// The supervisor's state: children in start order plus a map, the restart window and the
/// work queue. Only the functions in supervisor.cpp touch it.
struct supervisor_state {
  /// The flags as given.
  supervisor_flags flags;
  /// The strategy (built-in or custom).
  std::shared_ptr<restart_strategy> strategy;
  /// The template of a simple_one_for_one supervisor.
  std::optional<child_spec> template_spec;
  /// Child ids in start order, keyed by `child_record::seq` (O(log n) removal).
  std::map<std::uint64_t, std::string> order;
  /// Next `child_record::seq`.
  std::uint64_t next_seq = 1;
  /// Children by id.
  std::unordered_map<std::string, child_record> children;
  /// Ids of the children whose `handle` is set, by the handle's address (a multimap only
  /// because a start function may hand out the same actor twice). Kept in sync with
  /// `child_record::handle` by the accessors in supervisor.cpp.
  std::unordered_multimap<caf::actor_addr, std::string> by_addr;
  /// Times of recent restarts, oldest first (the intensity window).
  std::deque<caf::actor_clock::time_point> restarts;
  /// Pending work, executed strictly one after another.
  std::deque<step> steps;
  /// Steps scheduled by the running step; they go first.
  std::vector<step> front;
  /// True while a step runs.
  bool in_step = false;
  /// True while `pump` runs.
  bool pumping = false;
  /// The child whose down message the queue waits for.
  std::optional<std::string> awaiting;
  /// Children waiting for a delayed or retried restart, by plan.
  std::map<std::uint64_t, std::vector<std::string>> plans;
  /// A plan whose start failed: its remaining starts join `retry_plan`.
  std::uint64_t aborted_plan = 0;
  /// See `aborted_plan`.
  std::uint64_t retry_plan = 0;
  /// Next plan number (0 means none).
  std::uint64_t next_plan = 1;
  /// Next child token.
  std::uint64_t next_token = 1;
  /// Counter for simple_one_for_one ids.
  std::uint64_t dynamic_count = 0;
  /// True once the supervisor decided to stop; no more restarts.
  bool shutting_down = false;
  /// True after `quit`.
  bool done = false;
  /// The supervisor's exit reason once `shutting_down`.
  caf::error exit_reason;
  /// Running children by `child_record::seq` (start order), shared with the clean-up
  /// functor that kills them if the supervisor dies without stopping them (e.g. killed).
  std::shared_ptr<std::map<std::uint64_t, caf::actor>> live
    = std::make_shared<std::map<std::uint64_t, caf::actor>>();
  /// Randomness for backoff jitter.
  std::minstd_rand rng{std::random_device{}()};

  static inline const char* name = "wsnova.supervisor";
};

}  // namespace wsnova::detail
