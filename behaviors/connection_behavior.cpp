#include <wsnova/behaviors/connection_handler.hpp>

#include <wsnova/behaviors/detail/actor_handler.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova {

handler_context::~handler_context() = default;

connection_handler::~connection_handler() = default;

void connection_handler::on_handshake(handler_context&, session_options&) {
  // nop
}

directive connection_handler::on_connect(handler_context&, const connect_info&) {
  return directive::ok();
}

bool should_reconnect(const disconnect_info& info) {
  if (info.user_requested || !info.cause) return false;
  switch (code_of(info.cause)) {
    case errc::closed_by_peer:
      switch (info.code) {
        case 1001:
        case 1006:
        case 1011:
        case 1012:
        case 1013:
        case 1014:
          return true;
        default:
          return false;
      }
    case errc::connection_lost:
    case errc::timeout:
    case errc::dns:
    case errc::connect_refused:
      return true;
    case errc::upgrade_rejected:
      return upgrade_status(info.cause) >= 500;
    default:
      return false;
  }
}

directive connection_handler::on_disconnect(handler_context& context, const disconnect_info& info) {
  const bool first_connect_failed = info.connects == 0;
  // Not reconnecting: end with the real cause (a dropped connection, the server's 1011),
  // not with "reconnection disabled".
  if (!context.reconnection().enabled || !should_reconnect(info) ||
      (first_connect_failed && !context.reconnection().retry_initial_connect)) {
    if (info.cause) return directive::stop(info.cause);
    return directive::close(info.code, info.reason);
  }
  auto delay = context.next_backoff();
  if (!delay) return directive::stop(delay.error());
  return directive::reconnect(*delay);
}

directive connection_handler::on_control_frame(handler_context&, control_kind, std::string_view) {
  return directive::ok();
}

namespace {

class connection_handler_adapter final : public detail::actor_handler<connection_handler> {
 public:
  using actor_handler::actor_handler;

  directive on_connect(handler_context& context, const connect_info& info) override {
    return ask(context, on_connect_atom::value, info);
  }

  directive on_disconnect(handler_context& context, const disconnect_info& info) override {
    return ask(context, on_disconn_atom::value, info);
  }

  directive on_control_frame(handler_context& context, control_kind kind,
                             std::string_view payload) override {
    return ask(context, on_control_atom::value, kind, std::string{payload});
  }
};

}  // namespace

std::shared_ptr<connection_handler> make_connection_handler(connection_handler_actor handler) {
  return std::make_shared<connection_handler_adapter>(std::move(handler));
}

}  // namespace wsnova
