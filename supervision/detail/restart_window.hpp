#pragma once

/// @file
/// `restart_window`: OTP's restart intensity as a sliding window of restart times.

#include <cstddef>
#include <deque>

#include <caf/actor_clock.hpp>
#include <caf/timespan.hpp>

namespace wsnova::detail {

/// At most `intensity` restarts within any `period` (OTP's add_restart/can_restart).
class restart_window {
 public:
  /// Creates an empty window.
  restart_window(std::size_t intensity, caf::timespan period)
      : intensity_(intensity), period_(period) {}

  /// Records a restart at `now`, drops the ones more than `period` old (one exactly
  /// `period` old stays, as in OTP), and returns false when more than `intensity` remain
  /// (the supervisor must give up).
  bool add(caf::actor_clock::time_point now);

  /// Returns the number of restarts in the window.
  std::size_t size() const noexcept { return times_.size(); }

 private:
  std::size_t intensity_;
  caf::timespan period_;
  /// Restart times, oldest first.
  std::deque<caf::actor_clock::time_point> times_;
};

}  // namespace wsnova::detail
