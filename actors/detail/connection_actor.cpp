#include <wsnova/actors/detail/connection_actor.hpp>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova::detail {

using cs = connection_state;
using ev = lifecycle_event;

connection_actor::connection_actor(caf::actor_config& cfg, boost::asio::io_context& io, ws_url url,
                                   std::shared_ptr<boost::asio::ssl::context> tls,
                                   connection_config config, connection_owner owner)
    : super(cfg),
      io_(io),
      pinned_(this->home_system(), io),
      ws_url_(std::move(url)),
      tls_(std::move(tls)),
      config_(std::move(config)),
      owner_(this, std::move(owner), config_.transfer_authority),
      outbound_(config_.sending),
      flow_(config_.flow),
      backoff_(config_.reconnect, this->id()) {
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
  owner_.start(config_.id);
  this->set_down_handler([this](const caf::down_msg& msg) {
    if (owner_.on_down(msg)) on_owner_down();
  });
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
        switch (lifecycle_.state()) {
          case cs::connected:
            return caf::ok_atom::value;
          case cs::closing:
          case cs::closed:
            return make_error(errc::closed, "connection is closing");
          default:
            break;
        }
        awaiting_connect_.push_back(this->make_response_promise<caf::ok_atom>());
        return awaiting_connect_.back();
      },
      [this](send_atom, ws_message& message) -> caf::result<caf::ok_atom> {
        if (auto err = send_now(std::move(message))) return err;
        return caf::ok_atom::value;
      },
      [this](ping_atom) -> caf::result<caf::timespan> {
        if (!lifecycle_.is(cs::connected))
          return make_error(errc::not_connected, to_string(lifecycle_.state()));
        auto payload = "wsnova-ping-" + std::to_string(++next_ping_);
        auto promise = this->make_response_promise<caf::timespan>();
        pending_pings_.emplace(payload, pending_ping{this->clock().now(), promise});
        session_->ping(std::move(payload));
        return promise;
      },
      [this](status_atom) {
        connection_status status{config_.id,   config_.url,    lifecycle_.state(),
                                 subprotocol_, messages_sent_, messages_received_,
                                 connects_};
        if (session_) {
          status.queued_messages = session_->queued_messages();
          status.queued_bytes = session_->queued_bytes();
        }
        status.buffered_messages = outbound_.buffered_messages();
        return status;
      },
      [this](close_atom, std::uint16_t code, std::string& reason) -> caf::result<caf::ok_atom> {
        if (!close_code::is_sendable(code))
          return make_error(errc::invalid_argument,
                            "close code " + std::to_string(code) + " may not be sent");
        if (lifecycle_.is(cs::closed)) return make_error(errc::closed);
        auto promise = this->make_response_promise<caf::ok_atom>();
        if (!awaiting_close_) awaiting_close_ = promise;
        // Closing means a close was requested already (by the user, a directive or the
        // owner's death); it completes and answers this promise too.
        if (!lifecycle_.is(cs::closing)) apply(directive::close(code, std::move(reason)));
        return promise;
      },
      [this](session_open_atom, std::uint64_t id, std::string& subprotocol, bool compressed) {
        if (id == session_id_) on_open(std::move(subprotocol), compressed);
      },
      [this](session_data_atom, std::uint64_t id, ws_message& message) {
        if (id == session_id_) on_message(std::move(message));
      },
      [this](session_control_atom, std::uint64_t id, control_kind kind,
             const std::string& payload) {
        if (id == session_id_) on_control(kind, payload);
      },
      [this](session_end_atom, std::uint64_t id, caf::error& cause, std::uint16_t code,
             std::string& reason, std::vector<ws_message>& unsent) {
        if (id == session_id_) on_end(std::move(cause), code, std::move(reason), std::move(unsent));
      },
      [this](reconnect_atom, std::uint64_t token) {
        if (token == reconnect_token_ && lifecycle_.is(cs::reconnecting)) start_session();
      },
      [this](transfer_atom, connection_owner& new_owner) {
        return owner_.start_transfer(std::move(new_owner));
      },
      [this](flow_atom, std::uint32_t credit) {
        // Messages read before the pause took effect go first, in order.
        auto resume = flow_.grant(credit, [this](ws_message&& message) {
          tell_owner(message_event{config_.id, std::move(message)});
        });
        if (resume && session_) session_->resume_reading();
      },
      [this](commit_atom, std::uint64_t token) { owner_.commit(token); },
  };
}

void connection_actor::on_exit() {
  // Killed or stopped with a session still running: leave politely if we can.
  if (session_) {
    if (lifecycle_.is(cs::connected))
      session_->close(close_code::going_away, "connection actor exited");
    else
      session_->abort();
    session_.reset();
  }
  owner_.release();
  keep_alive_ = nullptr;
}

// -- handler_context ------------------------------------------------------------

void connection_actor::send(ws_message message) {
  if (auto err = send_now(std::move(message))) tell_owner(error_event{config_.id, err});
}

caf::error connection_actor::send_now(ws_message message) {
  const auto state = lifecycle_.state();
  if (lifecycle_.stopping() || state == cs::closing || state == cs::closed)
    return make_error(errc::closed, to_string(state));
  const bool connected = state == cs::connected;
  if (!connected && !outbound_.buffers_offline())
    return make_error(errc::not_connected, to_string(state));
  auto encoded = config_.handlers.message->encode(*this, std::move(message));
  if (!encoded) return encoded.error();
  if (!connected) return outbound_.buffer(std::move(*encoded));
  if (auto err = outbound_.admit(session_->queued_messages(), session_->queued_bytes(),
                                 encoded->payload.size()))
    return err;
  ++messages_sent_;
  session_->send(std::move(*encoded));
  return {};
}

void connection_actor::flush_offline_buffer() {
  for (auto& message : outbound_.take()) {
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
      lifecycle_.stop(stop_cause::close_requested);
      if (lifecycle_.is(cs::connected)) {
        lifecycle_.advance(ev::close);
        session_->close(decision.code, std::move(decision.reason));
      } else if (session_) {
        lifecycle_.advance(ev::close);
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
      if (lifecycle_.stopping()) return;
      if (session_) {
        session_->abort();
        session_.reset();
        ++session_id_;
      }
      lifecycle_.advance(ev::retry);
      ++reconnect_attempts_;
      tell_owner(reconnecting_event{config_.id, reconnect_attempts_, decision.delay});
      this->delayed_send(this, decision.delay, reconnect_atom::value, ++reconnect_token_);
      return;
  }
}

void connection_actor::request_directive(const caf::actor& handler, caf::message request) {
  // cppcheck-suppress accessMoved ; false positive: `request` is moved once, never read after
  this->request(handler, caf::infinite, std::move(request))
      .then([this](directive& decision) { apply(std::move(decision)); },
            [this](const caf::error& err) {
              tell_owner(error_event{
                  config_.id,
                  make_error(errc::actor_gone, "handler actor failed: " + describe(err))});
            });
}

// -- state machine --------------------------------------------------------------

void connection_actor::start_session() {
  lifecycle_.advance(ev::connect);
  auto options = config_.session;
  config_.handlers.connection->on_handshake(*this, options);
  session_ = session::make(io_, ws_url_, std::move(options), tls_,
                           std::make_shared<session_bridge>(this->ctrl()), ++session_id_);
  if (flow_.exhausted()) session_->pause_reading();
  session_->start();
}

void connection_actor::on_open(std::string subprotocol, bool compressed) {
  // Closing before the upgrade completed aborted the session: its end follows.
  if (!lifecycle_.is(cs::connecting)) return;
  lifecycle_.advance(ev::open);
  subprotocol_ = std::move(subprotocol);
  opened_at_ = this->clock().now();
  outbound_.resume();
  ++connects_;
  if (lifecycle_.cause() == stop_cause::owner_gone)
    return on_owner_down();  // the owner died while we were connecting
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
  if (lifecycle_.is(cs::connected)) flush_offline_buffer();
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
  if (!flow_.admit(message)) return;  // held: read before the pause took effect
  tell_owner(message_event{config_.id, std::move(message)});
  if (flow_.exhausted() && session_) session_->pause_reading();
}

void connection_actor::on_control(control_kind kind, const std::string& payload) {
  if (kind == control_kind::pong) {
    if (auto i = pending_pings_.find(payload); i != pending_pings_.end()) {
      i->second.promise.deliver(this->clock().now() - i->second.sent_at);
      pending_pings_.erase(i);
    }
  }
  apply(config_.handlers.connection->on_control_frame(*this, kind, payload));
}

void connection_actor::on_end(caf::error cause, std::uint16_t code, std::string reason,
                              std::vector<ws_message> unsent) {
  session_.reset();
  ++session_id_;
  const bool was_open = lifecycle_.is(cs::connected) || lifecycle_.is(cs::closing);
  lifecycle_.advance(ev::drop);
  fail_pending_pings(cause ? cause : make_error(errc::not_connected, "connection closed"));
  // Frames the session accepted but never wrote: back into the offline buffer, in order
  // (buffer policy, within its bounds), or back to the owner. Never dropped silently.
  report_unsent(lifecycle_.stopping() ? std::move(unsent) : outbound_.give_back(std::move(unsent)));
  if (lifecycle_.stopping()) {
    auto final_cause =
        lifecycle_.cause() == stop_cause::owner_gone ? make_error(errc::owner_gone) : cause;
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

void connection_actor::on_owner_down() {
  lifecycle_.stop(stop_cause::owner_gone);
  if (!config_.close_when_owner_down) return;
  switch (lifecycle_.state()) {
    case cs::connected:
      lifecycle_.advance(ev::close);
      session_->close(close_code::going_away, "owner gone");
      return;
    case cs::connecting:  // close once the upgrade completes (on_open checks the stop cause)
    case cs::closing:
    case cs::closed:
      return;
    default:
      finish(close_code::going_away, "owner gone", make_error(errc::owner_gone));
  }
}

void connection_actor::fail_pending_pings(const caf::error& reason) {
  for (auto& [payload, ping] : pending_pings_) ping.promise.deliver(reason);
  pending_pings_.clear();
}

void connection_actor::report_unsent(std::vector<ws_message> messages) {
  if (!messages.empty()) tell_owner(unsent_event{config_.id, std::move(messages)});
}

void connection_actor::finish(std::uint16_t code, std::string reason, caf::error cause) {
  if (lifecycle_.is(cs::closed)) return;
  lifecycle_.advance(ev::finish);
  if (session_) {
    session_->abort();
    session_.reset();
  }
  report_unsent(outbound_.take());  // buffered while down, never sent
  tell_owner(closed_event{config_.id, code, std::move(reason), cause});
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
  if (!cause || lifecycle_.stopping())
    this->quit(caf::exit_reason::normal);
  else
    this->quit(std::move(cause));
}

}  // namespace wsnova::detail
