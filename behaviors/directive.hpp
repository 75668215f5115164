#pragma once

/// @file
/// Directives: what a handler tells the connection actor to do next.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timestamp.hpp>

#include <wsnova/core/message.hpp>

namespace wsnova {

/// The kinds of directive, mirroring the tuples WebsockexNova's callbacks return.
enum class directive_kind : std::uint8_t {
  /// Carry on as usual (for a received message: deliver it to the owner).
  ok,
  /// Drop the event: a received message is not delivered to the owner.
  ignore,
  /// Send `frames` to the peer; a received message counts as handled and is not delivered.
  reply,
  /// Drop the connection and connect again after `delay`.
  reconnect,
  /// Close with `code` and `reason`; final, never reconnects.
  close,
  /// Drop the connection at once and stop the actor with `error` as its exit reason.
  stop,
  /// The decision comes later, through `handler_context::apply` (asynchronous handlers).
  deferred,
};

/// Returns the name of a directive kind, e.g. "reconnect".
const char* to_string(directive_kind kind);

/// A handler's decision. Build one with the named constructors.
struct directive {
  /// What to do.
  directive_kind kind = directive_kind::ok;
  /// Frames to send (reply).
  std::vector<ws_message> frames;
  /// Delay before connecting again (reconnect).
  caf::timespan delay{0};
  /// Close code (close); 1000 by default.
  std::uint16_t code = close_code::normal;
  /// Close reason (close), at most 123 bytes.
  std::string reason;
  /// Exit reason (stop).
  caf::error error;

  /// Returns `ok`.
  static directive ok() { return {}; }
  /// Returns `ignore`.
  static directive ignore() { return with(directive_kind::ignore); }
  /// Returns `deferred`.
  static directive deferred() { return with(directive_kind::deferred); }
  /// Returns `reply` with one frame.
  static directive reply(ws_message frame);
  /// Returns `reply` with several frames, sent in order.
  static directive reply(std::vector<ws_message> frames);
  /// Returns `reconnect` after `delay`.
  static directive reconnect(caf::timespan delay);
  /// Returns `close` with a code and reason.
  static directive close(std::uint16_t code = close_code::normal, std::string reason = {});
  /// Returns `stop` with an exit reason.
  static directive stop(caf::error reason);

 private:
  static directive with(directive_kind kind) {
    directive result;
    result.kind = kind;
    return result;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, directive& x) {
  return f(caf::meta::type_name("wsnova.directive"), x.kind, x.frames, x.delay, x.code, x.reason,
           x.error);
}

}  // namespace wsnova
