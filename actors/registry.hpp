#pragma once

/// @file
/// A registry of stable connection ids: a restarted connection is a new actor, but users
/// address it by id, and the registry always resolves the current handle.

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/core/atoms.hpp>

namespace wsnova {

/// Sent to followers whenever an id gets a new actor, and when its actor terminates
/// (`handle` empty); a new follower gets the current binding at once.
struct registry_event {
  /// The stable id.
  std::string id;
  /// The current actor, empty while none is alive.
  caf::actor handle;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registry_event& x) {
  return f(caf::meta::type_name("wsnova.registry_event"), x.id, x.handle);
}

/// The registry's interface.
///
/// - `(register_atom, id, actor)`: binds `id` to `actor` and monitors it; when that actor
///   terminates the binding is cleared (a stale down message of an actor that was already
///   replaced changes nothing). Connections register themselves when
///   `connection_config::registry` is set, so a connection restarted by a supervisor
///   re-binds its id on start.
/// - `(lookup_atom, id) -> caf::actor`: the live actor; error `unknown_id` when none.
/// - `(follow_atom, id, follower)` / `(unfollow_atom, id, follower)`: `registry_event`s to
///   the follower on every change of `id`.
/// - `(list_atom) -> std::vector<registry_event>`: every live binding, by id.
using registry_actor =
    caf::typed_actor<caf::reacts_to<register_atom, std::string, caf::actor>,
                     caf::replies_to<lookup_atom, std::string>::with<caf::actor>,
                     caf::reacts_to<follow_atom, std::string, caf::actor>,
                     caf::reacts_to<unfollow_atom, std::string, caf::actor>,
                     caf::replies_to<list_atom>::with<std::vector<registry_event>>>;

/// Spawns a registry.
registry_actor spawn_registry(caf::actor_system& system);

}  // namespace wsnova
