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

/// An actor system plus one I/O thread. Members are destroyed in reverse order: the actor
/// system first (its destructor waits for every actor, and connection actors may run on the
/// I/O thread, so that thread must still run), then the pool. Destroy every `client` before
/// this.
struct runtime {
  /// The configuration; must outlive `system`.
  cli_actor_config config;
  /// The I/O thread driving the socket (and the connection actor); outlives `system`.
  io_pool pool{1};
  /// The actor system.
  caf::actor_system system{config};
};

}  // namespace wsnova::cli
