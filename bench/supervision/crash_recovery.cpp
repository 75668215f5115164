// Benchmark: time from a connection actor's crash to its replacement being connected again.
// A one_for_one supervisor runs one connection child to the embedded echo server (or the
// ws:// URL given with --url); the program crashes it --crashes times (abnormal exit) and
// measures, for each crash, the time from the exit signal until the new actor's
// connected_event reaches the owner. Prints a human-readable summary, then JSON on the
// last line. Not a timed test: CTest runs it with a small count as a smoke test.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/all.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/actors/io_module.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/supervision/supervisor.hpp>
#include <wsnova/testing/echo_server.hpp>

#include "common.hpp"

using namespace wsnova;
using clock_type = std::chrono::steady_clock;

namespace {

struct config : caf::actor_system_config {
  config() { load<wsnova::io_module>(); }
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t crashes = 1000;
  std::size_t io_threads = 1;
  std::string url;
  if (!bench::parse_flags(argc, argv,
                          {{"--crashes", [&](const char* v) { crashes = std::stoul(v); }},
                           {"--url", [&](const char* v) { url = v; }},
                           {"--io-threads", [&](const char* v) { io_threads = std::stoul(v); }}},
                          "usage: supervision-crash-recovery [--crashes N] [--url ws://...] "
                          "[--io-threads N]\n"))
    return 2;
  std::optional<test::echo_server> server;
  if (url.empty()) {
    server.emplace();
    url = server->url();
  }
  config cfg;
  // Not cfg.set: it accepts only declared options (io_module's key is not one).
  caf::put(cfg.content, std::string_view{io_module::threads_key},
           static_cast<std::int64_t>(io_threads));
  caf::actor_system sys{cfg};
  std::vector<double> samples_us;
  samples_us.reserve(crashes);
  std::size_t failures = 0;
  {
    caf::scoped_actor self{sys};  // owner of the connection: receives its events
    child_spec spec;
    spec.id = "bench-conn";
    spec.start = start_with([&](caf::actor_system& sys) {
      connection_config conf;
      conf.url = url;
      conf.id = "bench-conn";
      return spawn_connection(sys, conf, wsnova::unchecked_owner(self));
    });
    spec.shutdown = shutdown_spec::brutal_kill();
    supervisor_flags flags;
    flags.intensity = crashes + 10;  // never give up during the run
    flags.period = std::chrono::milliseconds{1000};
    auto sup = spawn_supervisor(sys, flags, {spec});
    if (!sup) {
      std::cerr << "cannot start supervisor: " << describe(sup.error()) << '\n';
      return 1;
    }
    // Waits for the next connected_event; returns its sender (the connection actor).
    auto await_connected = [&]() -> caf::actor {
      caf::actor who;
      bool timeout = false;
      while (!who && !timeout)
        self->receive(
            [&](connected_event&) { who = caf::actor_cast<caf::actor>(self->current_sender()); },
            [](disconnected_event&) {}, [](closed_event&) {}, [](error_event&) {},
            [](reconnecting_event&) {}, [](reconnected_event&) {},
            caf::after(std::chrono::seconds{10}) >> [&] { timeout = true; });
      return who;
    };
    auto current = await_connected();
    if (!current) {
      std::cerr << "the first connection did not come up\n";
      return 1;
    }
    for (std::size_t i = 0; i < crashes; ++i) {
      auto start = clock_type::now();
      self->send_exit(current, make_error(errc::connection_lost, "bench crash"));
      auto next = await_connected();
      auto stop = clock_type::now();
      if (!next || next == current) {
        ++failures;
        break;
      }
      samples_us.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
      current = next;
    }
    bench::stop_supervisor(self, *sup);
  }
  auto sorted = samples_us;
  std::sort(sorted.begin(), sorted.end());
  double mean = sorted.empty() ? 0
                               : std::accumulate(sorted.begin(), sorted.end(), 0.0) /
                                     static_cast<double>(sorted.size());
  std::cout << "crash -> replacement connected, " << sorted.size() << " crashes: median "
            << percentile(sorted, 0.5) << " us, p99 " << percentile(sorted, 0.99) << " us\n";
  std::cout << "{\"bench\":\"supervision_crash_recovery\",\"crashes\":" << sorted.size()
            << ",\"failures\":" << failures << ",\"median_us\":" << percentile(sorted, 0.5)
            << ",\"p90_us\":" << percentile(sorted, 0.9)
            << ",\"p99_us\":" << percentile(sorted, 0.99)
            << ",\"min_us\":" << (sorted.empty() ? 0 : sorted.front())
            << ",\"max_us\":" << (sorted.empty() ? 0 : sorted.back()) << ",\"mean_us\":" << mean
            << ",\"io_threads\":" << io_threads << ",\"url\":\"" << url << "\"}" << std::endl;
  return failures == 0 ? 0 : 1;
}
