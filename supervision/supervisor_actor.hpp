#pragma once

/// @file
/// `supervisor_actor`: the typed messaging interface of a supervisor, and its message types.
///
/// Every request is answered after all earlier requests and restarts of the same supervisor
/// finished (a supervisor works through one operation at a time, as OTP's does); a request
/// that has to stop a child is answered once the child's down message arrived (or the kill
/// went out after its shutdown timeout). While the supervisor shuts down, mutating requests
/// fail with `errc::not_allowed`. Supervision errors are `sup_errc`
/// (`core/supervision_errc.hpp`); `not_allowed` is the generic `errc`.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/core/atoms.hpp>
#include <wsnova/supervision/child_spec.hpp>

namespace wsnova {

// -- reply types --------------------------------------------------------------

/// What `which_children` says about a child's actor (OTP: a pid, `restarting` or
/// `undefined`).
enum class child_state : std::uint8_t {
  /// No actor: stopped, terminated by request, or its start function answered ignore.
  undefined,
  /// An actor runs (or is being asked to stop); `child_info::handle` is it.
  running,
  /// Waiting for a delayed or retried restart.
  restarting,
};

/// Returns "undefined", "running" or "restarting".
std::string to_string(child_state x);

/// One row of `which_children` (OTP's `{Id, Child, Type, Modules}` without modules).
struct child_info {
  /// The child's id (for simple_one_for_one children "<template id>#<n>").
  std::string id;
  /// The running child, or an invalid handle when it is stopped or waiting for a restart.
  caf::actor handle;
  /// Worker or supervisor.
  child_kind kind = child_kind::worker;
  /// Its restart type.
  restart_type restart = restart_type::permanent;
  /// Running, restarting or undefined (OTP's Child field).
  child_state state = child_state::undefined;
  /// How many times the supervisor started this id again after its first start (restarts
  /// by the strategy and by `restart_child`); each simple_one_for_one instance counts alone.
  std::uint32_t restarts = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_info& x) {
  return f(caf::meta::type_name("wsnova::child_info"), x.id, x.handle, x.kind, x.restart, x.state,
           x.restarts);
}

/// The reply of `count_children` (OTP's proplist). For simple_one_for_one, as in OTP:
/// `specs` is 1 (the template) and `supervisors`/`workers` count the instances.
struct child_counts {
  /// Number of child specs (running or not).
  std::size_t specs = 0;
  /// Number of running children.
  std::size_t active = 0;
  /// Number of children of kind supervisor (running or not).
  std::size_t supervisors = 0;
  /// Number of children of kind worker (running or not).
  std::size_t workers = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_counts& x) {
  return f(caf::meta::type_name("wsnova::child_counts"), x.specs, x.active, x.supervisors,
           x.workers);
}

/// Inspects the data fields of a spec. The start function is local state and is not
/// serialized: a spec that crossed a node boundary has none and fails `check_child_spec`.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_spec& x) {
  // The optional shutdown travels as (mode or -1, timeout); restored after loading.
  std::int32_t how = x.shutdown ? static_cast<std::int32_t>(x.shutdown->how) : -1;
  auto timeout = x.shutdown ? x.shutdown->timeout : std::chrono::milliseconds{0};
  auto restore = [&]() -> caf::error {
    if (how < 0)
      x.shutdown.reset();
    else
      x.shutdown = shutdown_spec{static_cast<shutdown_spec::mode>(how), timeout};
    return caf::none;
  };
  return f(caf::meta::type_name("wsnova::child_spec"), x.id, x.restart, how, timeout, x.kind,
           x.significant, x.backoff.kind, x.backoff.initial_delay, x.backoff.max_delay,
           x.backoff.multiplier, x.backoff.jitter, x.backoff.max_attempts, x.backoff.stable_after,
           caf::meta::load_callback(restore));
}

// -- the interface --------------------------------------------------------------

/// The typed interface of a supervisor. Sender: any actor (usually the application or a
/// registry). Errors are `sup_errc` (`core/supervision_errc.hpp`) and `errc::not_allowed`.
using supervisor_actor = caf::typed_actor<
    /// `start_child(spec)`: adds and starts a child at the end of the start order.
    /// Replies the child's handle, or an invalid handle when the start function answered
    /// ignore (the spec is kept unless temporary). Errors: the spec checks
    /// (`check_child_spec(spec, flags)`), `already_started` (id running), `already_present`
    /// (id known, not running), `start_failed` (the spec is not kept), `not_allowed`
    /// (simple_one_for_one, shutting down).
    caf::replies_to<start_child_atom, child_spec>::with<caf::actor>,
    /// `start_child(args)` (simple_one_for_one only): starts one more child from the
    /// template, passing `args` to its start function. Replies its handle (invalid when
    /// ignored: no child is added). Errors: `not_allowed` (other strategies), `start_failed`.
    caf::replies_to<start_child_atom, caf::message>::with<caf::actor>,
    /// `terminate_child(id)`: stops a child by its shutdown spec; its spec stays (except
    /// temporary and simple_one_for_one children, which are removed). Replies ok once the
    /// child is down. Errors: `unknown_child`.
    caf::replies_to<terminate_child_atom, std::string>::with<caf::ok_atom>,
    /// `terminate_child(handle)`: as above, finding the child by its handle (the usual way
    /// for simple_one_for_one children). Errors: `unknown_child`.
    caf::replies_to<terminate_child_atom, caf::actor>::with<caf::ok_atom>,
    /// `restart_child(id)`: starts a stopped child again (a pending delayed restart happens
    /// now). Replies the new handle (invalid when ignored). Errors: `unknown_child`,
    /// `already_started`, `start_failed`, `not_allowed` (simple_one_for_one).
    caf::replies_to<restart_child_atom, std::string>::with<caf::actor>,
    /// `delete_child(id)`: removes the spec of a stopped child. Replies ok. Errors:
    /// `unknown_child`, `not_allowed` (running or restarting child; simple_one_for_one).
    caf::replies_to<delete_child_atom, std::string>::with<caf::ok_atom>,
    /// `which_children`: every child in start order, with its state (running, restarting,
    /// undefined). Never fails.
    caf::replies_to<which_children_atom>::with<std::vector<child_info>>,
    /// `count_children`: spec, running, supervisor and worker counts. Never fails.
    caf::replies_to<count_children_atom>::with<child_counts>,
    /// `get_childspec(id)`: the child's spec, defaults filled in (for a simple_one_for_one
    /// instance, the template). Errors: `unknown_child`.
    caf::replies_to<get_childspec_atom, std::string>::with<child_spec>,
    /// `get_childspec(handle)`: as above, finding the child by its running handle.
    /// Errors: `unknown_child`.
    caf::replies_to<get_childspec_atom, caf::actor>::with<child_spec>,
    /// `adopt(handle, spec)`: takes over a running actor as child `spec.id` without
    /// restarting it: monitors it and appends it to the start order; from now on it is
    /// restarted through `spec.start`. Replies ok. Errors: the spec checks,
    /// `already_started`/`already_present`, `not_allowed` (invalid handle,
    /// simple_one_for_one, shutting down).
    caf::replies_to<adopt_atom, caf::actor, child_spec>::with<caf::ok_atom>,
    /// `release(id)`: gives up a running child without stopping it: demonitors it, removes
    /// its spec and replies its handle; it is never restarted by this supervisor again.
    /// Pair with `adopt` to move a child. Errors: `unknown_child`, `not_allowed` (not running).
    caf::replies_to<release_atom, std::string>::with<caf::actor>>;

/// Announces the supervision message types (`child_info`, `child_counts`, `child_spec`
/// and their vectors) to `cfg` and registers the renderer of the `sup_errc` error
/// category, so `caf::to_string` of a supervision error reads like `describe`.
void add_supervision_message_types(caf::actor_system_config& cfg);

}  // namespace wsnova
