#pragma once

/// @file
/// The eight behaviours of one connection.

#include <wsnova/behaviors/auth_behavior.hpp>
#include <wsnova/behaviors/behavior.hpp>
#include <wsnova/behaviors/connection_behavior.hpp>
#include <wsnova/behaviors/error_behavior.hpp>
#include <wsnova/behaviors/logging_behavior.hpp>
#include <wsnova/behaviors/message_behavior.hpp>
#include <wsnova/behaviors/metrics_behavior.hpp>
#include <wsnova/behaviors/rate_limit_behavior.hpp>
#include <wsnova/behaviors/subscription_behavior.hpp>

namespace wsnova {

/// The behaviours of one connection. Each slot holds the default (nothing set), in-process
/// callbacks (`X_behavior::local`) or an actor (`X_behavior::actor`); a user sets only what
/// the platform needs. Defaults cost nothing: the connection does not call a default slot.
struct behavior_set {
  /// Handshake, connect, disconnect, control frames.
  behavior_slot<connection_behavior> connection;
  /// Received messages and outgoing encoding.
  behavior_slot<message_behavior> message;
  /// Error classification and recovery.
  behavior_slot<error_behavior> error;
  /// Authentication on every connect and before a token expires.
  behavior_slot<auth_behavior> auth;
  /// Subscribe and unsubscribe requests, notifications by channel.
  behavior_slot<subscription_behavior> subscription;
  /// Whether a request may leave now (a shared bucket is an actor here).
  behavior_slot<rate_limit_behavior> rate_limit;
  /// Structured log events.
  behavior_slot<logging_behavior> logging;
  /// Measurements.
  behavior_slot<metrics_behavior> metrics;
};

}  // namespace wsnova
