// An owner written against `wsnova::connection_owner`. Built as is, it handles all nine
// events and must compile; built with WSNOVA_FORGET_AN_EVENT, it leaves out `error_event`
// and must not compile (CTest `owner_missing_event_does_not_compile`).

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <wsnova/actors/connection_owner.hpp>

namespace {

wsnova::connection_owner::behavior_type owner(wsnova::connection_owner::pointer) {
  return {
      [](wsnova::connected_event&) {},    [](wsnova::message_event&) {},
      [](wsnova::disconnected_event&) {}, [](wsnova::reconnecting_event&) {},
      [](wsnova::reconnected_event&) {},  [](wsnova::closed_event&) {},
#ifndef WSNOVA_FORGET_AN_EVENT
      [](wsnova::error_event&) {},
#endif
      [](wsnova::ownership_event&) {},    [](wsnova::unsent_event&) {},
  };
}

}  // namespace

int main() {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  auto handle = system.spawn(owner);
  return handle ? 0 : 1;
}
