#pragma once

/// @file
/// Everything a connection actor is started with.

#include <string>

#include <wsnova/behaviors/handler_set.hpp>
#include <wsnova/transport/session_options.hpp>

namespace wsnova {

/// Configuration of one connection.
struct connection_config {
  /// ws:// or wss:// URL. Required.
  std::string url;
  /// Stable id used in events and by the registry. Default: "conn-" followed by the actor id.
  std::string id;
  /// Transport options: headers, subprotocols, compression, limits, timeouts, TLS.
  session_options session;
  /// Handlers; empty entries use the defaults.
  handler_set handlers;
  /// Close with 1001 and exit when the owner terminates. Default true; when false, the
  /// connection keeps running without an owner and drops its events.
  bool close_when_owner_down = true;
};

}  // namespace wsnova
