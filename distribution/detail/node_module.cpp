#include <wsnova/distribution/detail/node_module.hpp>

#include <memory>
#include <string>

#include <caf/actor_registry.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/spawn_options.hpp>

#include <wsnova/core/atoms.hpp>

namespace wsnova::detail {

namespace {

// The agent only has to exist: other nodes monitor it, and `open_node` publishes it so the
// middleman keeps one BASP connection per node (it caches connections to published actors).
// It answers `status` with this node's id, which helps when reading a tree across nodes.
caf::behavior node_agent_behavior(caf::event_based_actor* self) {
  return {[self](status_atom) { return caf::to_string(self->system().node()); }};
}

}  // namespace

node_module::node_module(caf::actor_system& system) : system_(system) {}

caf::actor_system::module* node_module::make(caf::actor_system& system, caf::detail::type_list<>) {
  // CAF takes ownership of the raw pointer (its module array holds unique_ptrs).
  return std::make_unique<node_module>(system).release();
}

void node_module::init(caf::actor_system_config&) {
  // nop
}

void node_module::start() {
  // Hidden: the actor system does not wait for it at shutdown; stop() ends it.
  agent_ = system_.spawn<caf::hidden>(node_agent_behavior);
  system_.registry().put(node_agent_name, caf::actor_cast<caf::strong_actor_ptr>(agent_));
}

void node_module::stop() {
  system_.registry().erase(node_agent_name);
  caf::anon_send_exit(agent_, caf::exit_reason::user_shutdown);
  agent_ = nullptr;
}

caf::actor_system::module::id_t node_module::id() const { return opencl_manager; }

void* node_module::subtype_ptr() { return this; }

}  // namespace wsnova::detail
