#include <wsnova/behaviors/error_handler.hpp>

#include <wsnova/behaviors/detail/actor_handler.hpp>

namespace wsnova {

error_handler::~error_handler() = default;

directive error_handler::on_error(handler_context&, const caf::error&) { return directive::ok(); }

namespace {

class error_handler_adapter final : public detail::actor_handler<error_handler> {
 public:
  using actor_handler::actor_handler;

  directive on_error(handler_context& context, const caf::error& error) override {
    return ask(context, on_error_atom::value, error);
  }
};

}  // namespace

std::shared_ptr<error_handler> make_error_handler(error_handler_actor handler) {
  return std::make_shared<error_handler_adapter>(std::move(handler));
}

}  // namespace wsnova
