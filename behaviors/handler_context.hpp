#pragma once

/// @file
/// What a handler may ask of the connection it runs in.

#include <string>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>
#include <caf/timespan.hpp>

#include <wsnova/behaviors/directive.hpp>
#include <wsnova/core/backoff.hpp>
#include <wsnova/core/message.hpp>

namespace wsnova {

/// The connection as seen from a handler. Handlers run inside the connection actor, one
/// callback at a time, so the context needs no locking; it is valid only during a callback
/// (or in a continuation the connection runs, see `request_directive`).
class handler_context {
 public:
  virtual ~handler_context();

  /// Returns the stable id of the connection.
  virtual const std::string& connection_id() const = 0;

  /// Returns the URL the connection talks to.
  virtual const std::string& url() const = 0;

  /// Queues a message to the peer (through the message handler's encoding).
  virtual void send(ws_message message) = 0;

  /// Carries out a directive now; used by handlers that decided `deferred`.
  virtual void apply(directive decision) = 0;

  /// Returns the connection's reconnect policy.
  virtual const reconnect_policy& reconnection() const = 0;

  /// Returns the reconnect policy's next delay and counts the attempt, or an error when the
  /// policy gives up (attempts exhausted, reconnection disabled).
  virtual caf::expected<caf::timespan> next_backoff() = 0;

  /// Sends `request` to a handler actor; its `directive` answer is applied when it arrives.
  /// A failed request (handler actor dead, timeout) goes to the error handler.
  virtual void request_directive(const caf::actor& handler, caf::message request) = 0;
};

}  // namespace wsnova
