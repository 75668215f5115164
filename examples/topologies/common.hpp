// Shared setup of the topology examples: the server to talk to (the embedded echo server
// unless a ws:// URL is given as the first argument) and an actor system configuration.
#pragma once

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include <caf/actor_system_config.hpp>

#include <wsnova/actors/io_module.hpp>
#include <wsnova/supervision/supervisor_actor.hpp>
#include <wsnova/tests/support/echo_server.hpp>

namespace topo {

/// The embedded echo server, or the URL given on the command line.
struct endpoint {
  std::optional<wsnova::test::echo_server> server;
  std::string url;

  endpoint(int argc, char** argv) {
    if (argc > 1) {
      url = argv[1];
    } else {
      server.emplace();
      url = server->url();
    }
    std::cout << "server: " << url << (server ? " (embedded echo server)" : "") << '\n';
  }
};

struct config : caf::actor_system_config {
  config() {
    load<wsnova::io_module>();
  }
};

/// How long the examples wait for anything before giving up.
inline constexpr auto patience = std::chrono::seconds{10};

}  // namespace topo
