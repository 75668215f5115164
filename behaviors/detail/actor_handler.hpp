#pragma once

// The one shape of the adapters that run a handler behaviour in a separate actor
// (`make_connection_handler`, `make_message_handler`, `make_error_handler`): each callback
// becomes one request to the actor and answers `deferred`; the actor's directive is applied
// when its reply arrives. Internal.

#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/make_message.hpp>

#include <wsnova/behaviors/directive.hpp>
#include <wsnova/behaviors/handler_context.hpp>

namespace wsnova::detail {

/// Implements `Handler` by asking the handler actor; derived classes override each
/// callback with one `ask`.
template <class Handler>
class actor_handler : public Handler {
 public:
  /// Asks `handler`, a typed actor of the `Handler`'s actor interface.
  template <class TypedActor>
  explicit actor_handler(TypedActor handler)
      : handler_(caf::actor_cast<caf::actor>(std::move(handler))) {}

 protected:
  /// Sends `(xs...)` to the handler actor through `context` and answers `deferred`.
  template <class... Ts>
  directive ask(handler_context& context, Ts&&... xs) {
    context.request_directive(handler_, caf::make_message(std::forward<Ts>(xs)...));
    return directive::deferred();
  }

 private:
  // Untyped: the context takes any handler actor; the typed handle was checked on the way in.
  caf::actor handler_;
};

}  // namespace wsnova::detail
