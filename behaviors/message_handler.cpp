#include <wsnova/behaviors/message_handler.hpp>

#include <caf/actor_cast.hpp>
#include <caf/make_message.hpp>

namespace wsnova {

message_handler::~message_handler() = default;

directive message_handler::handle_message(handler_context&, ws_message&) { return directive::ok(); }

caf::expected<ws_message> message_handler::encode(handler_context&, ws_message message) {
  return message;
}

namespace {

class message_handler_adapter final : public message_handler {
 public:
  explicit message_handler_adapter(message_handler_actor handler)
      : handler_(caf::actor_cast<caf::actor>(std::move(handler))) {}

  directive handle_message(handler_context& context, ws_message& message) override {
    context.request_directive(handler_, caf::make_message(handle_msg_atom::value, message));
    return directive::deferred();
  }

 private:
  caf::actor handler_;
};

}  // namespace

std::shared_ptr<message_handler> make_message_handler(message_handler_actor handler) {
  return std::make_shared<message_handler_adapter>(std::move(handler));
}

}  // namespace wsnova
