#include <wsnova/actors/detail/connection_actor.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/behaviors/redaction.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova::detail {

using cs = connection_state;
using ev = lifecycle_event;

namespace {

/// The id of connection actor `actor_id` spawned with `id` and `config` (see connection_id_).
std::string connection_id_of(std::string id, const connection_config& config,
                             caf::actor_id actor_id) {
  if (!id.empty()) return id;
  return config.id.empty() ? "conn-" + std::to_string(actor_id) : config.id;
}

}  // namespace

connection_actor::connection_actor(caf::actor_config& cfg, boost::asio::io_context& io, ws_url url,
                                   std::shared_ptr<boost::asio::ssl::context> tls,
                                   std::shared_ptr<const connection_config> config, std::string id,
                                   connection_owner owner)
    : super(cfg),
      io_(io),
      pinned_(this->home_system(), io),
      ws_url_(std::move(url)),
      tls_(std::move(tls)),
      config_(std::move(config)),
      connection_id_(connection_id_of(std::move(id), *config_, this->id())),
      owner_(this, std::move(owner), config_->transfer_authority),
      outbound_(config_->sending),
      flow_(config_->flow),
      backoff_(config_->reconnect, this->id()) {
  if (config_->rate_limit)
    bucket_ = std::make_unique<token_bucket>(*config_->rate_limit, this->clock().now());
}

void connection_actor::enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* eu) {
  super::enqueue(std::move(ptr), config_->run_on_io_thread ? &pinned_ : eu);
}

void connection_actor::launch(caf::execution_unit* eu, bool lazy, bool hide) {
  super::launch(config_->run_on_io_thread ? &pinned_ : eu, lazy, hide);
}

connection_actor::behavior_type connection_actor::make_behavior() {
  // Like Gun's process, a connection lives until it closes, whether or not anyone keeps its
  // handle: the session only holds a weak reference, so hold a strong one until exit.
  keep_alive_ = this->ctrl();
  owner_.start(connection_id_);
  this->set_down_handler([this](const caf::down_msg& msg) {
    if (owner_.on_down(msg)) on_owner_down();
  });
  // An exit message (a supervisor's shutdown, say) ends the connection like a close: the
  // owner gets what was not sent and a closed_event, then the actor exits with the reason.
  this->set_exit_handler([this](caf::exit_msg& msg) { on_exit_request(std::move(msg.reason)); });
  // An owner that leaves an event unhandled answers with `unexpected_message`; that is the
  // owner's business and must not stop the connection (CAF's default would quit).
  this->set_error_handler([](caf::error&) {
    // nop
  });
  if (config_->registry)
    caf::anon_send(config_->registry, register_atom::value, connection_id_,
                   caf::actor_cast<caf::actor>(this));
  start_session();
  return {
      [this](connect_atom) -> caf::result<caf::ok_atom> {
        if (ready_) return caf::ok_atom::value;
        if (lifecycle_.is(cs::closing) || lifecycle_.is(cs::closed))
          return make_error(errc::closed, "connection is closing");
        awaiting_connect_.push_back(this->make_response_promise<caf::ok_atom>());
        return awaiting_connect_.back();
      },
      [this](send_atom, ws_message& message) -> caf::result<caf::ok_atom> {
        if (!bucket_ && config_->behaviors.rate_limit.is_default() &&
            !config_->behaviors.message.actor()) {
          // The common case answers at once, with no promise.
          if (auto err = send_encoded(std::move(message))) return err;
          return caf::ok_atom::value;
        }
        auto promise = this->make_response_promise<caf::ok_atom>();
        send_user("send", std::move(message), [promise](caf::error err) mutable {
          if (err)
            promise.deliver(std::move(err));
          else
            promise.deliver(caf::ok_atom::value);
        });
        return promise;
      },
      [this](send_json_atom, std::string& json) -> caf::result<caf::ok_atom> {
        boost::system::error_code ec;
        boost::json::parse(json, ec);
        if (ec) return make_error(errc::invalid_argument, "not JSON: " + ec.message());
        auto promise = this->make_response_promise<caf::ok_atom>();
        send_user("send", ws_message{message_kind::text, std::move(json)},
                  [promise](caf::error err) mutable {
                    if (err)
                      promise.deliver(std::move(err));
                    else
                      promise.deliver(caf::ok_atom::value);
                  });
        return promise;
      },
      [this](request_atom, std::string& method, std::string& params,
             caf::timespan timeout) -> caf::result<std::string> {
        if (!ready_) return make_error(errc::not_connected, to_string(lifecycle_.state()));
        auto promise = this->make_response_promise<std::string>();
        rpc_request("request", rpc_call{std::move(method), std::move(params)}, timeout,
                    [promise](caf::expected<std::string> result) mutable {
                      if (result)
                        promise.deliver(std::move(*result));
                      else
                        promise.deliver(std::move(result.error()));
                    });
        return promise;
      },
      [this](subscribe_atom, std::string& channel,
             std::string& params) -> caf::result<std::uint64_t> {
        if (lifecycle_.is(cs::closing) || lifecycle_.is(cs::closed))
          return make_error(errc::closed);
        boost::json::value parsed;
        if (!params.empty()) {
          boost::system::error_code ec;
          parsed = boost::json::parse(params, ec);
          if (ec || !parsed.is_object())
            return make_error(errc::invalid_argument, "subscription params must be a JSON object");
        }
        auto id = rpc().subscriptions.subscribe(std::move(channel), std::move(parsed),
                                                config_->subscribe_timeout, this->clock().now());
        if (!id) return std::move(id.error());
        rpc_active_ = true;
        auto promise = this->make_response_promise<std::uint64_t>();
        rpc().subscription_waiters[*id].push_back(promise);
        // Not up yet: the restore sequence sends it.
        if (ready_ || restore_ == restore_step::subscriptions) send_subscribe(*id, false);
        return promise;
      },
      [this](unsubscribe_atom, std::uint64_t id) -> caf::result<caf::ok_atom> {
        const auto* entry = rpc().subscriptions.find(id);
        if (!entry) return make_error(errc::unknown_id, "no subscription " + std::to_string(id));
        subscription_info info{
            id, entry->channel,
            entry->params.is_null() ? std::string{} : boost::json::serialize(entry->params), false};
        if (auto err = rpc().subscriptions.unsubscribe(id)) return err;
        rpc().restoring.erase(id);
        settle_subscription(id, make_error(errc::subscription_failed, "unsubscribed"), false);
        if (ready_) {
          call(
              config_->behaviors.subscription, unsub_req_atom::value,
              [](const subscription_info& x) {
                return default_subscription_call(x, "unsubscribe");
              },
              [this](caf::expected<rpc_call> request) {
                if (!request)
                  return behavior_failed("subscription.unsub_req", std::move(request.error()), [] {
                    // nop: the subscription has ended here; the server may still send some
                  });
                if (!request->method.empty() && ready_)
                  rpc_request("unsubscribe", *request, config_->subscribe_timeout,
                              [this](caf::expected<std::string> result) {
                                if (!result)
                                  log(log_level::warning, "unsubscribe", 0, caf::timespan{0},
                                      describe(result.error()));
                              });
              },
              std::move(info));
        }
        return caf::ok_atom::value;
      },
      [this](authenticate_atom) -> caf::result<caf::ok_atom> {
        if (!ready_) return make_error(errc::not_connected, to_string(lifecycle_.state()));
        auto promise = this->make_response_promise<caf::ok_atom>();
        authenticate(auth_reason::user, [promise](caf::error err) mutable {
          if (err)
            promise.deliver(std::move(err));
          else
            promise.deliver(caf::ok_atom::value);
        });
        return promise;
      },
      [this](reconnect_atom) -> caf::result<caf::ok_atom> {
        if (lifecycle_.stopping() || lifecycle_.is(cs::closing) || lifecycle_.is(cs::closed))
          return make_error(errc::closed, to_string(lifecycle_.state()));
        log(log_level::info, "reconnect_requested");
        switch (lifecycle_.state()) {
          case cs::connected:
            // Closed politely so that unwritten frames come back (on_end reconnects at once).
            reconnect_requested_ = true;
            lifecycle_.advance(ev::close);
            session_->close(close_code::normal, "reconnecting");
            break;
          case cs::connecting:
            schedule_reconnect(caf::timespan{0});  // nothing was sent on it yet
            break;
          default:  // disconnected or waiting for the retry timer
            schedule_reconnect(caf::timespan{0});
        }
        backoff_.reset();
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
        connection_status status{connection_id_, redact_url(config_->url), lifecycle_.state(),
                                 subprotocol_,   messages_sent_,           messages_received_,
                                 connects_};
        if (session_) {
          status.queued_messages = session_->queued_messages();
          status.queued_bytes = session_->queued_bytes();
        }
        status.buffered_messages = outbound_.buffered_messages();
        status.rate_queued = rate_waiters_.size();
        return status;
      },
      [this](close_atom, std::uint16_t code, std::string& reason) -> caf::result<caf::ok_atom> {
        if (!close_code::is_sendable(code))
          return make_error(errc::invalid_argument,
                            "close code " + std::to_string(code) + " may not be sent");
        if (lifecycle_.is(cs::closed)) return make_error(errc::closed);
        auto promise = this->make_response_promise<caf::ok_atom>();
        if (!awaiting_close_) awaiting_close_ = promise;
        if (reconnect_requested_) {  // closing for a reconnect: make it final
          reconnect_requested_ = false;
          lifecycle_.stop(stop_cause::close_requested);
        }
        // Closing means a close was requested already (by the user, a directive or the
        // owner's death); it completes and answers this promise too.
        if (!lifecycle_.is(cs::closing)) apply(directive::close(code, std::move(reason)));
        return promise;
      },
      [this](session_open_atom, std::uint64_t id, std::string& subprotocol, bool compressed) {
        session_event_handled();
        if (id == session_id_) on_open(std::move(subprotocol), compressed);
      },
      [this](session_data_atom, std::uint64_t id, ws_message& message) {
        session_event_handled();
        on_session_data(id, std::move(message), caf::timespan{0});
      },
      [this](session_data_atom, std::uint64_t id, ws_message& message, caf::timespan read_at) {
        session_event_handled();
        on_session_data(id, std::move(message), read_at);
      },
      [this](session_control_atom, std::uint64_t id, control_kind kind, std::string& payload) {
        session_event_handled();
        if (id == session_id_) on_control(kind, std::move(payload));
      },
      [this](session_end_atom, std::uint64_t id, caf::error& cause, std::uint16_t code,
             std::string& reason, std::vector<ws_message>& unsent) {
        session_event_handled();
        if (id == session_id_) on_end(cause, code, std::move(reason), std::move(unsent));
      },
      [this](retry_timer_atom, std::uint64_t token) {
        if (token == reconnect_token_ && lifecycle_.is(cs::reconnecting)) start_session();
      },
      [this](transfer_atom, connection_owner& new_owner) {
        return owner_.start_transfer(std::move(new_owner));
      },
      [this](flow_atom, std::uint32_t credit) {
        // Messages read before the pause took effect go first, in order.
        auto resume = flow_.grant(credit, [this](ws_message&& message) {
          tell_owner(message_event{connection_id_, std::move(message)});
        });
        if (resume && session_) session_->resume_reading();
      },
      [this](commit_atom, std::uint64_t token) { owner_.commit(token); },
      [this](deadline_atom) { on_deadline(); },
      [this](auth_timer_atom, std::uint64_t token) {
        if (token != auth_timer_token_ || !ready_) return;
        authenticate(auth_reason::refresh, [](const caf::error&) {
          // nop: a failure was reported to the Error behaviour already
        });
      },
      [this](rate_release_atom, std::uint64_t ticket) {
        if (auto i = rate_waiters_.find(ticket); i != rate_waiters_.end()) {
          auto go = std::move(i->second);
          rate_waiters_.erase(i);
          go({});
        }
      },
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
  if (auto err = send_encoded(std::move(message))) tell_owner(error_event{connection_id_, err});
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
        finish(decision.code, std::move(decision.reason), close_cause_);
      }
      return;
    case directive_kind::stop:
      log(log_level::warning, "stopping", 0, caf::timespan{0}, describe(decision.error));
      exit_reason_ = std::move(decision.error);
      lifecycle_.stop(stop_cause::exit_requested);
      // With a session, through on_end: what it had not written comes back to the owner.
      if (session_)
        session_->abort();
      else
        finish(close_code::abnormal, {}, exit_reason_);
      return;
    case directive_kind::reconnect:
      if (lifecycle_.stopping() || lifecycle_.is(cs::closed) || reconnect_after_) return;
      // Every reconnect is an attempt of the policy: `max_attempts` holds whoever asks.
      if (auto delay = backoff_.next(); !delay) {
        apply(directive::stop(std::move(delay.error())));
      } else if (session_) {
        // Through on_end, like a drop: nothing the session holds is lost on the way.
        reconnect_after_ = decision.delay.count() > 0 ? decision.delay : *delay;
        session_->abort();
      } else {
        schedule_reconnect(decision.delay.count() > 0 ? decision.delay : *delay);
      }
      return;
  }
}

// -- state machine --------------------------------------------------------------

void connection_actor::start_session() {
  lifecycle_.advance(ev::connect);
  if (config_->behaviors.connection.is_default()) return open_session(shared_session_options());
  const auto epoch = ++session_id_;
  call(
      config_->behaviors.connection, on_handshk_atom::value, [](const handshake& x) { return x; },
      [this, epoch](caf::expected<handshake> answer) {
        if (epoch != session_id_ || !lifecycle_.is(cs::connecting)) return;
        auto options = config_->session;
        if (answer) {
          options.headers = std::move(answer->headers);
          options.subprotocols = std::move(answer->subprotocols);
          if (auto bad = check_session_options(options)) {
            return behavior_failed("connection.on_handshake", make_error(bad.code, bad.detail),
                                   [this] { open_session(shared_session_options()); });
          }
          return open_session(std::make_shared<const session_options>(std::move(options)));
        }
        behavior_failed("connection.on_handshake", std::move(answer.error()), [this, epoch] {
          if (epoch == session_id_ && lifecycle_.is(cs::connecting))
            open_session(shared_session_options());
        });
      },
      handshake{config_->session.headers, config_->session.subprotocols});
}

std::shared_ptr<const session_options> connection_actor::shared_session_options() const {
  return {config_, &config_->session};  // shares ownership of the whole config
}

void connection_actor::open_session(std::shared_ptr<const session_options> options) {
  if (lifecycle_.stopping()) {
    // The owner died or a close came while on_handshake was asked: never connect.
    return finish(close_code::going_away, "closed before connecting", stop_error());
  }
  session_ =
      session::make(io_, ws_url_, std::move(options), tls_,
                    std::make_shared<session_bridge>(
                        this->ctrl(), config_->run_on_io_thread ? this : nullptr, measures()),
                    ++session_id_);
  if (flow_.exhausted()) session_->pause_reading();
  session_->start();
}

void connection_actor::on_open(std::string subprotocol, bool compressed) {
  // Closing before the upgrade completed aborted the session: its end follows.
  if (!lifecycle_.is(cs::connecting)) return;
  lifecycle_.advance(ev::open);
  subprotocol_ = std::move(subprotocol);
  compressed_ = compressed;
  opened_at_ = this->clock().now();
  outbound_.resume();
  ++connects_;
  if (lifecycle_.cause() == stop_cause::owner_gone)
    return on_owner_down();  // the owner died while we were connecting
  if (lifecycle_.cause() == stop_cause::exit_requested)
    return on_exit_request(exit_reason_);  // an exit message came while we were connecting
  if (measures()) {
    measure(metric_names::connects, 1);
    measure(metric_names::connection_up, 1);
    const auto& timings = session_->timings();
    measure_duration(metric_names::connect_duration, timings.tcp_connect + timings.proxy_connect);
    if (ws_url_.secure)
      measure_duration(metric_names::tls_handshake_duration, timings.tls_handshake);
    measure_duration(metric_names::upgrade_duration, timings.upgrade);
    if (was_down_) measure_duration(metric_names::reconnect_downtime, opened_at_ - down_since_);
  }
  was_down_ = false;
  start_restore(connect_info{config_->url, subprotocol_, compressed, connects_});
}

bool connection_actor::try_receive_direct(std::uint64_t id, ws_message& message,
                                          caf::timespan read_at) {
  constexpr int quitting = is_terminated_flag | is_shutting_down_flag | is_cleaned_up_flag;
  if (queued_session_events_ != 0 || receiving_direct_ || pinned_.resuming() ||
      !this->getf(is_initialized_flag) || this->getf(quitting))
    return false;
  receiving_direct_ = true;
  // No mailbox element is being handled: no sender to answer, no promise to make (the
  // pointer left from the last resume would dangle).
  this->current_mailbox_element(nullptr);
  try {
    on_session_data(id, std::move(message), read_at);
  } catch (...) {
    // What CAF's default exception handler does inside a resume.
    this->quit(caf::exit_reason::unhandled_exception);
  }
  receiving_direct_ = false;
  if (!this->alive()) {
    // It quit (finish, an exception): a resume would finalize after the handler, and the next
    // one would refuse to run a dead actor, so finalize here. Counted as running, like a
    // resume: the actor system must outlive the cleanup (see io_pinned_unit::resume).
    auto& registry = this->home_system().registry();
    registry.inc_running();
    this->finalize();
    registry.dec_running();
  }
  return true;
}

void connection_actor::on_session_data(std::uint64_t id, ws_message message,
                                       caf::timespan read_at) {
  if (id != session_id_) return;
  if (read_at.count() != 0)
    measure_duration(metric_names::frame_to_handler,
                     std::chrono::steady_clock::now().time_since_epoch() - read_at);
  on_message(std::move(message));
}

void connection_actor::on_message(ws_message message) {
  ++messages_received_;
  if (measures()) report_counters(false);
  if (rpc_active_ && message.kind == message_kind::text && route_rpc(message)) return;
  handle_message(std::move(message));
}

void connection_actor::handle_message(ws_message message) {
  const auto& slot = config_->behaviors.message;
  if (slot.is_default()) return deliver(std::move(message));
  if (const auto* fn = slot.find(handle_msg_atom::value)) {
    auto answer = (*fn)(*this, message);
    if (!answer)
      return behavior_failed("message.handle_message", std::move(answer.error()),
                             [this, m = std::move(message)]() mutable { deliver(std::move(m)); });
    if (answer->kind == directive_kind::ok) return deliver(std::move(message));
    return apply(std::move(*answer));
  }
  if (const auto* handler = slot.actor()) {
    // The actor gets a copy; `ok` delivers ours, as in-process.
    this->request(*handler, slot.timeout(), handle_msg_atom::value, message)
        .then(
            [this, m = message](directive& answer) mutable {
              if (answer.kind == directive_kind::ok) return deliver(std::move(m));
              apply(std::move(answer));
            },
            [this, m = message](caf::error& err) mutable {
              behavior_failed("message.handle_message", behavior_reply_error(std::move(err)),
                              [this, m = std::move(m)]() mutable { deliver(std::move(m)); });
            });
    return;
  }
  deliver(std::move(message));  // in-process form without handle_message
}

void connection_actor::deliver(ws_message message) {
  if (!flow_.admit(message)) return;  // held: read before the pause took effect
  tell_owner(message_event{connection_id_, std::move(message)});
  if (flow_.exhausted() && session_) session_->pause_reading();
}

void connection_actor::on_control(control_kind kind, std::string payload) {
  if (kind == control_kind::pong) {
    if (auto i = pending_pings_.find(payload); i != pending_pings_.end()) {
      auto rtt = this->clock().now() - i->second.sent_at;
      i->second.promise.deliver(rtt);
      pending_pings_.erase(i);
      if (measures()) measure_duration(metric_names::heartbeat_rtt, rtt);
    } else if (measures()) {
      if (auto rtt = heartbeat_round_trip(payload, std::chrono::steady_clock::now()))
        measure_duration(metric_names::heartbeat_rtt, *rtt);
    }
  }
  if (config_->behaviors.connection.is_default()) return;
  call(
      config_->behaviors.connection, on_control_atom::value,
      [](control_kind, const std::string&) { return directive::ok(); },
      [this](caf::expected<directive> answer) {
        if (!answer)
          return behavior_failed("connection.on_control_frame", std::move(answer.error()), [] {
            // nop: the default is ok
          });
        apply(std::move(*answer));
      },
      kind, std::move(payload));
}

void connection_actor::on_end(const caf::error& cause, std::uint16_t code, std::string reason,
                              std::vector<ws_message> unsent) {
  session_.reset();
  ++session_id_;
  const bool was_open = lifecycle_.is(cs::connected) || lifecycle_.is(cs::closing);
  lifecycle_.advance(ev::drop);
  ready_ = false;
  restore_ = restore_step::none;
  if (rpc_) rpc_->restoring.clear();
  fail_in_flight(cause ? cause : make_error(errc::not_connected, "connection closed"));
  // Frames the session accepted but never wrote: back into the offline buffer, in order
  // (buffer policy, within its bounds), or back to the owner. Never dropped silently.
  report_unsent(lifecycle_.stopping() ? std::move(unsent) : outbound_.give_back(std::move(unsent)));
  if (lifecycle_.stopping()) {
    auto final_cause = lifecycle_.cause() != stop_cause::close_requested ? stop_error()
                       : cause                                           ? cause
                                                                         : close_cause_;
    return finish(code, std::move(reason), std::move(final_cause));
  }
  if (reconnect_after_) reason = "reconnect decided by a behaviour";
  if (was_open) {
    tell_owner(disconnected_event{connection_id_, cause, code, reason});
    was_down_ = true;
    down_since_ = this->clock().now();
    // A connection that stayed up long enough starts its backoff over.
    if (down_since_ - opened_at_ >= config_->reconnect.stable_after) backoff_.reset();
    if (measures()) {
      measure(metric_names::disconnects, 1);
      measure(metric_names::connection_up, 0);
      report_counters(true);
    }
    const bool normal = !cause || (is(cause, errc::closed_by_peer) && code == close_code::normal);
    log(normal ? log_level::info : log_level::warning, "disconnected", code, caf::timespan{0},
        cause ? describe(cause) : reason);
  }
  if (std::exchange(reconnect_requested_, false)) {
    reconnect_attempts_ = 0;
    return schedule_reconnect(caf::timespan{0});  // asked for: not an attempt of the policy
  }
  if (auto delay = std::exchange(reconnect_after_, std::nullopt))
    return schedule_reconnect(*delay);  // a behaviour's decision, counted when it was made
  disconnect_info info{cause, code, std::move(reason), false, connects_};
  // A peer's normal close (1000) is a cause for the handlers but no error to report.
  const bool peer_closed_normally = is(cause, errc::closed_by_peer) && code == close_code::normal;
  if (!cause || peer_closed_normally) return decide_disconnect(info);
  const auto epoch = session_id_;
  report_error(cause, "transport", [this, epoch, info = std::move(info)] {
    if (epoch == session_id_ && lifecycle_.is(cs::disconnected)) decide_disconnect(info);
  });
}

void connection_actor::decide_disconnect(const disconnect_info& info) {
  if (config_->behaviors.connection.is_default()) return apply_disconnect(directive::ok(), info);
  const auto epoch = session_id_;
  call(
      config_->behaviors.connection, on_disconn_atom::value,
      [](const disconnect_info&) { return directive::ok(); },
      [this, epoch, info](caf::expected<directive> answer) {
        // A close, a reconnect request or the owner's death came first.
        if (epoch != session_id_ || !lifecycle_.is(cs::disconnected)) return;
        if (answer) return apply_disconnect(std::move(*answer), info);
        behavior_failed("connection.on_disconnect", std::move(answer.error()), [this, epoch, info] {
          if (epoch == session_id_ && lifecycle_.is(cs::disconnected))
            apply_disconnect(directive::ok(), info);
        });
      },
      info);
}

void connection_actor::apply_disconnect(directive decision, const disconnect_info& info) {
  if (decision.kind == directive_kind::ok || decision.kind == directive_kind::ignore ||
      decision.kind == directive_kind::reply || decision.kind == directive_kind::deferred) {
    // The default policy: reconnect what is worth it, within the reconnect policy.
    const bool first_connect_failed = info.connects == 0;
    if (config_->reconnect.enabled && should_reconnect(info) &&
        (!first_connect_failed || config_->reconnect.retry_initial_connect))
      decision = directive::reconnect(caf::timespan{0});
    else if (info.cause)
      decision = directive::stop(info.cause);
    else
      decision = directive::close(info.code, info.reason);
  }
  if (decision.kind == directive_kind::reconnect) {
    if (auto delay = backoff_.next(); !delay)
      decision = directive::stop(std::move(delay.error()));  // "attempts exhausted"
    else if (decision.delay.count() == 0)
      decision.delay = *delay;
  }
  // A failed connect answers the callers waiting for it, unless a reconnect follows.
  if (decision.kind != directive_kind::reconnect) {
    for (auto& promise : awaiting_connect_)
      promise.deliver(info.cause ? info.cause : make_error(errc::closed));
    awaiting_connect_.clear();
  }
  switch (decision.kind) {
    case directive_kind::close:  // already down: "final", with the peer's code
      return finish(info.code, decision.reason.empty() ? info.reason : decision.reason, info.cause);
    case directive_kind::stop:  // already down: end with the code the connection ended with
      return finish(info.code, info.reason, std::move(decision.error));
    default:
      return schedule_reconnect(decision.delay);
  }
}

void connection_actor::schedule_reconnect(caf::timespan delay) {
  if (session_) {
    session_->abort();
    session_.reset();
    ++session_id_;
  }
  ready_ = false;
  lifecycle_.advance(ev::retry);
  ++reconnect_attempts_;
  tell_owner(reconnecting_event{connection_id_, reconnect_attempts_, delay});
  log(log_level::info, "reconnecting", 0, delay);
  this->delayed_send(this, delay, retry_timer_atom::value, ++reconnect_token_);
}

void connection_actor::on_owner_down() {
  lifecycle_.stop(stop_cause::owner_gone);
  if (!config_->close_when_owner_down) return;
  switch (lifecycle_.state()) {
    case cs::connected:
      lifecycle_.advance(ev::close);
      session_->close(close_code::going_away, "owner gone");
      return;
    case cs::connecting:
      // Close once the upgrade completes (on_open checks the stop cause); without a session
      // yet (on_handshake pending), open_session finishes instead.
    case cs::closing:
    case cs::closed:
      return;
    default:
      finish(close_code::going_away, "owner gone", make_error(errc::owner_gone));
  }
}

void connection_actor::on_exit_request(caf::error reason) {
  if (lifecycle_.is(cs::closed)) return this->quit(std::move(reason));
  exit_reason_ = std::move(reason);
  lifecycle_.stop(stop_cause::exit_requested);
  switch (lifecycle_.state()) {
    case cs::connected:
      lifecycle_.advance(ev::close);
      session_->close(close_code::going_away, "connection actor stopped");
      return;
    case cs::connecting:  // on_open (or open_session) finishes it
    case cs::closing:     // on_end finishes it
      return;
    default:
      finish(close_code::going_away, "connection actor stopped", exit_reason_);
  }
}

caf::error connection_actor::stop_error() const {
  switch (lifecycle_.cause()) {
    case stop_cause::owner_gone:
      return make_error(errc::owner_gone);
    case stop_cause::exit_requested:
      return exit_reason_;
    default:
      return {};
  }
}

void connection_actor::fail_pending_pings(const caf::error& reason) {
  for (auto& [payload, ping] : pending_pings_) ping.promise.deliver(reason);
  pending_pings_.clear();
}

void connection_actor::fail_in_flight(const caf::error& reason) {
  fail_pending_pings(reason);
  if (!rpc_) return;
  // Whether the server saw them is unknown: failed at once, never sent again.
  for (auto& failure : rpc_->correlator.fail_all(reason)) {
    if (auto i = rpc_->waiters.find(failure.id); i != rpc_->waiters.end()) {
      auto done = std::move(i->second);
      rpc_->waiters.erase(i);
      done(std::move(failure.error));
    }
  }
}

connection_actor::rpc_state& connection_actor::rpc() {
  if (!rpc_) rpc_ = std::make_unique<rpc_state>();
  return *rpc_;
}

void connection_actor::report_unsent(std::vector<ws_message> messages) {
  if (!messages.empty()) tell_owner(unsent_event{connection_id_, std::move(messages)});
}

void connection_actor::finish(std::uint16_t code, std::string reason, caf::error cause) {
  if (lifecycle_.is(cs::closed)) return;
  lifecycle_.advance(ev::finish);
  ready_ = false;
  if (session_) {
    session_->abort();
    session_.reset();
  }
  report_unsent(outbound_.take());  // buffered while down, never sent
  auto refusal = cause ? cause : make_error(errc::closed, "connection closed");
  fail_in_flight(refusal);
  if (rpc_) {
    for (auto& [id, waiters] : rpc_->subscription_waiters)
      for (auto& promise : waiters) promise.deliver(refusal);
    rpc_->subscription_waiters.clear();
  }
  for (auto& [ticket, go] : std::exchange(rate_waiters_, {})) go(refusal);
  if (measures()) {
    measure(metric_names::connection_up, 0);
    report_counters(true);
  }
  // Abnormal exits are warnings; a close asked for, the owner's death or an exit message is
  // not (a `stop` directive logged its own warning).
  const bool abnormal = cause && !lifecycle_.stopping() &&
                        !(is(cause, errc::closed_by_peer) && code == close_code::normal);
  log(abnormal ? log_level::warning : log_level::info, "closed", code, caf::timespan{0},
      cause ? describe(cause) : reason);
  tell_owner(closed_event{connection_id_, code, std::move(reason), cause});
  for (auto& promise : awaiting_connect_) promise.deliver(refusal);
  awaiting_connect_.clear();
  if (awaiting_close_) {
    awaiting_close_->deliver(caf::ok_atom::value);
    awaiting_close_.reset();
  }
  // A close the user asked for, or the owner's death, is a normal exit; anything else is
  // abnormal so that a supervisor can restart the connection.
  if (lifecycle_.cause() == stop_cause::exit_requested)
    this->quit(exit_reason_);
  else if (!cause || lifecycle_.stopping())
    this->quit(caf::exit_reason::normal);
  else
    this->quit(std::move(cause));
}

}  // namespace wsnova::detail
