#pragma once

// session_impl: the heartbeat: a ping every ping_interval, the peer dead after pong_timeout.
// Included at the foot of transport/detail/session_impl.hpp. Internal.

namespace wsnova::detail {

template <bool Secure>
void session_impl<Secure>::arm_heartbeat(clock_type::time_point when) {
  wait_until(timer_purpose::heartbeat, when);
}

template <bool Secure>
void session_impl<Secure>::on_heartbeat() {
  if (ended_ || close_queued_) return;
  auto now = clock_type::now();
  if (reading_paused_) {
    // Unread frames wait in the kernel: silence proves nothing while we do not read.
    awaiting_pong_ = false;
    return arm_heartbeat(now + options_->ping_interval);
  }
  const auto silence = options_->silence_timeout;
  if (silence.count() > 0 && now - last_message_ >= silence)
    return finish({errc::timeout, "no message within " + std::to_string(silence.count()) + " ms"},
                  close_code::internal_error, "peer silent");
  if (awaiting_pong_) {
    if (last_received_ < ping_sent_at_) {
      const auto deadline = ping_sent_at_ + options_->pong_timeout;
      if (now < deadline) return arm_heartbeat(deadline);  // the next ping was due first
      return finish(
          {errc::timeout, "no answer within " + std::to_string(options_->pong_timeout.count()) +
                              " ms of a heartbeat ping"},
          close_code::internal_error, "peer not responding");
    }
    awaiting_pong_ = false;
    auto next = ping_sent_at_ + options_->ping_interval;
    if (next > now) return arm_heartbeat(next);
  }
  enqueue(outgoing{outgoing::type::ping, heartbeat_ping_payload(now)});
  awaiting_pong_ = true;
  ping_sent_at_ = now;
  // Wake at the next ping or the pong deadline, whichever comes first: with a pong timeout
  // longer than the interval, pings still go out every interval while the peer answers.
  arm_heartbeat(now + std::min(options_->ping_interval, options_->pong_timeout));
}

}  // namespace wsnova::detail
