// wsnova: a WebSocket command-line client (like wscat or websocat) on the wsnova library.
// Without a URL it runs a demo against an embedded echo server.

#include <exception>
#include <variant>

#include "demo.hpp"
#include "exit_codes.hpp"
#include "options.hpp"
#include "output.hpp"
#include "session.hpp"

int main(int argc, char** argv) {
  using namespace wsnova::cli;
  try {
    auto parsed = parse_options(argc, argv);
    if (auto* code = std::get_if<int>(&parsed)) return *code;
    const auto& options = std::get<cli_options>(parsed);
    return options.url.empty() ? run_demo(options) : run_session(options);
  } catch (const std::exception& e) {
    // Last resort: a bug or a resource failure (threads, pipes) must still end with the
    // documented error format, not std::terminate's.
    print_error("internal", e.what());
    return exit_failure;
  }
}
