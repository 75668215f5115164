#include <wsnova/actors/registry.hpp>

#include <algorithm>
#include <map>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <wsnova/core/error.hpp>

namespace wsnova {

namespace {

// cppcheck sees no use of these members: CAF reaches them through `self->state` (and reads
// `name` as the actor's name) in headers cppcheck does not parse.
struct registry_state {
  /// id → current actor (empty while none is alive).
  // cppcheck-suppress unusedStructMember
  std::map<std::string, caf::actor> bindings;
  /// id → followers, in the order they asked.
  // cppcheck-suppress unusedStructMember
  std::map<std::string, std::vector<caf::actor>> followers;
  // cppcheck-suppress unusedStructMember
  static inline const char* name = "wsnova.registry";
};

using registry_pointer = registry_actor::stateful_pointer<registry_state>;

void notify(registry_pointer self, const std::string& id, const caf::actor& handle) {
  auto i = self->state.followers.find(id);
  if (i == self->state.followers.end()) return;
  for (auto& follower : i->second) caf::anon_send(follower, registry_event{id, handle});
}

registry_actor::behavior_type registry_behavior(registry_pointer self) {
  self->set_down_handler([self](const caf::down_msg& msg) {
    for (auto& [id, handle] : self->state.bindings) {
      if (handle && handle.address() == msg.source) {
        handle = nullptr;
        notify(self, id, nullptr);
      }
    }
  });
  return {
      [self](register_atom, const std::string& id, caf::actor& handle) {
        self->monitor(handle);
        self->state.bindings[id] = handle;
        notify(self, id, handle);
      },
      [self](lookup_atom, const std::string& id) -> caf::result<caf::actor> {
        auto i = self->state.bindings.find(id);
        if (i == self->state.bindings.end() || !i->second)
          return make_error(errc::unknown_id, "no live actor registered as '" + id + "'");
        return i->second;
      },
      [self](follow_atom, std::string& id, caf::actor& follower) {
        auto& list = self->state.followers[id];
        if (std::find(list.begin(), list.end(), follower) == list.end()) list.push_back(follower);
        auto i = self->state.bindings.find(id);
        if (i != self->state.bindings.end())
          caf::anon_send(follower, registry_event{id, i->second});
      },
      [self](unfollow_atom, const std::string& id, const caf::actor& follower) {
        auto& list = self->state.followers[id];
        list.erase(std::remove(list.begin(), list.end(), follower), list.end());
      },
      [self](list_atom) {
        std::vector<registry_event> result;
        for (auto& [id, handle] : self->state.bindings)
          if (handle) result.push_back(registry_event{id, handle});
        return result;
      },
  };
}

}  // namespace

registry_actor spawn_registry(caf::actor_system& system) { return system.spawn(registry_behavior); }

}  // namespace wsnova
