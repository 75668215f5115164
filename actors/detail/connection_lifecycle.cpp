#include <wsnova/actors/detail/connection_lifecycle.hpp>

#include <cassert>

#include <wsnova/core/detail/enum_names.hpp>

namespace wsnova {

const char* to_string(connection_state state) {
  return detail::enum_name<connection_state::closed>(
      state,
      {"idle", "connecting", "connected", "disconnected", "reconnecting", "closing", "closed"},
      "unknown");
}

namespace detail {

const char* to_string(lifecycle_event event) {
  return detail::enum_name<lifecycle_event::finish>(
      event, {"connect", "open", "close", "drop", "retry", "finish"}, "unknown");
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
  if (cause == stop_cause::none) return;  // a cause is never cleared
  if (cause_ == stop_cause::none || cause != stop_cause::close_requested) cause_ = cause;
}

}  // namespace detail
}  // namespace wsnova
