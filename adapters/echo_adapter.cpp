#include <wsnova/adapters/echo_adapter.hpp>

#include <wsnova/core/error.hpp>

namespace wsnova {

void echo_adapter::configure(connection_config& config) const {
  config.behaviors.message =
      message_behavior::local{}.on(handle_msg_atom::value, [](handler_context&, ws_message& m) {
        const bool greeting =
            m.kind == message_kind::text && m.payload.starts_with("Request served by ");
        return greeting ? directive::ignore() : directive::ok();
      });
}

caf::expected<ws_message> echo_round_trip(client& conn, const ws_message& message,
                                          caf::timespan timeout) {
  if (auto err = conn.send(message, timeout)) return err;
  auto reply = conn.receive(timeout);
  if (!reply) return reply.error();
  if (reply->kind != message.kind || reply->payload != message.payload)
    return make_error(errc::protocol_violation, "the echo differs from what was sent");
  return reply;
}

}  // namespace wsnova
