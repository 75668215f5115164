#pragma once

// Helpers for tests that drive a connection through the blocking `client` facade against
// the in-process echo server. Every wait has a deadline; a missed one fails the test.

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>

#include <wsnova/actors/client.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova::test {

/// Deadline of every single wait in the real-socket tests.
inline constexpr caf::timespan deadline = std::chrono::seconds{10};

/// Connects or fails the test with the error.
inline client connect_or_fail(caf::actor_system& system, connection_config config) {
  auto result = client::connect(system, std::move(config), deadline);
  if (!result) BOOST_FAIL("connect failed: " << describe(result.error()));
  return std::move(*result);
}

/// Connects, expecting a failure; returns its error or fails the test when it connected.
inline caf::error connect_error(caf::actor_system& system, connection_config config) {
  auto url = config.url;
  auto result = client::connect(system, std::move(config), deadline);
  if (result) BOOST_FAIL("connect to " << url << " succeeded, expected an error");
  return result.error();
}

/// Returns the name of an event's type, for messages.
inline const char* event_name(const connection_event& event) {
  constexpr const char* names[] = {"connected_event", "message_event", "disconnected_event",
                                   "closed_event", "error_event"};
  return names[event.index()];
}

/// Returns the next event of type T, skipping others; fails the test at the deadline.
template <class T>
T next_event_of(client& c, caf::timespan timeout = deadline) {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<caf::timespan>(until - std::chrono::steady_clock::now());
    if (left <= caf::timespan{0}) BOOST_FAIL("no such event before the deadline");
    auto event = c.next_event(left);
    if (!event) BOOST_FAIL("waiting for an event: " << describe(event.error()));
    if (auto* x = std::get_if<T>(&*event)) return std::move(*x);
  }
}

/// Returns every event up to and including the closed_event; fails the test at the deadline.
inline std::vector<connection_event> events_until_closed(client& c,
                                                         caf::timespan timeout = deadline) {
  std::vector<connection_event> result;
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<caf::timespan>(until - std::chrono::steady_clock::now());
    if (left <= caf::timespan{0}) BOOST_FAIL("no closed_event before the deadline");
    auto event = c.next_event(left);
    if (!event) BOOST_FAIL("waiting for closed_event: " << describe(event.error()));
    result.push_back(std::move(*event));
    if (std::holds_alternative<closed_event>(result.back())) return result;
  }
}

/// Returns the first event of type T in `events`, or nullptr.
template <class T>
const T* find_event(const std::vector<connection_event>& events) {
  for (const auto& event : events)
    if (auto* x = std::get_if<T>(&event)) return x;
  return nullptr;
}

/// Returns the position of the first event of type T in `events`, or events.size().
template <class T>
std::size_t index_of(const std::vector<connection_event>& events) {
  for (std::size_t i = 0; i < events.size(); ++i)
    if (std::holds_alternative<T>(events[i])) return i;
  return events.size();
}

/// Receives the next message or fails the test.
inline ws_message receive_or_fail(client& c, caf::timespan timeout = deadline) {
  auto result = c.receive(timeout);
  if (!result) BOOST_FAIL("receive failed: " << describe(result.error()));
  return std::move(*result);
}

/// Sends or fails the test.
inline void send_or_fail(client& c, ws_message message) {
  if (auto err = c.send(std::move(message), deadline)) BOOST_FAIL("send failed: " << describe(err));
}

/// Waits in `self` for the down message of `who` (monitored by `self`); fails the test at the
/// deadline.
inline caf::down_msg wait_for_down(caf::scoped_actor& self, const caf::actor_addr& who) {
  std::optional<caf::down_msg> result;
  bool timed_out = false;
  while (!result && !timed_out) {
    self->receive(
        [&](caf::down_msg& down) {
          if (down.source == who) result = std::move(down);
        },
        caf::after(deadline) >> [&] { timed_out = true; });
  }
  if (!result) BOOST_FAIL("the actor did not exit before the deadline");
  return std::move(*result);
}

}  // namespace wsnova::test
