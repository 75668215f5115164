#include <wsnova/behaviors/error_handler.hpp>

#include <caf/actor_cast.hpp>
#include <caf/make_message.hpp>

namespace wsnova {

error_handler::~error_handler() = default;

directive error_handler::on_error(handler_context&, const caf::error&) { return directive::ok(); }

namespace {

class error_handler_adapter final : public error_handler {
 public:
  explicit error_handler_adapter(error_handler_actor handler)
      : handler_(caf::actor_cast<caf::actor>(std::move(handler))) {}

  directive on_error(handler_context& context, const caf::error& error) override {
    context.request_directive(handler_, caf::make_message(on_error_atom::value, error));
    return directive::deferred();
  }

 private:
  caf::actor handler_;
};

}  // namespace

std::shared_ptr<error_handler> make_error_handler(error_handler_actor handler) {
  return std::make_shared<error_handler_adapter>(std::move(handler));
}

}  // namespace wsnova
