#pragma once

// The owner of the connections in the resilience tests: a scoped actor that records every
// event with its arrival time, and helpers that wait for events with a deadline (a missed
// deadline fails the test). Requests (send, status) go through a second scoped actor, so
// waiting for a reply never reorders or hides events. The recorder keeps every connection it
// spawned alive until it is destroyed, then closes them and waits until they have exited.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova::test {

using clock_type = std::chrono::steady_clock;

/// Every event a connection sends its owner.
using any_event = std::variant<connected_event, message_event, disconnected_event, closed_event,
                               error_event, reconnecting_event, reconnected_event, ownership_event>;

/// Returns the name of an event's type, for messages.
inline const char* event_name(const any_event& event) {
  constexpr const char* names[] = {"connected", "message",      "disconnected", "closed",
                                   "error",     "reconnecting", "reconnected",  "ownership"};
  return names[event.index()];
}

/// Returns the connection id of an event.
inline const std::string& event_id(const any_event& event) {
  return std::visit([](const auto& x) -> const std::string& { return x.id; }, event);
}

/// An event and when it arrived.
struct stamped_event {
  clock_type::time_point at;
  any_event event;
};

/// Owns connections and records their events (see the file comment).
class recorder {
 public:
  explicit recorder(caf::actor_system& system) : self_(system), requester_(system) {}

  /// Closes every connection still alive and waits (10 s at most) until each has exited, so
  /// that none outlives the test's actor system (see `shutdown`).
  ~recorder() { shutdown(); }

  recorder(const recorder&) = delete;
  recorder& operator=(const recorder&) = delete;

  /// Kills the connections spawned here and waits for their down messages, so that none is
  /// still running (or still referenced by a queued io handler) when the fixture destroys
  /// the actor system: an actor released on an io thread after its system is gone crashes
  /// in CAF's cleanup (seen before 23fb892 with dropped handles; see README.md).
  void shutdown() {
    std::set<caf::actor_addr> alive;
    for (const auto& c : spawned_) alive.insert(c.address());
    for (const auto& source : exited_) alive.erase(source);
    for (const auto& c : spawned_)
      if (alive.count(c.address())) self_->send_exit(c, caf::exit_reason::user_shutdown);
    auto until = clock_type::now() + std::chrono::seconds{10};
    while (!alive.empty()) {
      auto left = std::chrono::duration_cast<caf::timespan>(until - clock_type::now());
      if (left <= caf::timespan{0}) break;
      bool timed_out = false;
      self_->receive([&](caf::down_msg& down) { alive.erase(down.source); },
                     [](connected_event&) {}, [](message_event&) {}, [](disconnected_event&) {},
                     [](closed_event&) {}, [](error_event&) {}, [](reconnecting_event&) {},
                     [](reconnected_event&) {}, [](ownership_event&) {},
                     caf::after(left) >> [&] { timed_out = true; });
      if (timed_out) break;
    }
    spawned_.clear();
  }

  /// Returns the owner handle to pass to `spawn_connection`.
  caf::actor owner() { return caf::actor_cast<caf::actor>(self_); }

  /// Spawns a connection owned by this recorder, or fails the test.
  connection spawn(caf::actor_system& system, connection_config config) {
    auto url = config.url;
    auto handle = spawn_connection(system, std::move(config), wsnova::unchecked_owner(owner()));
    if (!handle) BOOST_FAIL("spawn_connection(" << url << ") failed: " << describe(handle.error()));
    self_->monitor(*handle);
    spawned_.push_back(*handle);
    return *handle;
  }

  /// Takes the next event of any connection, or returns nullopt when none arrives in time.
  std::optional<stamped_event> next(caf::timespan timeout) {
    std::optional<stamped_event> result;
    auto take = [&](auto& event) {
      result = stamped_event{clock_type::now(), any_event{std::move(event)}};
    };
    auto until = clock_type::now() + timeout;
    while (!result) {
      auto left = std::chrono::duration_cast<caf::timespan>(until - clock_type::now());
      if (left < caf::timespan{0}) break;
      bool timed_out = false;
      self_->receive([&](connected_event& x) { take(x); }, [&](message_event& x) { take(x); },
                     [&](disconnected_event& x) { take(x); }, [&](closed_event& x) { take(x); },
                     [&](error_event& x) { take(x); }, [&](reconnecting_event& x) { take(x); },
                     [&](reconnected_event& x) { take(x); }, [&](ownership_event& x) { take(x); },
                     [&](caf::down_msg& down) {
                       exits.push_back(down.reason);
                       exited_.push_back(down.source);
                     },
                     caf::after(left) >> [&] { timed_out = true; });
      if (timed_out) break;
    }
    if (result) log.push_back(*result);
    return result;
  }

  /// Returns the next event of type T (of connection `id` when not empty), keeping the
  /// others in `log`; fails the test at the deadline.
  template <class T>
  T expect(caf::timespan timeout = std::chrono::seconds{10}, const std::string& id = {}) {
    auto until = clock_type::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<caf::timespan>(until - clock_type::now());
      auto event = next(std::max(left, caf::timespan{0}));
      if (!event)
        BOOST_FAIL("no " << event_name(any_event{T{}}) << " event"
                         << (id.empty() ? "" : " of " + id) << " before the deadline; last: "
                         << (log.empty() ? "none" : event_name(log.back().event))
                         << "; actors exited: " << exits.size()
                         << (exits.empty() ? "" : " (last: " + describe(exits.back()) + ")"));
      if (auto* x = std::get_if<T>(&event->event); x && (id.empty() || x->id == id)) return *x;
    }
  }

  /// Returns the arrival time of the last event taken.
  clock_type::time_point last_at() const { return log.empty() ? clock_type::now() : log.back().at; }

  /// Returns how many events of type T are in `log`.
  template <class T>
  std::size_t count() const {
    std::size_t n = 0;
    for (const auto& e : log) n += std::holds_alternative<T>(e.event) ? 1 : 0;
    return n;
  }

  /// Returns every recorded event of type T, in arrival order.
  template <class T>
  std::vector<T> all() const {
    std::vector<T> result;
    for (const auto& e : log)
      if (auto* x = std::get_if<T>(&e.event)) result.push_back(*x);
    return result;
  }

  /// Sends a text message and returns the connection's answer (empty on success).
  caf::error send_text(const connection& c, std::string text,
                       caf::timespan timeout = std::chrono::seconds{10}) {
    caf::error result;
    requester_
        ->request(c, timeout, send_atom::value, ws_message{message_kind::text, std::move(text)})
        .receive([](caf::ok_atom) {}, [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  /// Returns the connection's status, or fails the test.
  connection_status status(const connection& c, caf::timespan timeout = std::chrono::seconds{10}) {
    std::optional<connection_status> result;
    caf::error failure;
    requester_->request(c, timeout, status_atom::value)
        .receive([&](connection_status& s) { result = std::move(s); },
                 [&](caf::error& err) { failure = std::move(err); });
    if (!result) BOOST_FAIL("status failed: " << describe(failure));
    return *result;
  }

  /// Every event taken so far, in arrival order.
  std::vector<stamped_event> log;
  /// Exit reasons of the connection actors that terminated (they are monitored).
  std::vector<caf::error> exits;

 private:
  caf::scoped_actor self_;
  caf::scoped_actor requester_;
  /// Every connection spawned here (kept alive until `shutdown`).
  std::vector<connection> spawned_;
  std::vector<caf::actor_addr> exited_;
};

/// Returns the milliseconds between two time points.
inline long long ms_between(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace wsnova::test
