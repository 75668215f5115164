// wsnova-observer-demo: the observer tests' tree (observer_fixture.hpp) under supervisor
// "app", with its connection on the in-process echo server, and the observer on
// 127.0.0.1 (port 0 unless --port N). Prints "port=N" once serving, then reads commands on
// stdin: `kill <child-id>` kills that child of "app" (exit_reason::kill) and prints
// "killed <id>" (or "no child <id>"); `quit` or the end of input stops.
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include <caf/all.hpp>

#include <wsnova/actors/io_module.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/observer/observer.hpp>
#include <wsnova/testing/echo_server.hpp>

#include "observer_fixture.hpp"

using namespace wsnova;

namespace {

/// The running handle of child `id` of `sup`, or an invalid handle.
caf::actor child_of(caf::actor_system& system, const supervisor_actor& sup, const std::string& id) {
  caf::actor result;
  caf::scoped_actor self{system};
  self->request(sup, std::chrono::seconds{5}, which_children_atom::value)
      .receive(
          [&](std::vector<child_info>& rows) {
            for (auto& row : rows)
              if (row.id == id) result = row.handle;
          },
          [](caf::error&) { /* none */ });
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint16_t port = 0;
  if (argc == 3 && std::string{argv[1]} == "--port") {
    port = static_cast<std::uint16_t>(std::stoi(argv[2]));
  } else if (argc != 1) {
    std::cerr << "usage: wsnova-observer-demo [--port N]\n";
    return EXIT_FAILURE;
  }
  test::echo_server server;
  caf::actor_system_config cfg;
  cfg.load<io_module>();
  caf::actor_system system{cfg};
  auto owner = system.spawn(test::sink_owner);
  auto app = spawn_supervisor(system, test::demo_flags(), test::demo_tree(server.url(), owner));
  if (!app) {
    std::cerr << "cannot start the tree: " << describe(app.error()) << '\n';
    return EXIT_FAILURE;
  }
  int status = EXIT_SUCCESS;
  {
    observer_options options;
    options.port = port;
    options.roots = {{"app", *app}};
    auto observer = start_observer(system, options);
    if (!observer) {
      std::cerr << "cannot start the observer: " << describe(observer.error()) << '\n';
      status = EXIT_FAILURE;
    } else {
      std::cout << "port=" << observer->port() << '\n' << std::flush;
      std::cerr << "observer at " << observer->url() << '\n';
      std::string line;
      while (std::getline(std::cin, line)) {
        std::istringstream words{line};
        std::string command;
        std::string id;
        words >> command >> id;
        if (command == "quit") break;
        if (command == "kill" && !id.empty()) {
          auto child = child_of(system, *app, id);
          if (child) caf::anon_send_exit(child, caf::exit_reason::kill);
          std::cout << (child ? "killed " : "no child ") << id << '\n' << std::flush;
        } else if (!command.empty()) {
          std::cout << "unknown command: " << line << '\n' << std::flush;
        }
      }
    }
  }  // the observer stops before the system
  caf::anon_send_exit(*app, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
  return status;
}
