#pragma once

/// @file
/// The echo adapter: the smallest complete adapter, for any server that sends back what it
/// gets (the demo uses it).

#include <string>
#include <string_view>

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include <wsnova/actors/client.hpp>
#include <wsnova/actors/connection_config.hpp>
#include <wsnova/core/message.hpp>

namespace wsnova {

/// An echo server. Its Message behaviour drops the greeting some public echo servers send
/// first ("Request served by ..."), so that every message the owner receives is an echo.
struct echo_adapter {
  /// "echo".
  std::string_view name() const { return "echo"; }
  /// A public echo server, "wss://echo.websocket.org/".
  std::string default_url() const { return "wss://echo.websocket.org/"; }
  /// Sets the Message behaviour (greetings dropped).
  void configure(connection_config& config) const;
};

/// The facade: sends `message` on `conn` and waits up to `timeout` for its echo. Errors: the
/// send's, the receive's (`timeout`), or `protocol_violation` when what came back is not what
/// was sent.
caf::expected<ws_message> echo_round_trip(client& conn, const ws_message& message,
                                          caf::timespan timeout = client::default_timeout);

}  // namespace wsnova
