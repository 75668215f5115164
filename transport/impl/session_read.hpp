#pragma once

// session_impl: the open connection: reading and delivering messages and control frames. Included
// at the foot of transport/detail/session_impl.hpp. Internal.

namespace wsnova::detail {

template <bool Secure>
void session_impl<Secure>::on_open() {
  open_ = true;
  // The handshake deadline is over; a heartbeat (below) takes the timer, or nothing does.
  timer_purpose_ = timer_purpose::none;
  last_received_ = clock_type::now();
  last_message_ = last_received_;
  auto subprotocol =
      std::string{connecting_->upgrade_response[http::field::sec_websocket_protocol]};
  auto extensions = connecting_->upgrade_response[http::field::sec_websocket_extensions];
  bool compressed = extensions.find("permessage-deflate") != beast::string_view::npos;
  connecting_.reset();  // the resolver and the upgrade's headers are done with
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
    last_received_ = clock_type::now();
    if (ended_ || kind == websocket::frame_type::close) return;
    listening(listener_->on_control(
        id(), kind == websocket::frame_type::ping ? control_kind::ping : control_kind::pong,
        std::string{payload}));
  });
  if (!listening(listener_->on_open(id(), std::move(subprotocol), compressed))) return;
  do_read();
  // A close asked for inside on_open has the timer already (its deadline).
  if (!close_queued_) {
    if (options_->ping_interval.count() > 0)
      arm_heartbeat(clock_type::now() + options_->ping_interval);
    else
      stop_timer();  // nothing to wait for: release the wait the connect armed
  }
  write_next();
}

template <bool Secure>
void session_impl<Secure>::do_read() {
  if (reading_paused_) return;
  read_in_flight_ = true;
  reading_direct_ = quiet_ || last_message_size_ >= direct_read_min;
  // No max_size on either buffer: read_message_max (set in do_upgrade) is the limit, and
  // fails the read with message_too_big (close 1009) before the payload is read.
  auto on_done = [self = shared()](boost::system::error_code ec, std::size_t) {
    self->on_read(ec);
  };
  if (!reading_direct_) return ws_.async_read(read_buffer_, std::move(on_done));
  if (quiet_) {                    // nothing is held while waiting
    read_buffer_.shrink_to_fit();  // empty here
    ws_.next_layer().shrink_to_fit();
  } else {
    incoming_.reserve(last_message_size_);
  }
  incoming_.clear();  // moved from: valid, its state unspecified
  incoming_buffer_ = message_buffer{incoming_, quiet_};
  ws_.async_read(incoming_buffer_, std::move(on_done));
}

template <bool Secure>
void session_impl<Secure>::on_read(boost::system::error_code ec) {
  read_in_flight_ = false;
  if (ended_) return;
  if (ec) return on_read_error(ec);
  auto now = clock_type::now();
  quiet_ = now - last_message_ >= quiet_gap;
  last_received_ = now;
  last_message_ = now;
  std::string payload;
  if (reading_direct_) {
    incoming_buffer_.finish();
    payload = std::move(incoming_);
    // A small message after a large one: do not carry the large capacity upwards.
    if (payload.size() < direct_read_min) payload.shrink_to_fit();
  } else {
    payload = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
  }
  last_message_size_ = payload.size();
  ws_message message{ws_.got_text() ? message_kind::text : message_kind::binary,
                     std::move(payload)};
  // The answers written while the message is handled leave when Beast reads again (or in
  // the idle flush, if it does not): no posted check per message.
  auto& cork = ws_.next_layer();
  cork.hold_idle_flush();
  struct release {
    next_layer_type& cork;
    ~release() { cork.release_idle_flush(); }
  } release_on_exit{cork};
  if (listening(listener_->on_message(id(), std::move(message)))) do_read();
}

template <bool Secure>
void session_impl<Secure>::on_read_error(boost::system::error_code ec) {
  // An empty Close frame has no code: RFC 6455 section 7.1.5 reports it as 1005.
  std::uint16_t code = ws_.reason().code;
  if (code == 0) code = close_code::no_status;
  auto reason = std::string{ws_.reason().reason.c_str()};
  if (ec == websocket::error::closed) {
    // The peer's Close arrived and Beast tore the connection down (waiting for the
    // server's FIN): clean if we closed first, a peer close otherwise.
    if (close_started_) return finish({}, code, std::move(reason));
    auto detail = "code " + std::to_string(code) + (reason.empty() ? "" : " '" + reason + "'");
    return finish({errc::closed_by_peer, std::move(detail)}, code, std::move(reason));
  }
  if (ec.category() == beast::zlib::make_error_code(beast::zlib::error::stream_error).category())
    return fail_with_close(invalid_payload, "invalid compressed data",
                           {errc::protocol_violation, "invalid compressed data: " + ec.message()});
  if (ec == websocket::error::message_too_big)
    return finish({errc::message_too_big,
                   "message larger than " + std::to_string(options_->max_message_size) + " bytes"},
                  close_code::too_big, "message too big");
  // Beast failed the connection with a Close frame of its own (then waited for the
  // peer's answer): report the code it sent, not 1006.
  auto sent = close_code::abnormal;
  if (ec == websocket::error::bad_frame_payload)
    sent = invalid_payload;
  else if (ec == websocket::condition::protocol_violation)
    sent = close_code::protocol_error;
  finish(classify_error(ec, session_phase::open), sent, {});
}

template <bool Secure>
void session_impl<Secure>::fail_with_close(std::uint16_t code, std::string reason, failure cause) {
  // A data write of Beast's in flight may have put part of a frame into the cork: a Close
  // after it would be read as that frame's payload. Then drop TCP, as Beast would.
  if (writing_) return finish(std::move(cause), close_code::abnormal, {});
  arm_close_deadline();
  ws_.next_layer().write_last(make_close_frame(code, reason));
  async_teardown(
      beast::role_type::client, ws_.next_layer(),
      [self = shared(), cause = std::move(cause), code, reason = std::move(reason)](
          beast::error_code) mutable { self->finish(std::move(cause), code, std::move(reason)); });
}

}  // namespace wsnova::detail
