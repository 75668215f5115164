#pragma once

/// @file
/// The actor system and I/O threads the `wsnova` command runs on.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <wsnova/actors/io_module.hpp>

namespace wsnova::cli {

/// Actor system configuration: wsnova's message types announced, a small scheduler (one
/// connection needs little; the frame path runs on the I/O thread anyway).
struct cli_actor_config : caf::actor_system_config {
  cli_actor_config() {
    load<wsnova::io_module>();
    set("scheduler.max-threads", 2);
  }
};

/// An actor system with wsnova's module (one I/O thread). Destroy every `client` before
/// this.
struct runtime {
  /// The configuration; must outlive `system`.
  cli_actor_config config;
  /// The actor system.
  caf::actor_system system{config};
};

}  // namespace wsnova::cli
