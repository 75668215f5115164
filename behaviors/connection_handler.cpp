#include <wsnova/behaviors/connection_handler.hpp>

#include <caf/actor_cast.hpp>
#include <caf/make_message.hpp>

namespace wsnova {

handler_context::~handler_context() = default;

connection_handler::~connection_handler() = default;

void connection_handler::on_handshake(handler_context&, session_options&) {
  // nop
}

directive connection_handler::on_connect(handler_context&, const connect_info&) {
  return directive::ok();
}

directive connection_handler::on_disconnect(handler_context&, const disconnect_info& info) {
  if (info.cause) return directive::stop(info.cause);
  return directive::close(info.code, info.reason);
}

directive connection_handler::on_control_frame(handler_context&, control_kind,
                                               std::string_view) {
  return directive::ok();
}

namespace {

class connection_handler_adapter final : public connection_handler {
 public:
  explicit connection_handler_adapter(connection_handler_actor handler)
    : handler_(caf::actor_cast<caf::actor>(std::move(handler))) {}

  directive on_connect(handler_context& context, const connect_info& info) override {
    context.request_directive(handler_, caf::make_message(on_connect_atom::value, info));
    return directive::deferred();
  }

  directive on_disconnect(handler_context& context, const disconnect_info& info) override {
    context.request_directive(handler_, caf::make_message(on_disconn_atom::value, info));
    return directive::deferred();
  }

  directive on_control_frame(handler_context& context, control_kind kind,
                             std::string_view payload) override {
    context.request_directive(
      handler_, caf::make_message(on_control_atom::value, kind, std::string{payload}));
    return directive::deferred();
  }

 private:
  caf::actor handler_;
};

}  // namespace

std::shared_ptr<connection_handler> make_connection_handler(connection_handler_actor handler) {
  return std::make_shared<connection_handler_adapter>(std::move(handler));
}

}  // namespace wsnova
