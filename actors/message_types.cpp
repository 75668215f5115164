#include <wsnova/actors/message_types.hpp>

#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/events.hpp>
#include <wsnova/actors/registry.hpp>
#include <wsnova/behaviors/connection_handler.hpp>
#include <wsnova/behaviors/directive.hpp>
#include <wsnova/transport/error.hpp>

namespace wsnova {

void add_message_types(caf::actor_system_config& config) {
  config.add_message_type<ws_message>("wsnova.ws_message");
  config.add_message_type<directive>("wsnova.directive");
  config.add_message_type<connect_info>("wsnova.connect_info");
  config.add_message_type<disconnect_info>("wsnova.disconnect_info");
  config.add_message_type<connection_status>("wsnova.connection_status");
  config.add_message_type<connected_event>("wsnova.connected_event");
  config.add_message_type<message_event>("wsnova.message_event");
  config.add_message_type<disconnected_event>("wsnova.disconnected_event");
  config.add_message_type<closed_event>("wsnova.closed_event");
  config.add_message_type<error_event>("wsnova.error_event");
  config.add_message_type<reconnecting_event>("wsnova.reconnecting_event");
  config.add_message_type<reconnected_event>("wsnova.reconnected_event");
  config.add_message_type<ownership_event>("wsnova.ownership_event");
  config.add_message_type<registry_event>("wsnova.registry_event");
  config.add_error_category(error_category_atom::value,
                            [](std::uint8_t code, caf::atom_value, const caf::message& context) {
                              return describe(caf::error{code, error_category_atom::value,
                                                         context});
                            });
}

}  // namespace wsnova
