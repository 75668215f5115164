#pragma once

/// @file
/// The actor system and I/O threads the `wsnova` command runs on.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <wsnova/actors/message_types.hpp>
#include <wsnova/transport/io_pool.hpp>

namespace wsnova::cli {

/// Actor system configuration: wsnova's message types announced, a small scheduler (one
/// connection needs little; the frame path runs on the I/O thread anyway).
struct cli_actor_config : caf::actor_system_config {
  cli_actor_config() {
    wsnova::add_message_types(*this);
    set("scheduler.max-threads", 2);
  }
};

/// An actor system plus one I/O thread. Members are destroyed in reverse order, so the
/// I/O threads stop before the actor system; destroy every `client` before this.
struct runtime {
  /// The configuration; must outlive `system`.
  cli_actor_config config;
  /// The actor system.
  caf::actor_system system{config};
  /// The I/O thread driving the socket.
  io_pool pool{1};
};

}  // namespace wsnova::cli
