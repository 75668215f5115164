// The wsnova echo agent of the conformance suite: runs every case of fuzzing_server.py
// through the public API and echoes each message with its kind. All wsnova API use of the
// suite is in this one file.
//
//   conformance_echo_agent --port P [--tls --ca-file CA] [--compress]
//                          [--max-message N] [--case N] [--agent NAME]

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <type_traits>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <wsnova/wsnova.hpp>

namespace {

using namespace std::chrono_literals;

struct agent_options {
  int port = 0;
  bool tls = false;
  std::string ca_file;
  bool compress = false;
  std::size_t max_message = 16u << 20;
  int only_case = 0;  // 0 = every case
  std::string agent = "wsnova";
};

struct agent_config : caf::actor_system_config {
  agent_config() {
    load<wsnova::io_module>();
    set("scheduler.max-threads", 2);
  }
};

/// Runs one connection to `path`: echoes every message until the connection is closed.
/// Returns the first text message received (the case count on /getCaseCount).
std::string run_connection(caf::actor_system& system, const agent_options& opt,
                           const std::string& path) {
  wsnova::connection_config cfg;
  cfg.url = (opt.tls ? "wss://127.0.0.1:" : "ws://127.0.0.1:") + std::to_string(opt.port) + path;
  cfg.reconnect.enabled = false;  // each case is one connection, run once
  cfg.session.compress = opt.compress;
  cfg.session.max_message_size = opt.max_message;
  cfg.session.tls.ca_file = opt.ca_file;
  cfg.session.tls.use_system_ca = false;
  cfg.sending.max_queued_bytes = 2 * opt.max_message;  // room for the largest echo
  auto conn = wsnova::client::connect(system, cfg);
  if (!conn) {
    std::cerr << path << ": connect failed: " << wsnova::describe(conn.error()) << '\n';
    return {};
  }
  std::string first;
  for (;;) {
    // A failure bound only: the largest case (16 MiB over TLS) takes a few seconds.
    auto event = conn->next_event(std::chrono::seconds{120});
    if (!event) {
      std::cerr << path << ": " << wsnova::describe(event.error()) << '\n';
      return first;
    }
    if (auto* msg = std::get_if<wsnova::message_event>(&*event)) {
      if (first.empty()) first = msg->message.payload;
      if (auto err = conn->send(std::move(msg->message), std::chrono::seconds{60})) {
        std::cerr << path << ": echo failed: " << wsnova::describe(err) << '\n';
      }
    } else if (std::holds_alternative<wsnova::closed_event>(*event)) {
      return first;
    }
  }
}

bool parse(int argc, char** argv, agent_options& opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--port")
      opt.port = std::atoi(value().c_str());
    else if (arg == "--tls")
      opt.tls = true;
    else if (arg == "--ca-file")
      opt.ca_file = value();
    else if (arg == "--compress")
      opt.compress = true;
    else if (arg == "--max-message")
      opt.max_message = std::strtoull(value().c_str(), nullptr, 10);
    else if (arg == "--case")
      opt.only_case = std::atoi(value().c_str());
    else if (arg == "--agent")
      opt.agent = value();
    else
      return false;
  }
  return opt.port > 0;
}

}  // namespace

int main(int argc, char** argv) {
  agent_options opt;
  if (!parse(argc, argv, opt)) {
    std::cerr << "usage: conformance_echo_agent --port P [--tls --ca-file CA] [--compress] "
                 "[--max-message N] [--case N] [--agent NAME]\n";
    return 2;
  }
  agent_config config;
  caf::actor_system system{config};
  auto count = std::atoi(run_connection(system, opt, "/getCaseCount").c_str());
  if (count <= 0) {
    std::cerr << "no case count from the server\n";
    return 1;
  }
  int first = opt.only_case ? opt.only_case : 1;
  int last = opt.only_case ? opt.only_case : count;
  for (int n = first; n <= last; ++n)
    run_connection(system, opt, "/runCase?case=" + std::to_string(n) + "&agent=" + opt.agent);
  run_connection(system, opt, "/updateReports?agent=" + opt.agent);
  return 0;
}
