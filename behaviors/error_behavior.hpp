#pragma once

/// @file
/// ErrorHandler: classifies errors and decides the recovery.

#include <memory>

#include <caf/error.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/behaviors/directive.hpp>
#include <wsnova/behaviors/handler_context.hpp>
#include <wsnova/core/atoms.hpp>

namespace wsnova {

/// In-process ErrorHandler. Every error the connection meets passes through it first: a
/// failed connect, a dropped connection, a handler failure. The owner is told of the error
/// (an `error_event`) unless the handler returns `ignore`.
class error_handler {
 public:
  virtual ~error_handler();

  /// Decides what to do about `error`. Default: `ok`, which leaves the decision to the
  /// ConnectionHandler's `on_disconnect` when the transport went down, and carries on
  /// otherwise.
  virtual directive on_error(handler_context& context, const caf::error& error);
};

/// ErrorHandler as a separate actor.
using error_handler_actor =
    caf::typed_actor<caf::replies_to<on_error_atom, caf::error>::with<directive>>;

/// Returns an in-process handler forwarding each error to `handler` (`deferred`).
std::shared_ptr<error_handler> make_error_handler(error_handler_actor handler);

}  // namespace wsnova
