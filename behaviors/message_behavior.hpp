#pragma once

/// @file
/// The Message behaviour: what happens to each received message, and how outgoing ones are
/// encoded.

#include <chrono>

#include <wsnova/behaviors/behavior.hpp>
#include <wsnova/behaviors/directive.hpp>
#include <wsnova/core/atoms.hpp>
#include <wsnova/core/message.hpp>

namespace wsnova {

/// The Message behaviour (WebsockexNova's MessageHandler). Callbacks and their defaults:
///
/// - `(handle_msg_atom, ws_message)` → `directive`; default: `ok`: deliver the message to the owner
/// (`message_event`)
/// - `(encode_atom, ws_message)` → `ws_message`; default: unchanged; an error answer refuses the
/// send with that error
///
/// `ok` delivers the received message in both forms (an actor gets a copy and the connection
/// delivers its own); `ignore` drops it; `reply` sends frames instead of delivering;
/// `close`, `stop` and `reconnect` act on the connection. The in-process form may move the
/// payload out only when it does not answer `ok`. Answers of the actor form are applied in
/// the order the messages arrived. Default timeout for the actor form: 5 s.
struct message_behavior : behavior_decl<callback<handle_msg_atom, directive(ws_message)>,
                                        callback<encode_atom, ws_message(ws_message)>> {
  /// How long the actor form may take to answer.
  static constexpr caf::timespan default_timeout = std::chrono::seconds{5};
};

}  // namespace wsnova
