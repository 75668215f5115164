#pragma once

/// @file
/// The CAF module behind `enable_distribution`: it spawns the node agent when the actor
/// system starts and stops it when the system stops. Internal to the distribution layer.

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/detail/type_list.hpp>

namespace wsnova::detail {

/// Holds the node agent for the life of the actor system. CAF 0.17 keeps modules in a fixed
/// array by kind; this one takes the `opencl_manager` slot, which only CAF's OpenCL module
/// (not part of wsnova's dependencies) would fill; `io_module` holds `network_manager`.
class node_module final : public caf::actor_system::module {
 public:
  explicit node_module(caf::actor_system& system);

  /// CAF's module factory: called once by the actor system.
  static caf::actor_system::module* make(caf::actor_system& system, caf::detail::type_list<>);

  /// Nothing to configure: `enable_distribution` set the BASP options already.
  void init(caf::actor_system_config& config) override;

  /// Spawns the agent and registers it under `node_agent_name`.
  void start() override;

  /// Unregisters and stops the agent.
  void stop() override;

  /// Returns `opencl_manager` (see the class comment).
  id_t id() const override;

  /// Returns this.
  void* subtype_ptr() override;

 private:
  caf::actor_system& system_;
  caf::actor agent_;
};

}  // namespace wsnova::detail
