#pragma once

/// @file
/// MessageHandler: what to do with each received message, and how outgoing ones are encoded.

#include <memory>

#include <caf/expected.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/behaviors/directive.hpp>
#include <wsnova/behaviors/handler_context.hpp>
#include <wsnova/core/atoms.hpp>
#include <wsnova/core/message.hpp>

namespace wsnova {

/// In-process MessageHandler, run inside the connection actor for every message.
class message_handler {
 public:
  virtual ~message_handler();

  /// Decides what happens to a received message. Default: `ok` (deliver it to the owner).
  /// `reply` answers the peer, `ignore` drops it, `close`/`stop`/`reconnect` act on the
  /// connection. The handler may move the payload out only when it does not return `ok`.
  virtual directive handle_message(handler_context& context, ws_message& message);

  /// Encodes an outgoing message. Default: unchanged. An error rejects the send.
  virtual caf::expected<ws_message> encode(handler_context& context, ws_message message);
};

/// MessageHandler as a separate actor: answers each message with a directive. A slow or
/// blocking handler belongs in such an actor, off the connection's thread.
using message_handler_actor =
    caf::typed_actor<caf::replies_to<handle_msg_atom, ws_message>::with<directive>>;

/// Returns an in-process handler forwarding each message to `handler` (`deferred`). The
/// handler actor takes over the message: it is not delivered to the owner, and the answer's
/// directive (`reply`, `close`, ...) is applied when it arrives. Encoding is unchanged.
std::shared_ptr<message_handler> make_message_handler(message_handler_actor handler);

}  // namespace wsnova
