#include <wsnova/actors/detail/connection_actor.hpp>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova {

const char* to_string(connection_state state) {
  switch (state) {
    case connection_state::idle: return "idle";
    case connection_state::connecting: return "connecting";
    case connection_state::connected: return "connected";
    case connection_state::disconnected: return "disconnected";
    case connection_state::reconnecting: return "reconnecting";
    case connection_state::closing: return "closing";
    case connection_state::closed: return "closed";
  }
  return "unknown";
}

namespace detail {

connection_actor::connection_actor(caf::actor_config& cfg, boost::asio::io_context& io,
                                   ws_url url, std::shared_ptr<boost::asio::ssl::context> tls,
                                   connection_config config, connection_owner owner)
  : super(cfg),
    io_(io),
    pinned_(this->home_system(), io),
    ws_url_(std::move(url)),
    tls_(std::move(tls)),
    config_(std::move(config)),
    owner_(std::move(owner)),
    backoff_(config_.reconnect, this->id()),
    flow_credit_(config_.flow) {
  if (config_.id.empty()) config_.id = "conn-" + std::to_string(this->id());
  if (!config_.handlers.connection)
    config_.handlers.connection = std::make_shared<connection_handler>();
  if (!config_.handlers.message) config_.handlers.message = std::make_shared<message_handler>();
  if (!config_.handlers.error) config_.handlers.error = std::make_shared<wsnova::error_handler>();
}

void connection_actor::enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* eu) {
  super::enqueue(std::move(ptr), config_.run_on_io_thread ? &pinned_ : eu);
}

void connection_actor::launch(caf::execution_unit* eu, bool lazy, bool hide) {
  super::launch(config_.run_on_io_thread ? &pinned_ : eu, lazy, hide);
}

connection_actor::behavior_type connection_actor::make_behavior() {
  // Like Gun's process, a connection lives until it closes, whether or not anyone keeps its
  // handle: the session only holds a weak reference, so hold a strong one until exit.
  keep_alive_ = this->ctrl();
  this->monitor(owner_);
  this->set_down_handler([this](caf::down_msg& msg) { on_down(msg); });
  // An owner that leaves an event unhandled answers with `unexpected_message`; that is the
  // owner's business and must not stop the connection (CAF's default would quit).
  this->set_error_handler([](caf::error&) {
    // nop
  });
  if (config_.registry)
    caf::anon_send(config_.registry, register_atom::value, config_.id,
                   caf::actor_cast<caf::actor>(this));
  start_session();
  return {
    [this](connect_atom) -> caf::result<caf::ok_atom> {
      switch (state_) {
        case connection_state::connected: return caf::ok_atom::value;
        case connection_state::closing:
        case connection_state::closed: return make_error(errc::closed, "connection is closing");
        default: break;
      }
      awaiting_connect_.push_back(this->make_response_promise<caf::ok_atom>());
      return awaiting_connect_.back();
    },
    [this](send_atom, ws_message& message) -> caf::result<caf::ok_atom> {
      if (auto err = send_now(std::move(message))) return err;
      return caf::ok_atom::value;
    },
    [this](ping_atom) -> caf::result<caf::timespan> {
      if (state_ != connection_state::connected)
        return make_error(errc::not_connected, to_string(state_));
      auto payload = "wsnova-ping-" + std::to_string(++next_ping_);
      auto promise = this->make_response_promise<caf::timespan>();
      pending_pings_.emplace(payload, pending_ping{this->clock().now(), promise});
      session_->ping(std::move(payload));
      return promise;
    },
    [this](status_atom) {
      connection_status status{config_.id,     config_.url,        state_,   subprotocol_,
                               messages_sent_, messages_received_, connects_};
      if (session_) {
        status.queued_messages = session_->queued_messages();
        status.queued_bytes = session_->queued_bytes();
      }
      status.buffered_messages = offline_buffer_.size();
      return status;
    },
    [this](close_atom, std::uint16_t code, std::string& reason) -> caf::result<caf::ok_atom> {
      if (!close_code::is_sendable(code))
        return make_error(errc::invalid_argument,
                          "close code " + std::to_string(code) + " may not be sent");
      if (state_ == connection_state::closed) return make_error(errc::closed);
      auto promise = this->make_response_promise<caf::ok_atom>();
      if (!awaiting_close_) awaiting_close_ = promise;
      if (!close_requested_) apply(directive::close(code, std::move(reason)));
      return promise;
    },
    [this](session_open_atom, std::uint64_t id, std::string& subprotocol, bool compressed) {
      if (id == session_id_) on_open(std::move(subprotocol), compressed);
    },
    [this](session_data_atom, std::uint64_t id, ws_message& message) {
      if (id == session_id_) on_message(std::move(message));
    },
    [this](session_control_atom, std::uint64_t id, control_kind kind, std::string& payload) {
      if (id == session_id_) on_control(kind, std::move(payload));
    },
    [this](session_end_atom, std::uint64_t id, caf::error& cause, std::uint16_t code,
           std::string& reason, std::vector<ws_message>& unsent) {
      // TODO(lead): re-buffer or report `unsent` (sent, never written; oldest first).
      if (id == session_id_) on_end(std::move(cause), code, std::move(reason));
    },
    [this](reconnect_atom, std::uint64_t token) {
      if (token == reconnect_token_ && state_ == connection_state::reconnecting) start_session();
    },
    [this](transfer_atom, connection_owner& new_owner) {
      return start_transfer(std::move(new_owner));
    },
    [this](flow_atom, std::uint32_t credit) {
      if (config_.flow == 0) return;
      flow_credit_ += credit;
      // Messages read before the pause took effect go first, in order.
      std::size_t delivered = 0;
      while (flow_credit_ > 0 && delivered < held_.size()) {
        tell_owner(message_event{config_.id, std::move(held_[delivered++])});
        --flow_credit_;
      }
      held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(delivered));
      if (flow_credit_ > 0 && session_) session_->resume_reading();
    },
    [this](commit_atom, std::uint64_t token) {
      if (transfer_ && transfer_->token == token) commit_transfer();
    },
  };
}

void connection_actor::on_exit() {
  // Killed or stopped with a session still running: leave politely if we can.
  if (session_) {
    if (state_ == connection_state::connected)
      session_->close(close_code::going_away, "connection actor exited");
    else
      session_->abort();
    session_.reset();
  }
  owner_ = nullptr;
  keep_alive_ = nullptr;
}

// -- handler_context ------------------------------------------------------------

void connection_actor::send(ws_message message) {
  if (auto err = send_now(std::move(message))) tell_owner(error_event{config_.id, err});
}

caf::error connection_actor::send_now(ws_message message) {
  if (close_requested_ || owner_gone_ || state_ == connection_state::closing ||
      state_ == connection_state::closed)
    return make_error(errc::closed, to_string(state_));
  const auto& limits = config_.sending;
  if (state_ != connection_state::connected &&
      limits.when_disconnected == offline_send_policy::reject)
    return make_error(errc::not_connected, to_string(state_));
  auto encoded = config_.handlers.message->encode(*this, std::move(message));
  if (!encoded) return encoded.error();
  auto size = encoded->payload.size();
  if (state_ != connection_state::connected) {
    if (offline_buffer_.size() >= limits.max_buffered_messages ||
        offline_bytes_ + size > limits.max_buffered_bytes)
      return make_error(errc::queue_full, "offline buffer full (" +
                                            std::to_string(offline_buffer_.size()) +
                                            " messages, " + std::to_string(offline_bytes_) +
                                            " bytes)");
    offline_bytes_ += size;
    offline_buffer_.push_back(std::move(*encoded));
    return {};
  }
  if (auto err = check_send_limits(size)) return err;
  ++messages_sent_;
  session_->send(std::move(*encoded));
  return {};
}

caf::error connection_actor::check_send_limits(std::size_t bytes) {
  const auto& limits = config_.sending;
  auto messages = session_->queued_messages();
  auto queued = session_->queued_bytes();
  if (send_paused_) {
    auto low_messages = static_cast<std::size_t>(limits.max_queued_messages * limits.resume_fraction);
    auto low_bytes = static_cast<std::size_t>(limits.max_queued_bytes * limits.resume_fraction);
    if (messages > low_messages || queued > low_bytes)
      return make_error(errc::queue_full, "send queue above its low watermark");
    send_paused_ = false;
  }
  if (messages + 1 > limits.max_queued_messages || queued + bytes > limits.max_queued_bytes) {
    send_paused_ = true;
    return make_error(errc::queue_full, "send queue full (" + std::to_string(messages) +
                                          " messages, " + std::to_string(queued) + " bytes)");
  }
  return {};
}

void connection_actor::flush_offline_buffer() {
  auto buffered = std::exchange(offline_buffer_, {});
  offline_bytes_ = 0;
  for (auto& message : buffered) {
    ++messages_sent_;
    session_->send(std::move(message));
  }
}

void connection_actor::apply(directive decision) {
  switch (decision.kind) {
    case directive_kind::ok:
    case directive_kind::ignore:
    case directive_kind::deferred:
      return;
    case directive_kind::reply:
      for (auto& frame : decision.frames) send(std::move(frame));
      return;
    case directive_kind::close:
      close_requested_ = true;
      if (state_ == connection_state::connected) {
        state_ = connection_state::closing;
        session_->close(decision.code, std::move(decision.reason));
      } else if (session_) {
        state_ = connection_state::closing;
        session_->abort();  // not open yet: nothing to close politely
      } else {
        finish(decision.code, std::move(decision.reason), {});
      }
      return;
    case directive_kind::stop:
      if (session_) session_->abort();
      session_.reset();
      ++session_id_;
      finish(close_code::abnormal, {}, decision.error);
      return;
    case directive_kind::reconnect:
      if (close_requested_ || owner_gone_) return;
      if (session_) {
        session_->abort();
        session_.reset();
        ++session_id_;
      }
      state_ = connection_state::reconnecting;
      ++reconnect_attempts_;
      tell_owner(reconnecting_event{config_.id, reconnect_attempts_, decision.delay});
      this->delayed_send(this, decision.delay, reconnect_atom::value, ++reconnect_token_);
      return;
  }
}

void connection_actor::request_directive(const caf::actor& handler, caf::message request) {
  this->request(handler, caf::infinite, std::move(request))
    .then([this](directive& decision) { apply(std::move(decision)); },
          [this](caf::error& err) {
            tell_owner(error_event{config_.id, make_error(errc::actor_gone,
                                                          "handler actor failed: " +
                                                            describe(err))});
          });
}

// -- state machine --------------------------------------------------------------

void connection_actor::start_session() {
  state_ = connection_state::connecting;
  auto options = config_.session;
  config_.handlers.connection->on_handshake(*this, options);
  session_ = session::make(io_, ws_url_, std::move(options), tls_,
                           std::make_shared<session_bridge>(this->ctrl()), ++session_id_);
  if (config_.flow != 0 && flow_credit_ == 0) session_->pause_reading();
  session_->start();
}

void connection_actor::on_open(std::string subprotocol, bool compressed) {
  state_ = connection_state::connected;
  subprotocol_ = std::move(subprotocol);
  opened_at_ = this->clock().now();
  send_paused_ = false;
  ++connects_;
  if (owner_gone_) return on_owner_down();  // the owner died while we were connecting
  if (connects_ == 1)
    tell_owner(connected_event{config_.id, config_.url, subprotocol_, compressed});
  else
    tell_owner(reconnected_event{config_.id, reconnect_attempts_, subprotocol_});
  reconnect_attempts_ = 0;
  for (auto& promise : awaiting_connect_) promise.deliver(caf::ok_atom::value);
  awaiting_connect_.clear();
  // The restore sequence, in this order: on_connect (authentication goes here), then
  // subscriptions (the Subscription behaviour's hook), then what was buffered while down.
  apply(config_.handlers.connection->on_connect(
    *this, connect_info{config_.url, subprotocol_, compressed, connects_}));
  if (state_ == connection_state::connected) flush_offline_buffer();
}

void connection_actor::on_message(ws_message message) {
  ++messages_received_;
  auto decision = config_.handlers.message->handle_message(*this, message);
  if (decision.kind == directive_kind::ok)
    deliver(std::move(message));
  else
    apply(std::move(decision));
}

void connection_actor::deliver(ws_message message) {
  if (config_.flow == 0) return tell_owner(message_event{config_.id, std::move(message)});
  if (flow_credit_ == 0) {
    held_.push_back(std::move(message));  // read before the pause took effect
    return;
  }
  tell_owner(message_event{config_.id, std::move(message)});
  if (--flow_credit_ == 0 && session_) session_->pause_reading();
}

void connection_actor::on_control(control_kind kind, std::string payload) {
  if (kind == control_kind::pong) {
    if (auto i = pending_pings_.find(payload); i != pending_pings_.end()) {
      i->second.promise.deliver(this->clock().now() - i->second.sent_at);
      pending_pings_.erase(i);
    }
  }
  apply(config_.handlers.connection->on_control_frame(*this, kind, payload));
}

void connection_actor::on_end(caf::error cause, std::uint16_t code, std::string reason) {
  session_.reset();
  ++session_id_;
  const bool was_open = state_ == connection_state::connected ||
                        state_ == connection_state::closing;
  state_ = connection_state::disconnected;
  fail_pending_pings(cause ? cause : make_error(errc::not_connected, "connection closed"));
  if (close_requested_ || owner_gone_) {
    auto final_cause = owner_gone_ ? make_error(errc::owner_gone) : cause;
    return finish(code, std::move(reason), std::move(final_cause));
  }
  if (was_open) {
    tell_owner(disconnected_event{config_.id, cause, code, reason});
    // A connection that stayed up long enough starts its backoff over.
    if (this->clock().now() - opened_at_ >= config_.reconnect.stable_after) backoff_.reset();
  }
  auto decision = directive::ok();
  // A peer's normal close (1000) is a cause for the handlers but no error to report.
  const bool peer_closed_normally = is(cause, errc::closed_by_peer) && code == close_code::normal;
  if (cause && !peer_closed_normally) {
    decision = config_.handlers.error->on_error(*this, cause);
    if (decision.kind != directive_kind::ignore) tell_owner(error_event{config_.id, cause});
  }
  if (decision.kind == directive_kind::ok || decision.kind == directive_kind::ignore)
    decision = config_.handlers.connection->on_disconnect(
      *this, disconnect_info{cause, code, reason, false, connects_});
  // A failed connect answers the callers waiting for it, unless a reconnect follows.
  if (decision.kind != directive_kind::reconnect && decision.kind != directive_kind::deferred) {
    for (auto& promise : awaiting_connect_)
      promise.deliver(cause ? cause : make_error(errc::closed));
    awaiting_connect_.clear();
  }
  if (decision.kind == directive_kind::close) {
    // Already down: a close decision means "final", with the peer's code.
    return finish(code, std::move(reason), std::move(cause));
  }
  if (decision.kind == directive_kind::stop) {
    // Already down: stop with the code and reason the connection ended with.
    return finish(code, std::move(reason), std::move(decision.error));
  }
  apply(std::move(decision));
}

void connection_actor::on_down(const caf::down_msg& msg) {
  if (transfer_ && msg.source == transfer_->new_owner.address()) {
    // The would-be owner is dead: ownership stays where it was.
    transfer_->promise.deliver(make_error(errc::actor_gone, "the new owner is not alive"));
    transfer_.reset();
    return;
  }
  // Only the current owner's death matters; a former owner's down message is stale.
  if (!owner_ || msg.source != owner_.address()) return;
  if (transfer_) {
    // The owner died while handing over: finish the hand-over instead of closing.
    owner_ = nullptr;
    return commit_transfer();
  }
  on_owner_down();
}

caf::result<caf::ok_atom> connection_actor::start_transfer(connection_owner new_owner) {
  if (!new_owner) return make_error(errc::invalid_argument, "no new owner given");
  auto sender = caf::actor_cast<caf::actor_addr>(this->current_sender());
  const bool allowed = (owner_ && sender == owner_.address()) ||
                       (config_.transfer_authority &&
                        sender == config_.transfer_authority.address());
  if (!allowed)
    return make_error(errc::not_allowed,
                      "only the owner or the transfer authority may transfer ownership");
  if (transfer_) return make_error(errc::not_allowed, "another transfer is in progress");
  if (new_owner == owner_) return caf::ok_atom::value;
  // Monitoring a dead actor queues its down message at once, so it arrives before the
  // commit message sent next: a transfer to a dead actor fails and changes nothing.
  this->monitor(new_owner);
  auto token = ++next_transfer_token_;
  transfer_ = pending_transfer{std::move(new_owner), this->make_response_promise<caf::ok_atom>(),
                               token};
  super::send(caf::actor_cast<connection_actor_interface>(this), commit_atom::value, token);
  return transfer_->promise;
}

void connection_actor::commit_transfer() {
  auto transfer = std::move(*transfer_);
  transfer_.reset();
  auto previous = std::move(owner_);
  ownership_event event{config_.id, previous ? previous.address() : caf::actor_addr{},
                        transfer.new_owner.address()};
  if (previous) {
    this->demonitor(previous.address());
    tell(previous, event);  // the old owner's last event
  }
  owner_ = std::move(transfer.new_owner);
  tell_owner(std::move(event));  // the new owner's first event
  transfer.promise.deliver(caf::ok_atom::value);
}

void connection_actor::on_owner_down() {
  owner_gone_ = true;
  owner_ = nullptr;
  if (!config_.close_when_owner_down) return;
  switch (state_) {
    case connection_state::connected:
      close_requested_ = true;
      state_ = connection_state::closing;
      session_->close(close_code::going_away, "owner gone");
      return;
    case connection_state::connecting:
      return;  // close once the upgrade completes (on_open checks owner_gone_)
    case connection_state::closing:
    case connection_state::closed:
      return;
    default:
      finish(close_code::going_away, "owner gone", make_error(errc::owner_gone));
  }
}

void connection_actor::fail_pending_pings(const caf::error& reason) {
  for (auto& [payload, ping] : pending_pings_) ping.promise.deliver(reason);
  pending_pings_.clear();
}

void connection_actor::finish(std::uint16_t code, std::string reason, caf::error cause) {
  if (state_ == connection_state::closed) return;
  state_ = connection_state::closed;
  if (session_) {
    session_->abort();
    session_.reset();
  }
  tell_owner(closed_event{config_.id, code, reason, cause});
  auto refusal = cause ? cause : make_error(errc::closed, "connection closed");
  for (auto& promise : awaiting_connect_) promise.deliver(refusal);
  awaiting_connect_.clear();
  fail_pending_pings(refusal);
  if (awaiting_close_) {
    awaiting_close_->deliver(caf::ok_atom::value);
    awaiting_close_.reset();
  }
  // A close the user asked for, or the owner's death, is a normal exit; anything else is
  // abnormal so that a supervisor can restart the connection.
  if (!cause || owner_gone_ || close_requested_)
    this->quit(caf::exit_reason::normal);
  else
    this->quit(cause);
}

}  // namespace detail
}  // namespace wsnova
