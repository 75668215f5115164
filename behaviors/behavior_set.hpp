#pragma once

/// @file
/// The handlers one connection runs.

#include <memory>

#include <wsnova/behaviors/connection_handler.hpp>
#include <wsnova/behaviors/error_handler.hpp>
#include <wsnova/behaviors/message_handler.hpp>

namespace wsnova {

/// The behaviours of one connection. An empty pointer means the default handler, so a user
/// overrides only what they need. Later behaviours (Subscription, Auth, RateLimit, Logging,
/// Metrics) join this set the same way: an in-process class, an actor interface and an
/// adapter between them.
struct handler_set {
  /// Connect, disconnect, control frames, handshake headers.
  std::shared_ptr<connection_handler> connection;
  /// Received messages and outgoing encoding.
  std::shared_ptr<message_handler> message;
  /// Error classification and recovery.
  std::shared_ptr<error_handler> error;
};

}  // namespace wsnova
