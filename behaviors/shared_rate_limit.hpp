#pragma once

/// @file
/// A rate limit shared by several connections, as an actor: an exchange-wide budget that
/// each connection uses by explicit choice (it holds the handle and asks before sending).

#include <cstdint>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/behaviors/rate_limit.hpp>
#include <wsnova/core/atoms.hpp>

namespace wsnova {

/// The shared bucket's interface. An acquire is answered at once with a `rate_answer`: `sent`
/// (the tokens are taken, send now), `queued` (wait for `(rate_release_atom, ticket)`, which
/// comes to the sender of the acquire in queue order, when the tokens are there) or
/// `rejected` (`rate_limited`). A queued request of an anonymous sender still takes its
/// tokens when its turn comes, so the budget stays honest, but the release goes nowhere.
using shared_rate_limit =
    caf::typed_actor<caf::replies_to<rate_acquire_atom, std::uint32_t>::with<rate_answer>,
                     caf::replies_to<rate_acquire_atom, std::string>::with<rate_answer>,
                     caf::replies_to<rate_status_atom>::with<std::uint32_t, std::uint64_t>,
                     caf::reacts_to<rate_tick_atom>>;

/// Starts a shared bucket with `config`, full at the actor clock's current time. It wakes
/// itself (a message scheduled on the actor clock) when the first queued request's tokens
/// are there, so it needs no timer from outside and runs on CAF's test clock unchanged.
shared_rate_limit spawn_shared_rate_limit(caf::actor_system& system, rate_limit_config config);

/// Announces the message type of the shared bucket (`rate_answer`) to CAF. `io_module` (and
/// `add_message_types`) do this already; call it only when neither is used.
void add_rate_limit_types(caf::actor_system_config& config);

}  // namespace wsnova
