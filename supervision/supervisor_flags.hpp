#pragma once

/// @file
/// `supervisor_flags`: strategy, restart intensity and change notifications of a
/// supervisor, and their validation.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>

#include <wsnova/supervision/child_spec.hpp>
#include <wsnova/supervision/restart_strategy.hpp>

namespace wsnova {

/// Called inside the supervisor after each change of a child's handle: with the new handle
/// after every (re)start or adoption, with an invalid handle after the child stopped or
/// was released. Must not block. Meant for registries of stable ids.
using child_change_callback = std::function<void(const std::string& id, const caf::actor& handle)>;

/// Supervisor flags (OTP's sup_flags map).
struct supervisor_flags {
  /// Restart strategy. Default `strategy_kind::one_for_one`.
  strategy_kind strategy = strategy_kind::one_for_one;

  /// The strategy object when `strategy == strategy_kind::custom` (must be set then, and
  /// only then). Default none.
  std::shared_ptr<restart_strategy> custom_strategy;

  /// Maximum restarts within `period`; one more and the supervisor stops all children and
  /// exits with `errc::restart_intensity`. Default 1 (OTP). Must be >= 0.
  std::size_t intensity = 1;

  /// Length of the sliding window for `intensity`. Default 5 s (OTP). Must be > 0.
  std::chrono::milliseconds period{5000};

  /// See `child_change_callback`. Default none.
  child_change_callback on_child_change;

  /// If valid, receives `(child_atom, std::string id, caf::actor handle)` for the same
  /// events as `on_child_change` (invalid handle = child down). Default none.
  caf::actor observer;
};

/// Checks the flags. Returns `errc::invalid_spec` naming the field ("period: ...",
/// "custom_strategy: ..."), or no error.
caf::error check_flags(const supervisor_flags& flags);

/// Checks the flags, every spec, and their combination: unique ids ("id: duplicate ..."),
/// exactly one spec for `simple_one_for_one` ("children: ..."). Called by
/// `spawn_supervisor` before anything spawns.
caf::error check_supervisor(const supervisor_flags& flags, const std::vector<child_spec>& specs);

}  // namespace wsnova
