// Shared by the supervision benchmarks: their `--name value` command lines and the end of
// a run, stopping the supervisor.
#pragma once

#include <functional>
#include <iostream>
#include <map>
#include <string>

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>

namespace wsnova::bench {

/// What to do with the value of one flag.
using flag_setter = std::function<void(const char* value)>;

/// Reads `--name value` pairs, handing each value to the setter of its name. On an unknown
/// name or a missing value, prints `usage` and returns false.
inline bool parse_flags(int argc, char** argv, const std::map<std::string, flag_setter>& flags,
                        const char* usage) {
  for (int i = 1; i < argc; i += 2) {
    auto setter = flags.find(argv[i]);
    if (i + 1 >= argc || setter == flags.end()) {
      std::cerr << usage;
      return false;
    }
    setter->second(argv[i + 1]);
  }
  return true;
}

/// Stops `supervisor` as its parent would (user_shutdown) and waits until it is gone, so
/// the run ends with every child stopped.
template <class Handle>
void stop_supervisor(caf::scoped_actor& self, const Handle& supervisor) {
  self->monitor(supervisor);
  self->send_exit(supervisor, caf::exit_reason::user_shutdown);
  self->receive([](caf::down_msg&) {});
}

}  // namespace wsnova::bench
