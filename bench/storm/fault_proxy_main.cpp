// wsnova-fault-proxy: tests/proxy/fault_proxy as a process of its own, driven by commands on
// stdin, so that a benchmark can put its proxies in other processes (each process has its
// own RLIMIT_NOFILE, and a proxy holds two descriptors per connection).
//
//   wsnova-fault-proxy --target PORT
//
// Listens on 127.0.0.1 (ephemeral port), forwards to 127.0.0.1:PORT, prints "PORT n" once
// listening, then reads one command per line and answers one line per command ("ok ..." or
// "error ..."). It exits at the end of its input (so it never outlives the process driving it)
// or on `quit`, resetting every connection.
//
//   pass | delay MS | throttle BYTES_PER_S | blackhole      the forwarding mode
//   drop_all | close_all                                  reset / FIN every connection
//   refuse [reset|close] | accept                         refuse new connections, or stop
//   retarget PORT                                         new connections go to PORT
//   stats                 "ok accepted=A active=N bytes=B"
//   wait N SECONDS        "ok active=N" once N connections are forwarded, else "error ..."
//   quit
#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>

#include <wsnova/tests/proxy/fault_proxy.hpp>

namespace {

using wsnova::test::fault_proxy;

/// Raises the soft limit of open files to the hard limit.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

std::string stats(const fault_proxy& proxy) {
  std::ostringstream out;
  out << "ok accepted=" << proxy.connections_accepted() << " active=" << proxy.active_connections()
      << " bytes=" << proxy.bytes_forwarded();
  return out.str();
}

/// Runs one command line; returns the answer, or an empty string for `quit`.
std::string run(fault_proxy& proxy, const std::string& line) {
  std::istringstream in{line};
  std::string command;
  in >> command;
  if (command == "pass") {
    proxy.pass();
  } else if (command == "delay") {
    long ms = -1;
    if (!(in >> ms) || ms < 0) return "error delay needs milliseconds >= 0";
    proxy.delay(std::chrono::milliseconds{ms});
  } else if (command == "throttle") {
    std::size_t bps = 0;
    if (!(in >> bps) || bps == 0) return "error throttle needs bytes per second > 0";
    proxy.throttle(bps);
  } else if (command == "blackhole") {
    proxy.blackhole();
  } else if (command == "drop_all") {
    proxy.drop_all();
  } else if (command == "close_all") {
    proxy.close_all();
  } else if (command == "refuse") {
    std::string how = "reset";
    in >> how;
    if (how != "reset" && how != "close") return "error refuse takes reset or close";
    proxy.refuse(true, how == "reset" ? wsnova::test::refuse_mode::reset
                                      : wsnova::test::refuse_mode::close_listener);
  } else if (command == "accept") {
    proxy.refuse(false);
  } else if (command == "retarget") {
    unsigned port = 0;
    if (!(in >> port) || port == 0 || port > 65535) return "error retarget needs a port";
    proxy.retarget(static_cast<std::uint16_t>(port));
  } else if (command == "stats") {
    return stats(proxy);
  } else if (command == "wait") {
    std::size_t n = 0;
    double seconds = 0;
    if (!(in >> n >> seconds) || seconds <= 0) return "error wait needs N SECONDS";
    auto deadline = std::chrono::milliseconds{static_cast<long>(seconds * 1000)};
    if (!proxy.wait_for_connections(n, deadline))
      return "error active=" + std::to_string(proxy.active_connections());
    return "ok active=" + std::to_string(n);
  } else if (command == "quit") {
    return {};
  } else {
    return "error unknown command: " + line;
  }
  return "ok " + command;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();
  unsigned long target = 0;
  if (argc == 3 && std::string{argv[1]} == "--target") {
    std::istringstream value{argv[2]};
    if (!(value >> target) || !value.eof()) target = 0;
  }
  if (target == 0 || target > 65535) {
    std::cerr << "usage: wsnova-fault-proxy --target PORT (1..65535; commands on stdin: see the "
                 "source)\n";
    return 2;
  }
  try {
    fault_proxy proxy{static_cast<std::uint16_t>(target)};
    std::cout << "PORT " << proxy.port() << std::endl;
    for (std::string line; std::getline(std::cin, line);) {
      if (line.empty()) continue;
      auto answer = run(proxy, line);
      if (answer.empty()) break;
      std::cout << answer << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "wsnova-fault-proxy: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
