#include <wsnova/actors/io_module.hpp>

#include <algorithm>
#include <cstdint>
#include <string_view>

#include <caf/actor_system_config.hpp>

#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/events.hpp>
#include <wsnova/actors/registry.hpp>
#include <wsnova/behaviors/behavior_set.hpp>
#include <wsnova/behaviors/directive.hpp>
#include <wsnova/behaviors/shared_rate_limit.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/supervision/supervisor_actor.hpp>
#include <wsnova/transport/io_pool.hpp>

namespace wsnova {

io_module::io_module(caf::actor_system&) {
  // nop: the pool starts in start()
}

io_module::~io_module() = default;

caf::actor_system::module* io_module::make(caf::actor_system& system, caf::detail::type_list<>) {
  // CAF takes ownership of the raw pointer (its module array holds unique_ptrs).
  return std::make_unique<io_module>(system).release();
}

void io_module::init(caf::actor_system_config& config) {
  add_message_types(config);
  // caf::string_view has no `const char*` constructor; std::string_view converts to it.
  auto threads = caf::get_or(config, std::string_view{threads_key}, std::int64_t{1});
  threads_ = static_cast<std::size_t>(std::max<std::int64_t>(1, threads));
  // CAF 0.17's idle worker polls 500 times with a 50 us sleep before it waits on a condition
  // variable, and an enqueue does not wake it during those polls: every event a connection
  // sends to an owner on a worker waits up to 50 us. Skip to the wait, which an enqueue
  // ends at once, unless the program chose a value itself.
  if (caf::get_if(&caf::content(config), std::string_view{moderate_polls_key}) == nullptr)
    config.set(std::string_view{moderate_polls_key}, std::size_t{0});
}

void io_module::start() { pool_ = std::make_unique<io_pool>(threads_); }

void io_module::stop() { pool_.reset(); }

caf::actor_system::module::id_t io_module::id() const { return network_manager; }

void* io_module::subtype_ptr() { return this; }

boost::asio::io_context& io_module::next_context() { return pool_->next(); }

std::size_t io_module::threads() const { return threads_; }

io_module* io_module::of(caf::actor_system& system) {
  if (!system.has_network_manager()) return nullptr;
  // CAF 0.17 hands out the slot's subtype_ptr() as `net::middleman&`, a type it only
  // declares; the pointer is this module's own `this` (see subtype_ptr), so cast it back.
  return reinterpret_cast<io_module*>(&system.network_manager());
}

caf::expected<io_module*> io_module::require(caf::actor_system& system) {
  if (auto* module = of(system)) return module;
  return make_error(errc::invalid_argument,
                    "the actor system has no wsnova::io_module: call "
                    "cfg.load<wsnova::io_module>() before creating it");
}

void add_message_types(caf::actor_system_config& config) {
  config.add_message_type<ws_message>("wsnova.ws_message");
  config.add_message_type<directive>("wsnova.directive");
  config.add_message_type<connect_info>("wsnova.connect_info");
  config.add_message_type<disconnect_info>("wsnova.disconnect_info");
  config.add_message_type<handshake>("wsnova.handshake");
  config.add_message_type<rpc_call>("wsnova.rpc_call");
  config.add_message_type<auth_attempt>("wsnova.auth_attempt");
  config.add_message_type<auth_outcome>("wsnova.auth_outcome");
  config.add_message_type<subscription_info>("wsnova.subscription_info");
  config.add_message_type<log_event>("wsnova.log_event");
  config.add_message_type<metric_sample>("wsnova.metric_sample");
  config.add_message_type<connection_status>("wsnova.connection_status");
  config.add_message_type<connected_event>("wsnova.connected_event");
  config.add_message_type<message_event>("wsnova.message_event");
  config.add_message_type<disconnected_event>("wsnova.disconnected_event");
  config.add_message_type<closed_event>("wsnova.closed_event");
  config.add_message_type<error_event>("wsnova.error_event");
  config.add_message_type<reconnecting_event>("wsnova.reconnecting_event");
  config.add_message_type<reconnected_event>("wsnova.reconnected_event");
  config.add_message_type<ownership_event>("wsnova.ownership_event");
  config.add_message_type<unsent_event>("wsnova.unsent_event");
  // The new owner in (transfer_atom, owner): without a name, a transfer request to a
  // connection on another node cannot be serialised and never leaves this node.
  config.add_message_type<connection_owner>("wsnova.connection_owner");
  add_rate_limit_types(config);
  config.add_message_type<std::vector<ws_message>>("wsnova.ws_message_list");
  config.add_message_type<registry_event>("wsnova.registry_event");
  config.add_error_category(error_category_atom::value, [](std::uint8_t code, caf::atom_value,
                                                           const caf::message& context) {
    return describe(caf::error{code, error_category_atom::value, context});
  });
  add_supervision_message_types(config);
}

}  // namespace wsnova
