#pragma once

// session_impl: the end: one report, after the socket settled. Included at the foot of
// transport/detail/session_impl.hpp. Internal.

namespace wsnova::detail {

template <bool Secure>
void session_impl<Secure>::finish(failure cause, std::uint16_t code, std::string reason) {
  if (ended_) return;
  ended_ = true;
  stop_timer();
  if (connecting_) connecting_->resolver.cancel();
  boost::system::error_code ignored;
  tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
  tcp_layer().socket().close(ignored);
  end_ = std::make_unique<session_end>(session_end{std::move(cause), code, std::move(reason), {}});
  ws_.next_layer().when_drained([self = shared()] { self->settle(); });
}

template <bool Secure>
void session_impl<Secure>::settle() {
  if (reported_ || writing_) return;  // on_written settles
  if (ws_.next_layer().writing()) {
    // The cork's write may have started after `finish` (a read or a write of Beast's flushed
    // it): settle when it is done, or the end would never be reported.
    ws_.next_layer().when_drained([self = shared()] { self->settle(); });
    return;
  }
  reported_ = true;
  auto written = ws_.next_layer().bytes_written();
  auto& unsent = end_->unsent;
  for (auto& frame : corked_)
    if (frame.end > written) unsent.push_back(to_message(std::move(frame.item)));
  corked_.clear();
  for (auto& item : queue_) {
    if (!is_data(item)) continue;
    count_done(item.payload.size());
    unsent.push_back(to_message(std::move(item)));
  }
  queue_.clear();
  listener_->on_end(id(), std::move(*end_));
}

template <bool Secure>
ws_message session_impl<Secure>::to_message(outgoing item) {
  return {item.kind == outgoing::type::text ? message_kind::text : message_kind::binary,
          std::move(item.payload)};
}

template <bool Secure>
bool session_impl<Secure>::listening(bool answer) {
  if (!answer && !ended_) finish({}, close_code::going_away, {});
  return answer && !ended_;
}

}  // namespace wsnova::detail
