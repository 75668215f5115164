#pragma once

/// @file
/// Announcing wsnova's message types to CAF.

#include <caf/actor_system_config.hpp>

namespace wsnova {

/// Announces every message type wsnova sends (events, messages, directives, status) and the
/// wsnova error category, so they print readably and can cross node boundaries. Call it on
/// the config before creating the actor system.
void add_message_types(caf::actor_system_config& config);

}  // namespace wsnova
