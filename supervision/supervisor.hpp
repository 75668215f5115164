#pragma once

/// @file
/// Supervisors: actors that start, watch and restart other actors by Erlang/OTP's rules.
///
/// ## Semantics (as in OTP's supervisor.erl)
/// - **Monitors, not links.** A supervisor monitors each child and learns of its end from
///   the down message; children are never linked, so a child cannot take its supervisor
///   down and a supervisor outlives any child. If a supervisor is killed (untrappable), it
///   kills its remaining children as it dies, so no subtree is orphaned.
/// - **Start order** is left to right: the initial specs in the order given (each started
///   before the next; one failure stops the ones already started and `spawn_supervisor`
///   returns `sup_errc::start_failed`), then `start_child`/`adopt` append. Restarts keep a
///   child's position. **Stop order** is the reverse: right to left.
/// - **Strategies** (`strategy_kind`): `one_for_one` restarts the failed child only;
///   `one_for_all` stops the others (reverse order) and restarts all (start order);
///   `rest_for_one` stops and restarts the children started after the failed one, and it;
///   `simple_one_for_one` has one template spec, started many times with arguments
///   (`start_child(args)`), each instance restarted alone; `custom` asks a user
///   `restart_strategy` (see restart_strategy.hpp, where the plan execution is described).
/// - **Restart types** (`restart_type`): exit reasons map to OTP's as normal =
///   `exit_reason::normal`, shutdown = `exit_reason::user_shutdown`, killed =
///   `exit_reason::kill`, anything else abnormal. `permanent` children are always
///   restarted, `transient` ones only after killed/abnormal, `temporary` ones never (and
///   their spec is removed when they end).
/// - **Restart intensity**: at most `intensity` restarts (default 1) within any `period`
///   (default 5 s), counted in a sliding window of restart times read from the actor clock.
///   One restart more and the supervisor stops all children (reverse order) and exits with
///   `sup_errc::restart_intensity`; its parent sees an abnormal exit of a child of kind
///   supervisor and applies its own strategy (escalation). Failed restart attempts count.
/// - **Shutdown** of a child (`shutdown_spec`): send `exit_reason::user_shutdown`, wait for
///   the down message up to the timeout (default 5000 ms for workers), then send
///   `exit_reason::kill`; `brutal_kill` kills at once; `infinity` waits without deadline
///   (default for supervisors). Because the supervisor waits for the down message of a
///   monitor, a child that ignores the request cannot hang it past the deadline.
/// - **A failed restart** (start function returns an error) is retried by a message to
///   self (OTP's try_again_restart), so queued requests get their turn in between. The
///   retry asks the strategy again with the child that failed to start: in one_for_all the
///   whole group (siblings already restarted included) is stopped and started again, in
///   rest_for_one the failed child and those after it. Each retry counts toward the
///   intensity; with a backoff, it waits the failed child's next delay.
/// - **ignore**: a start function may answer `start_result::ignore()` (OTP's `ignore`):
///   the spec is kept with no actor (state undefined) and nothing is restarted; an ignored
///   temporary child and an ignored simple_one_for_one instance are not kept.
/// - **Significant children** (OTP 24): with `supervisor_flags::auto_shutdown` set, a
///   `significant` child that exits by itself and is not restarted (transient: normal or
///   shutdown; temporary: any reason) shuts the supervisor down (`any_significant`), or
///   does so once no significant child runs any more (`all_significant`). The supervisor
///   stops the other children and exits with `exit_reason::user_shutdown` (OTP's
///   `shutdown`). Children stopped by the supervisor itself never trigger it. A permanent
///   significant child, or one under `auto_shutdown::never`, is `bad_combination`.
/// - **Supervisor shutdown**: an exit message (from a parent or anyone, any reason but
///   normal) makes the supervisor stop all children in reverse order and exit with that
///   reason. Children dying meanwhile are not restarted.
/// - **Stale down messages** (from a child instance already replaced or released) are
///   recognised by actor address and ignored.
/// - **Change notifications**: after each (re)start/adopt and each stop/release the
///   supervisor calls `supervisor_flags::on_child_change` and tells
///   `supervisor_flags::observer`, so a registry can map stable ids to current handles.
/// - **Warning** (as OTP's): a child supervisor with `brutal_kill` or a short timeout has
///   its subtree killed rather than stopped in order; prefer `infinity` for supervisors.

#include <vector>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <wsnova/supervision/child_spec.hpp>
#include <wsnova/supervision/restart_strategy.hpp>
#include <wsnova/supervision/supervisor_actor.hpp>
#include <wsnova/supervision/supervisor_flags.hpp>

namespace wsnova {

/// Validates `flags` and `specs` (`check_supervisor`), starts the children in order from
/// the calling thread, and spawns a supervisor that monitors them. Returns the supervisor,
/// or a tagged validation error (`sup_errc`, nothing spawned) or `sup_errc::start_failed`
/// (the children already started are asked to shut down, in reverse order). A start
/// function answering ignore is not a failure. Safe to call from inside an actor,
/// e.g. in the start function of a child of kind supervisor.
caf::expected<supervisor_actor> spawn_supervisor(caf::actor_system& sys, supervisor_flags flags,
                                                 std::vector<child_spec> specs);

/// Returns a start function that spawns a supervisor with `flags` and `specs`: the
/// `start` of a child spec of kind supervisor, for nested trees.
start_function supervisor_starter(supervisor_flags flags, std::vector<child_spec> specs);

}  // namespace wsnova
