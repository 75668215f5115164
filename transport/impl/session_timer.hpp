#pragma once

// session_impl: the one timer: the connect and handshake deadlines, the close deadline and
// the heartbeat. Included at the foot of transport/detail/session_impl.hpp. Internal.

namespace wsnova::detail {

template <bool Secure>
void session_impl<Secure>::wait_until(timer_purpose purpose, clock_type::time_point when) {
  timer_purpose_ = purpose;
  due_at_ = when;
  // A wait that ends first stays: `on_timer` waits again for the rest. Re-arming would
  // cancel it (one more handler) and update the reactor's timerfd (a system call) at each
  // step of every connect.
  if (timer_waiting_ && timer_.expiry() <= when) return;
  timer_waiting_ = true;
  timer_.expires_at(when);  // a later wait pending ends with operation_aborted
  timer_.async_wait(
      [self = shared(), generation = ++timer_generation_](boost::system::error_code ec) {
        if (ec || generation != self->timer_generation_) return;  // replaced, or the end
        self->on_timer();
      });
}

template <bool Secure>
void session_impl<Secure>::stop_timer() {
  timer_purpose_ = timer_purpose::none;
  if (!timer_waiting_) return;
  timer_waiting_ = false;
  ++timer_generation_;
  timer_.cancel();  // the wait's handler (and the session it holds) goes now
}

template <bool Secure>
void session_impl<Secure>::on_timer() {
  timer_waiting_ = false;
  if (ended_ || timer_purpose_ == timer_purpose::none) return;
  if (clock_type::now() < due_at_) return wait_until(timer_purpose_, due_at_);
  switch (timer_purpose_) {
    case timer_purpose::connecting: {
      if (open_) return;
      timed_out_after_ = phase_limit_;
      connecting_->resolver.cancel();
      boost::system::error_code ignored;
      tcp_layer().socket().close(ignored);
      return;
    }
    case timer_purpose::closing:
      return finish({errc::timeout, "close handshake timed out"}, close_code::abnormal, {});
    case timer_purpose::heartbeat:
      return on_heartbeat();
    case timer_purpose::none:
      return;
  }
}

}  // namespace wsnova::detail
