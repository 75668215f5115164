#pragma once

/// @file
/// Internals of the supervisor actor: its extended interface (timer messages to itself),
/// its one state record and the functions its source files share. Not for users; include
/// supervisor.hpp.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/replies_to.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <wsnova/supervision/child_spec.hpp>
#include <wsnova/supervision/detail/child_table.hpp>
#include <wsnova/supervision/detail/restart_window.hpp>
#include <wsnova/supervision/restart_strategy.hpp>
#include <wsnova/supervision/supervisor_actor.hpp>
#include <wsnova/supervision/supervisor_flags.hpp>

namespace wsnova::detail {

/// Deadline of a child's shutdown: `(id, token)`; kills the child if still the same instance.
using shutdown_timer_atom = caf::atom_constant<caf::atom("sv_sdtimer")>;

/// Resumes a pending plan: `(plan)`; the end of a backoff delay, or OTP's
/// try_again_restart after a failed start.
using retry_atom = caf::atom_constant<caf::atom("sv_retry")>;

/// The supervisor's full interface: the public one plus messages it sends itself.
using supervisor_impl =
    supervisor_actor::extend<caf::reacts_to<shutdown_timer_atom, std::string, std::uint64_t>,
                             caf::reacts_to<retry_atom, std::uint64_t>>;

static_assert(std::is_convertible_v<supervisor_impl, supervisor_actor>,
              "the implementation handle must convert to the public interface");

/// One unit of the supervisor's sequential work queue.
struct step {
  enum class op : std::uint8_t {
    /// Stop child `id` (may wait for its down message).
    stop,
    /// Run `fn` (request handling, exit handling, starting a plan, shutdown).
    call,
  };
  op what = op::call;
  std::string id;
  std::function<void()> fn;
};

/// Children waiting to be started together: after a backoff delay, or after one of
/// them failed to start (then the strategy is asked again, OTP's try_again_restart).
struct pending_plan {
  /// The children to start, in start order.
  std::vector<std::string> ids;
  /// Set after a failed start: the child that failed (its restart is planned again).
  std::optional<std::string> failed;
  /// Why it failed.
  caf::error reason;
};

/// The supervisor's state. Children live in `children` (a `child_table`, the only code
/// that edits them); the rest is flags, the restart window and the work queue.
struct supervisor_state {
  /// The flags as given.
  supervisor_flags flags;
  /// The strategy (built-in or custom).
  std::shared_ptr<restart_strategy> strategy;
  /// The template of a simple_one_for_one supervisor.
  std::optional<child_spec> template_spec;
  /// The children.
  child_table children;
  /// Recent restarts (intensity and period).
  restart_window restarts{1, std::chrono::seconds{5}};
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
  /// Plans waiting for a timer or a retry message, by number.
  std::map<std::uint64_t, pending_plan> plans;
  /// Next plan number (0 means none).
  std::uint64_t next_plan = 1;
  /// Counter for simple_one_for_one ids.
  std::uint64_t dynamic_count = 0;
  /// True once the supervisor decided to stop; no more restarts.
  bool shutting_down = false;
  /// True after `quit`.
  bool done = false;
  /// The supervisor's exit reason once `shutting_down`.
  caf::error exit_reason;

  static inline const char* name = "wsnova.supervisor";
};

/// The supervisor actor as its functions see it.
using self_ptr = supervisor_impl::stateful_pointer<supervisor_state>;

// -- work queue (work_queue.cpp) ------------------------------------------------

/// Queues a step: after the running step's own steps if called from a step, else last.
void schedule(self_ptr self, step s);

/// Queues `fn` as a step.
void schedule_call(self_ptr self, std::function<void()> fn);

/// Queues a stop of child `id`.
void schedule_stop(self_ptr self, const std::string& id);

/// Runs queued steps until one waits for a down message or the queue is empty.
void pump(self_ptr self);

// -- shutdown (shutdown.cpp) -------------------------------------------------------

/// Stops one child by its shutdown spec: ask, await the down message, kill at the
/// deadline. A pending restart is cancelled.
void begin_stop(self_ptr self, const std::string& id);

/// The shutdown deadline passed: kill the child if it is still the same instance.
void on_shutdown_timer(self_ptr self, const std::string& id, std::uint64_t token);

/// Stops all children in reverse start order, then exits with `reason`.
void shutdown(self_ptr self, caf::error reason);

// -- starts and restarts (restarts.cpp) ------------------------------------------------

/// Calls the start function; exceptions and invalid handles become `start_failed`.
start_result call_start(caf::actor_system& sys, const child_spec& spec, const caf::message& args);

/// Tells `on_child_change` and the observer about a child's new handle (or none).
void notify(self_ptr self, const std::string& id, const caf::actor& handle);

/// Starts monitoring a started child and records it.
void set_running(self_ptr self, child_record& rec, caf::actor handle);

/// A child's down message.
void on_down(self_ptr self, const caf::down_msg& msg);

/// A retry message: resumes plan `plan`.
void on_retry(self_ptr self, std::uint64_t plan);

/// Returns a record for `spec` (defaults filled in), not yet saved.
child_record make_record(self_ptr self, child_spec spec);

}  // namespace wsnova::detail
