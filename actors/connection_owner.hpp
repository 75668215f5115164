#pragma once

/// @file
/// The typed interface of a connection's owner: the actor that receives its events.

#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/actors/events.hpp>

namespace wsnova {

/// An actor that receives every event of the connections it owns, like Gun's owner process.
/// Its behaviour must handle all nine events, so an owner that forgets one does not
/// compile (instead of silently dropping it at run time):
/// ```
/// wsnova::connection_owner::behavior_type owner(wsnova::connection_owner::pointer self) {
///   return {
///     [](wsnova::connected_event&) {}, [](wsnova::message_event& e) { ... },
///     [](wsnova::disconnected_event&) {}, [](wsnova::reconnecting_event&) {},
///     [](wsnova::reconnected_event&) {}, [](wsnova::closed_event&) {},
///     [](wsnova::error_event&) {}, [](wsnova::ownership_event&) {},
///     [](wsnova::unsent_event&) {},
///   };
/// }
/// ```
/// An owner may handle more messages: a handle whose interface extends this one
/// (`connection_owner::extend<...>`) converts to it.
using connection_owner =
    caf::typed_actor<caf::reacts_to<connected_event>, caf::reacts_to<message_event>,
                     caf::reacts_to<disconnected_event>, caf::reacts_to<reconnecting_event>,
                     caf::reacts_to<reconnected_event>, caf::reacts_to<closed_event>,
                     caf::reacts_to<error_event>, caf::reacts_to<ownership_event>,
                     caf::reacts_to<unsent_event>>;

/// The explicit adapter for an untyped owner: you vouch that `owner` handles every event.
/// An event it does not handle is answered with `unexpected_message`, which the connection
/// ignores, so the event is lost: prefer a typed owner. Returns an empty handle for an
/// empty `owner`. `Handle` is anything `caf::actor_cast` takes: `caf::actor`, a
/// `caf::scoped_actor`, an actor pointer such as `self`.
template <class Handle>
connection_owner unchecked_owner(const Handle& owner) {
  return caf::actor_cast<connection_owner>(owner);
}

}  // namespace wsnova
