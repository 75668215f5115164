#include <wsnova/actors/detail/connection_lifecycle.hpp>

#include <cassert>

namespace wsnova {

const char* to_string(connection_state state) {
  switch (state) {
    case connection_state::idle:
      return "idle";
    case connection_state::connecting:
      return "connecting";
    case connection_state::connected:
      return "connected";
    case connection_state::disconnected:
      return "disconnected";
    case connection_state::reconnecting:
      return "reconnecting";
    case connection_state::closing:
      return "closing";
    case connection_state::closed:
      return "closed";
  }
  return "unknown";
}

namespace detail {

const char* to_string(lifecycle_event event) {
  switch (event) {
    case lifecycle_event::connect:
      return "connect";
    case lifecycle_event::open:
      return "open";
    case lifecycle_event::close:
      return "close";
    case lifecycle_event::drop:
      return "drop";
    case lifecycle_event::retry:
      return "retry";
    case lifecycle_event::finish:
      return "finish";
  }
  return "unknown";
}

std::optional<connection_state> next_state(connection_state state, lifecycle_event event) {
  using s = connection_state;
  using e = lifecycle_event;
  if (state == s::closed) return std::nullopt;  // final: nothing leaves it
  switch (event) {
    case e::connect:
      if (state == s::idle || state == s::reconnecting) return s::connecting;
      break;
    case e::open:
      if (state == s::connecting) return s::connected;
      break;
    case e::close:
      // Only a state with a session can close it; without one the connection finishes.
      if (state == s::connecting || state == s::connected || state == s::closing) return s::closing;
      break;
    case e::drop:
      if (state == s::connecting || state == s::connected || state == s::closing)
        return s::disconnected;
      break;
    case e::retry:
      // Never from `closing`: a connection closing for good does not come back.
      if (state == s::connecting || state == s::connected || state == s::disconnected ||
          state == s::reconnecting)
        return s::reconnecting;
      break;
    case e::finish:
      return s::closed;
  }
  return std::nullopt;
}

bool connection_lifecycle::advance(lifecycle_event event) {
  auto next = next_state(state_, event);
  assert(next && "connection_lifecycle: event not valid in this state");
  if (!next) return false;
  state_ = *next;
  return true;
}

void connection_lifecycle::stop(stop_cause cause) noexcept {
  if (cause_ == stop_cause::none || cause == stop_cause::owner_gone) cause_ = cause;
}

}  // namespace detail
}  // namespace wsnova
