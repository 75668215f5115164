#include <wsnova/distribution/node.hpp>

#include <string_view>

#include <caf/actor_registry.hpp>
#include <caf/io/middleman.hpp>

#include <wsnova/core/atoms.hpp>
#include <wsnova/core/errc.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/distribution/detail/node_module.hpp>

namespace wsnova {

std::string to_string(const node_address& x) {
  if (x.is_local()) return "local";
  return x.host + ":" + std::to_string(x.port);
}

void enable_distribution(caf::actor_system_config& cfg, const distribution_options& options) {
  auto set_default = [&](std::string_view key, caf::timespan value) {
    if (caf::get_if(&caf::content(cfg), key) == nullptr) cfg.set(key, value);
  };
  set_default("middleman.heartbeat-interval", options.heartbeat_interval);
  set_default("middleman.connection-timeout", options.connection_timeout);
  cfg.load<caf::io::middleman>();
  cfg.load<detail::node_module>();
}

caf::actor node_agent(caf::actor_system& system) {
  return caf::actor_cast<caf::actor>(system.registry().get(node_agent_name));
}

caf::expected<std::uint16_t> open_node(caf::actor_system& system, std::uint16_t port,
                                       const std::string& address) {
  auto agent = node_agent(system);
  if (!agent || !system.has_middleman())
    return make_error(errc::not_allowed, "open_node: call enable_distribution(cfg) first");
  // reuse_addr: a node restarted on its old port must not wait out TIME_WAIT.
  return system.middleman().publish(agent, port, address.c_str(), true);
}

}  // namespace wsnova
