#pragma once

// session_impl: writing: the queue (one write at a time), our Close frame. Included at the foot of
// transport/detail/session_impl.hpp. Internal.

namespace wsnova::detail {

template <bool Secure>
bool session_impl<Secure>::is_data(const outgoing& item) {
  return item.kind == outgoing::type::text || item.kind == outgoing::type::binary;
}

template <bool Secure>
void session_impl<Secure>::enqueue(outgoing item) {
  if (ended_ && !reported_ && is_data(item)) {
    queue_.push_back(std::move(item));  // comes back in on_end's unsent
    return;
  }
  if (ended_ || (close_queued_ && item.kind != outgoing::type::close)) {
    if (is_data(item)) count_done(item.payload.size());
    return;
  }
  queue_.push_back(std::move(item));
  if (open_ && !writing_) write_next();
}

template <bool Secure>
void session_impl<Secure>::write_next() {
  if (writing_ || ended_) return;
  if (queue_.empty()) return;  // the cork flushes at the end of the round
  writing_ = true;
  auto& item = queue_.front();
  auto on_done = [self = shared()](boost::system::error_code ec, std::size_t = 0) {
    self->on_written(ec);
  };
  switch (item.kind) {
    case outgoing::type::text:
    case outgoing::type::binary:
      ws_.text(item.kind == outgoing::type::text);
      ws_.async_write(asio::buffer(item.payload), on_done);
      break;
    case outgoing::type::ping:
      ws_.async_ping(websocket::ping_data{item.payload.substr(0, 125)}, on_done);
      break;
    case outgoing::type::close:
      // Not Beast's async_close: it reads and discards until the peer's Close, so what
      // the peer sent meanwhile would be lost. The Close goes out through the cork, which
      // then drops Beast's own automatic replies; the read loop keeps delivering until
      // the peer's Close (docs/architecture.md, "Closing").
      close_started_ = true;
      writing_ = false;
      ws_.next_layer().write_last(make_close_frame(item.code, item.payload));
      queue_.pop_front();
      return;
  }
}

template <bool Secure>
void session_impl<Secure>::on_written(boost::system::error_code ec) {
  writing_ = false;
  auto& item = queue_.front();
  if (!ec && is_data(item)) {
    // Beast wrote it into the cork; it counts as written once the cork hands the
    // bytes up to this offset to the kernel.
    count_done(item.payload.size());
    corked_.push_back({ws_.next_layer().bytes_accepted(), std::move(item)});
    queue_.pop_front();
    auto written = ws_.next_layer().bytes_written();
    while (!corked_.empty() && corked_.front().end <= written) corked_.pop_front();
  } else if (!ec) {
    queue_.pop_front();
  }
  if (ended_) return settle();
  if (ec) {
    // A write fails when the read side failed the connection (it reports, after
    // tearing down politely) or when the socket broke (the read fails too). Closing the
    // socket here would reset the connection under Beast's teardown.
    if (read_in_flight_) return;
    return finish(classify_error(ec, session_phase::open), close_code::abnormal, {});
  }
  write_next();
}

template <bool Secure>
void session_impl<Secure>::do_close(std::uint16_t code, std::string reason) {
  if (ended_ || close_queued_) return;
  if (!open_) return finish({}, code, std::move(reason));  // nothing to close yet
  close_queued_ = true;
  // The peer's Close must be read even if the consumer paused reading.
  if (reading_paused_) {
    reading_paused_ = false;
    if (!read_in_flight_) do_read();
  }
  enqueue(outgoing{outgoing::type::close, std::move(reason), code});
  // Bound the whole close, including the queued sends before it.
  arm_close_deadline();
}

template <bool Secure>
void session_impl<Secure>::arm_close_deadline() {
  wait_until(timer_purpose::closing, clock_type::now() + options_->handshake_timeout);
}

}  // namespace wsnova::detail
