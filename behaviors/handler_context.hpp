#pragma once

/// @file
/// What an in-process behaviour may ask of the connection it runs in.

#include <string>

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include <wsnova/behaviors/directive.hpp>
#include <wsnova/core/backoff.hpp>
#include <wsnova/core/message.hpp>

namespace wsnova {

/// The connection as seen from an in-process callback. Callbacks run inside the connection
/// actor, one at a time, so the context needs no locking; it is valid only during a callback
/// (or in a continuation the connection runs). Actor forms talk to the connection through its
/// `connection` handle instead.
class handler_context {
 public:
  virtual ~handler_context();

  /// Returns the stable id of the connection.
  virtual const std::string& connection_id() const = 0;

  /// Returns the URL the connection talks to.
  virtual const std::string& url() const = 0;

  /// Queues a message to the peer (through the Message behaviour's encoding); a refusal goes
  /// to the owner as an `error_event`.
  virtual void send(ws_message message) = 0;

  /// Carries out a directive now; for callbacks that answered `deferred`.
  virtual void apply(directive decision) = 0;

  /// Returns the connection's reconnect policy.
  virtual const reconnect_policy& reconnection() const = 0;
};

}  // namespace wsnova
