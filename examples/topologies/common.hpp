// Shared setup of the topology examples: the server to talk to (the embedded echo server
// unless a ws:// URL is given as the first argument), an actor system with wsnova's module,
// and the verdict line the CTest cases match.
#pragma once

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <wsnova/actors/io_module.hpp>
#include <wsnova/testing/echo_server.hpp>

namespace topo {

/// How long the examples wait for anything before giving up.
inline constexpr auto patience = std::chrono::seconds{10};

/// What a scenario gets: the actor system, the server's URL, and a scoped actor standing for
/// the application (owner of connections, observer of supervisors).
struct context {
  caf::actor_system& sys;
  std::string url;
  caf::scoped_actor& self;
};

/// Runs `scenario(context&) -> bool` on the embedded echo server (or the URL in `argv[1]`)
/// and prints "<name>: OK" or "FAILED"; returns the process exit status.
template <class Scenario>
int run(int argc, char** argv, const char* name, Scenario scenario) {
  std::optional<wsnova::test::echo_server> server;
  std::string url;
  if (argc > 1) {
    url = argv[1];
  } else {
    url = server.emplace().url();
  }
  std::cout << "server: " << url << (server ? " (embedded echo server)" : "") << '\n';
  caf::actor_system_config cfg;
  cfg.load<wsnova::io_module>();
  caf::actor_system sys{cfg};
  bool ok = false;
  {
    caf::scoped_actor self{sys};
    context ctx{sys, url, self};
    ok = scenario(ctx);
  }
  std::cout << (ok ? std::string{name} + ": OK" : std::string{"FAILED"}) << '\n';
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

/// Asks `actor` to shut down and waits until it is gone.
inline void stop(caf::scoped_actor& self, const caf::actor& actor) {
  self->monitor(actor);
  self->send_exit(actor, caf::exit_reason::user_shutdown);
  self->receive([](caf::down_msg&) {});
}

}  // namespace topo
