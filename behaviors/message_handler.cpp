#include <wsnova/behaviors/message_handler.hpp>

#include <wsnova/behaviors/detail/actor_handler.hpp>

namespace wsnova {

message_handler::~message_handler() = default;

directive message_handler::handle_message(handler_context&, ws_message&) { return directive::ok(); }

caf::expected<ws_message> message_handler::encode(handler_context&, ws_message message) {
  return message;
}

namespace {

class message_handler_adapter final : public detail::actor_handler<message_handler> {
 public:
  using actor_handler::actor_handler;

  directive handle_message(handler_context& context, ws_message& message) override {
    return ask(context, handle_msg_atom::value, message);
  }
};

}  // namespace

std::shared_ptr<message_handler> make_message_handler(message_handler_actor handler) {
  return std::make_shared<message_handler_adapter>(std::move(handler));
}

}  // namespace wsnova
