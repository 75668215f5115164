// Benchmark: restarts per second a supervisor sustains with many dynamic children. A
// simple_one_for_one supervisor starts --children cheap worker actors (no sockets); each
// round crashes every child at once (abnormal exit) and waits until the supervisor has
// restarted all of them (counted by its on_child_change callback). Prints a summary, then
// JSON on the last line. Not a timed test: CTest runs it small as a smoke test.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/supervision/supervisor.hpp>

#include "common.hpp"

using namespace wsnova;
using clock_type = std::chrono::steady_clock;

namespace {

/// A cheap child: does nothing until it is told to exit.
caf::behavior worker() {
  return {[](int) {}};
}

/// Filled by the supervisor's on_child_change callback (runs inside the supervisor).
struct tracker {
  std::atomic<std::size_t> started{0};
  std::mutex mtx;
  std::unordered_map<std::string, caf::actor> current;
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t children = 10000;
  std::size_t rounds = 10;
  std::size_t threads = 0;  // 0 = CAF's default (number of cores)
  if (!bench::parse_flags(argc, argv,
                          {{"--children", [&](const char* v) { children = std::stoul(v); }},
                           {"--rounds", [&](const char* v) { rounds = std::stoul(v); }},
                           {"--threads", [&](const char* v) { threads = std::stoul(v); }}},
                          "usage: supervision-restart-throughput [--children N] [--rounds N] "
                          "[--threads N]\n"))
    return 2;
  caf::actor_system_config cfg;
  add_supervision_message_types(cfg);
  if (threads > 0) cfg.set("scheduler.max-threads", threads);
  caf::actor_system sys{cfg};
  auto track = std::make_shared<tracker>();
  std::vector<double> round_rates;
  double total_seconds = 0;
  std::size_t total_restarts = 0;
  bool ok = true;
  {
    caf::scoped_actor self{sys};
    child_spec tmpl;
    tmpl.id = "worker";
    tmpl.start = start_with([](caf::actor_system& sys) { return sys.spawn(worker); });
    tmpl.shutdown = shutdown_spec::brutal_kill();
    supervisor_flags flags;
    flags.strategy = strategy_kind::simple_one_for_one;
    flags.intensity = 100'000'000;  // never give up during the run
    flags.period = std::chrono::milliseconds{1000};
    flags.on_child_change = [track](const std::string& id, const caf::actor& handle) {
      if (!handle) return;
      {
        std::lock_guard<std::mutex> guard{track->mtx};
        track->current[id] = handle;
      }
      track->started.fetch_add(1, std::memory_order_release);
    };
    auto sup = spawn_supervisor(sys, flags, {tmpl});
    if (!sup) {
      std::cerr << "cannot start supervisor: " << describe(sup.error()) << '\n';
      return 1;
    }
    auto spawn_start = clock_type::now();
    for (std::size_t i = 0; i < children; ++i)
      self->send(*sup, start_child_atom::value, caf::message{});
    std::size_t replies = 0;
    for (bool timeout = false; replies < children && !timeout;)
      self->receive([&](caf::actor&) { ++replies; },
                    [&](caf::error& err) {
                      std::cerr << "start_child: " << describe(err) << '\n';
                      timeout = true;
                    },
                    caf::after(std::chrono::seconds{30}) >> [&] { timeout = true; });
    auto spawn_seconds = std::chrono::duration<double>(clock_type::now() - spawn_start).count();
    if (replies < children) {
      std::cerr << "only " << replies << " children started\n";
      ok = false;
    }
    std::cout << children << " dynamic children started in " << spawn_seconds << " s\n";

    for (std::size_t round = 0; ok && round < rounds; ++round) {
      std::vector<caf::actor> victims;
      {
        std::lock_guard<std::mutex> guard{track->mtx};
        for (auto& [id, handle] : track->current) victims.push_back(handle);
      }
      auto target = track->started.load(std::memory_order_acquire) + victims.size();
      auto start = clock_type::now();
      for (auto& v : victims) self->send_exit(v, make_error(errc::connection_lost, "bench"));
      auto deadline = start + std::chrono::seconds{60};
      while (track->started.load(std::memory_order_acquire) < target) {
        if (clock_type::now() > deadline) {
          std::cerr << "round " << round << ": restarts stalled\n";
          ok = false;
          break;
        }
        std::this_thread::yield();
      }
      auto seconds = std::chrono::duration<double>(clock_type::now() - start).count();
      round_rates.push_back(static_cast<double>(victims.size()) / seconds);
      total_seconds += seconds;
      total_restarts += victims.size();
      std::cout << "round " << round << ": " << victims.size() << " restarts in " << seconds
                << " s (" << round_rates.back() << "/s)\n";
    }
    caf::error err;
    child_counts counts;
    self->request(*sup, std::chrono::seconds{30}, count_children_atom::value)
        .receive([&](child_counts& c) { counts = c; }, [&](caf::error& e) { err = e; });
    if (err || counts.active != children) {
      std::cerr << "expected " << children << " active children, got " << counts.active << '\n';
      ok = false;
    }
    bench::stop_supervisor(self, *sup);
  }
  auto sorted = round_rates;
  std::sort(sorted.begin(), sorted.end());
  double overall = total_seconds > 0 ? static_cast<double>(total_restarts) / total_seconds : 0;
  double median = sorted.empty() ? 0 : sorted[sorted.size() / 2];
  double worst = sorted.empty() ? 0 : sorted.front();
  std::cout << "restarts per second: " << overall << " overall, median round " << median
            << ", worst round " << worst << '\n';
  std::cout << "{\"bench\":\"supervision_restart_throughput\",\"children\":" << children
            << ",\"rounds\":" << round_rates.size() << ",\"restarts\":" << total_restarts
            << ",\"seconds\":" << total_seconds << ",\"restarts_per_second\":" << overall
            << ",\"median_round_per_second\":" << median << ",\"worst_round_per_second\":" << worst
            << ",\"ok\":" << (ok ? "true" : "false") << "}" << std::endl;
  return ok ? 0 : 1;
}
