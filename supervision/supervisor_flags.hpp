#pragma once

/// @file
/// `supervisor_flags`: strategy, restart intensity and change notifications of a
/// supervisor, and their validation.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>

#include <wsnova/supervision/child_spec.hpp>
#include <wsnova/supervision/restart_strategy.hpp>

namespace wsnova {

class metrics_registry;

/// Called inside the supervisor after each change of a child's handle: with the new handle
/// after every (re)start or adoption, with an invalid handle after the child stopped or
/// was released. Must not block. Meant for registries of stable ids.
using child_change_callback = std::function<void(const std::string& id, const caf::actor& handle)>;

/// When significant children shut their supervisor down (OTP 24 `auto_shutdown`).
enum class auto_shutdown : std::uint8_t {
  /// Never; significant children are rejected (`sup_errc::bad_combination`). The default.
  never,
  /// When any significant child exits by itself: a transient one normally (normal or
  /// shutdown), a temporary one for any reason.
  any_significant,
  /// When the last running significant child exits by itself (same rules).
  all_significant,
};

/// Returns "never", "any_significant" or "all_significant".
std::string to_string(auto_shutdown x);

/// Supervisor flags (OTP's sup_flags map).
struct supervisor_flags {
  /// Restart strategy. Default `strategy_kind::one_for_one`.
  strategy_kind strategy = strategy_kind::one_for_one;

  /// The strategy object when `strategy == strategy_kind::custom` (must be set then, and
  /// only then). Default none.
  std::shared_ptr<restart_strategy> custom_strategy;

  /// Maximum restarts within `period`; one more and the supervisor stops all children and
  /// exits with `sup_errc::restart_intensity`. Default 1 (OTP).
  std::size_t intensity = 1;

  /// Length of the sliding window for `intensity`. Default 5 s (OTP). Must be > 0.
  std::chrono::milliseconds period{5000};

  /// When significant children shut the supervisor down (it then stops the other children
  /// and exits with `exit_reason::user_shutdown`, OTP's `shutdown`). Default `never`.
  wsnova::auto_shutdown auto_shutdown = wsnova::auto_shutdown::never;

  /// See `child_change_callback`. Default none.
  child_change_callback on_child_change;

  /// If valid, receives `(child_atom, std::string id, caf::actor handle)` for the same
  /// events as `on_child_change` (invalid handle = child down). Default none.
  caf::actor observer;
  /// Registry that counts restarts (`wsnova_supervisor_restarts_total`, labelled
  /// `supervisor` with `name` and `child` with the child's id); call
  /// `declare_wsnova_metrics` on it once. Default none: nothing is counted.
  std::shared_ptr<metrics_registry> metrics;
  /// The `supervisor` label of its metrics. Default "supervisor".
  std::string name = "supervisor";
};

/// Checks the flags (OTP's do_check_flags). Returns a tagged `sup_errc` naming the field,
/// or no error: `invalid_strategy` ("strategy: ...", or "custom_strategy: required ..."),
/// `bad_combination` ("custom_strategy: set, but strategy is ..."), `invalid_period`,
/// `invalid_auto_shutdown`.
caf::error check_flags(const supervisor_flags& flags);

/// Checks one spec against the flags of the supervisor it is for (OTP's
/// check_childspec(Spec, AutoShutdown)): `check_child_spec`, plus `bad_combination` for a
/// significant child under `auto_shutdown::never`.
caf::error check_child_spec(const child_spec& spec, const supervisor_flags& flags);

/// Checks the flags, every spec, and their combination: unique ids
/// (`duplicate_child_id`), exactly one spec for `simple_one_for_one` (`bad_start_spec`).
/// Called by `spawn_supervisor` before anything spawns.
caf::error check_supervisor(const supervisor_flags& flags, const std::vector<child_spec>& specs);

}  // namespace wsnova
