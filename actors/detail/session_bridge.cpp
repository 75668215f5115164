#include <wsnova/actors/detail/session_bridge.hpp>

#include <caf/make_message.hpp>
#include <caf/message_id.hpp>

#include <chrono>

#include <wsnova/core/error.hpp>

namespace wsnova::detail {

template <class... Ts>
bool session_bridge::tell(Ts&&... xs) {
  auto actor = actor_.lock();
  if (!actor) return false;
  actor->enqueue(nullptr, caf::make_message_id(), caf::make_message(std::forward<Ts>(xs)...),
                 nullptr);
  return true;
}

bool session_bridge::on_open(std::uint64_t id, std::string subprotocol, bool compressed) {
  return tell(session_open_atom::value, id, std::move(subprotocol), compressed);
}

bool session_bridge::on_message(std::uint64_t id, ws_message message) {
  if (stamp_frames_)
    return tell(session_data_atom::value, id, std::move(message),
                caf::timespan{std::chrono::steady_clock::now().time_since_epoch()});
  return tell(session_data_atom::value, id, std::move(message));
}

bool session_bridge::on_control(std::uint64_t id, control_kind kind, std::string payload) {
  return tell(session_control_atom::value, id, kind, std::move(payload));
}

void session_bridge::on_end(std::uint64_t id, session_end end) {
  tell(session_end_atom::value, id, to_error(end.cause), end.code, std::move(end.reason),
       std::move(end.unsent));
}

}  // namespace wsnova::detail
