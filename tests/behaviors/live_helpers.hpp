// Helpers shared by the live behaviour tests (restore, JSON-RPC, rate limit, redaction):
// behaviour actors stopped at the end of a test, and thread-safe recorders for what
// in-process callbacks see on the connection actor's thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>

namespace wsnova::test {

/// Spawns the behaviour actors of a test and stops them at its end (the actor system's
/// destructor waits for every actor).
struct test_actors {
  caf::actor_system& system;
  std::vector<caf::actor> spawned;

  template <class F>
  auto spawn(F fn) {
    auto handle = system.spawn(std::move(fn));
    keep(handle);
    return handle;
  }

  template <class Handle>
  void keep(const Handle& handle) {
    spawned.push_back(caf::actor_cast<caf::actor>(handle));
  }

  ~test_actors() {
    for (auto& a : spawned) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
};

/// Values recorded from any thread, in order, with a wait on their number.
template <class T>
class recorded {
 public:
  void add(T value) {
    std::lock_guard guard{mutex_};
    values_.push_back(std::move(value));
    changed_.notify_all();
  }

  /// Waits until `n` values were recorded; false at the deadline.
  bool wait_for(std::size_t n, std::chrono::milliseconds deadline) {
    std::unique_lock lock{mutex_};
    return changed_.wait_for(lock, deadline, [&] { return values_.size() >= n; });
  }

  std::vector<T> values() const {
    std::lock_guard guard{mutex_};
    return values_;
  }

  std::size_t size() const {
    std::lock_guard guard{mutex_};
    return values_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<T> values_;
};

/// A string with its time of recording.
struct stamped {
  std::string what;
  std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now();
};

/// The `p`-quantile (0..1, nearest rank) of `values`; 0 for none.
inline double quantile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(rank, values.size() - 1)];
}

/// Milliseconds between two time points.
inline double ms_between(std::chrono::steady_clock::time_point from,
                         std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace wsnova::test
