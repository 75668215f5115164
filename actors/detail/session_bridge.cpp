#include <wsnova/actors/detail/session_bridge.hpp>

#include <caf/make_message.hpp>
#include <caf/message_id.hpp>

#include <chrono>

#include <wsnova/actors/detail/connection_actor.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova::detail {

template <class... Ts>
void session_bridge::enqueue(const caf::strong_actor_ptr& actor, Ts&&... xs) {
  if (pinned_) pinned_->session_event_queued();
  actor->enqueue(nullptr, caf::make_message_id(), caf::make_message(std::forward<Ts>(xs)...),
                 nullptr);
}

template <class... Ts>
bool session_bridge::tell(Ts&&... xs) {
  auto actor = actor_.lock();
  if (!actor) return false;
  enqueue(actor, std::forward<Ts>(xs)...);
  return true;
}

bool session_bridge::on_open(std::uint64_t id, std::string subprotocol, bool compressed) {
  return tell(session_open_atom::value, id, std::move(subprotocol), compressed);
}

bool session_bridge::on_message(std::uint64_t id, ws_message message) {
  auto actor = actor_.lock();
  if (!actor) return false;
  caf::timespan read_at{0};  // 0: not stamped
  if (stamp_frames_) read_at = caf::timespan{std::chrono::steady_clock::now().time_since_epoch()};
  if (pinned_ && pinned_->try_receive_direct(id, message, read_at)) return true;
  if (stamp_frames_)
    enqueue(actor, session_data_atom::value, id, std::move(message), read_at);
  else
    enqueue(actor, session_data_atom::value, id, std::move(message));
  return true;
}

bool session_bridge::on_control(std::uint64_t id, control_kind kind, std::string payload) {
  return tell(session_control_atom::value, id, kind, std::move(payload));
}

void session_bridge::on_end(std::uint64_t id, session_end end) {
  tell(session_end_atom::value, id, to_error(end.cause), end.code, std::move(end.reason),
       std::move(end.unsent));
}

}  // namespace wsnova::detail
