#include <wsnova/supervision/detail/restart_window.hpp>

namespace wsnova::detail {

bool restart_window::add(caf::actor_clock::time_point now) {
  times_.push_back(now);
  // OTP's add_restart keeps restarts with T >= Now - Period: one exactly `period` old
  // still counts.
  while (!times_.empty() && now - times_.front() > period_) times_.pop_front();
  return times_.size() <= intensity_;
}

}  // namespace wsnova::detail
