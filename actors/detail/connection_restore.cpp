// The connection actor's JSON-RPC requests, authentication, subscriptions and the restore
// sequence after every (re)connect: on_connect → auth → subscriptions → buffered sends.

#include <wsnova/actors/detail/connection_actor.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/behaviors/redaction.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova::detail {

using cs = connection_state;

namespace {

std::string to_json_text(const boost::json::value& value) {
  return value.is_null() ? std::string{} : boost::json::serialize(value);
}

}  // namespace

// -- JSON-RPC ---------------------------------------------------------------------

void connection_actor::rpc_request(std::string kind, const rpc_call& call, caf::timespan timeout,
                                   std::function<void(caf::expected<std::string>)> done) {
  boost::json::value params;
  if (!call.params.empty()) {
    boost::system::error_code ec;
    params = boost::json::parse(call.params, ec);
    if (ec) return done(make_error(errc::invalid_argument, "params are not JSON: " + ec.message()));
  }
  rpc_active_ = true;
  const auto epoch = session_id_;
  pass_rate_limit(std::move(kind), [this, epoch, method = call.method, params = std::move(params),
                                    timeout, done = std::move(done)](caf::error err) mutable {
    if (err) return done(std::move(err));
    // Released by the rate limit after a disconnect: never sent on another connection.
    if (epoch != session_id_ || !lifecycle_.is(cs::connected))
      return done(make_error(errc::connection_lost, "disconnected before " + method + " was sent"));
    auto now = this->clock().now();
    auto outgoing = rpc().correlator.make_request(method, std::move(params), timeout, now);
    if (!outgoing) return done(std::move(outgoing.error()));
    rpc().waiters.emplace(outgoing->id, std::move(done));
    write_frame(ws_message{message_kind::text, std::move(outgoing->text)});
    wake_at(now + timeout);
  });
}

bool connection_actor::route_rpc(ws_message& message) {
  // Cheap test first: a JSON-RPC message is a JSON object.
  auto first = message.payload.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || message.payload[first] != '{') return false;
  auto event = rpc().correlator.on_message(message.payload, this->clock().now());
  auto complete = [this](std::uint64_t id, caf::expected<std::string> outcome) {
    if (auto i = rpc().waiters.find(id); i != rpc().waiters.end()) {
      auto done = std::move(i->second);
      rpc().waiters.erase(i);
      done(std::move(outcome));
    }
  };
  if (auto* result = std::get_if<rpc_result>(&event)) {
    if (measures()) measure_duration(metric_names::request_duration, result->round_trip);
    complete(result->id, to_json_text(result->result));
    return true;
  }
  if (auto* failure = std::get_if<rpc_error>(&event)) {
    if (!failure->id) return false;  // not ours to answer: the owner sees it
    complete(*failure->id, make_rpc_error(errc::rpc_error, failure->code,
                                          std::to_string(failure->code) + ": " + failure->message));
    return true;
  }
  if (auto* note = std::get_if<rpc_notification>(&event)) {
    if (!note->channel || !note->id.is_null()) return false;
    const auto* entry = rpc().subscriptions.find_channel(*note->channel);
    if (!entry) return false;
    if (config_->behaviors.subscription.is_default()) {
      deliver(std::move(message));
      return true;
    }
    call(
        config_->behaviors.subscription, notify_atom::value,
        [](const std::string&, const ws_message&) { return directive::ok(); },
        [this, m = message](caf::expected<directive> answer) mutable {
          if (!answer)
            return behavior_failed("subscription.notify", std::move(answer.error()),
                                   [this, m = std::move(m)]() mutable { deliver(std::move(m)); });
          if (answer->kind == directive_kind::ok) return deliver(std::move(m));
          apply(std::move(*answer));
        },
        *note->channel, message);
    return true;
  }
  return false;  // not JSON-RPC, unmatched or malformed: ordinary message handling
}

// -- the restore sequence ------------------------------------------------------------

void connection_actor::start_restore(const connect_info& info) {
  restore_ = restore_step::on_connect;
  restore_started_ = this->clock().now();
  if (config_->behaviors.connection.is_default()) return restore_auth();
  const auto epoch = session_id_;
  call(
      config_->behaviors.connection, on_connect_atom::value,
      [](const connect_info&) { return directive::ok(); },
      [this, epoch](caf::expected<directive> answer) {
        if (epoch != session_id_ || restore_ != restore_step::on_connect) return;
        if (!answer)
          return behavior_failed("connection.on_connect", std::move(answer.error()), [this, epoch] {
            if (epoch == session_id_ && restore_ == restore_step::on_connect) restore_auth();
          });
        switch (answer->kind) {
          case directive_kind::reply:
            // Frames of the restore itself (a login, say): they leave before anything else.
            for (auto& frame : answer->frames) write_frame(std::move(frame));
            [[fallthrough]];
          case directive_kind::ok:
          case directive_kind::ignore:
          case directive_kind::deferred:
            return restore_auth();
          default:
            restore_ = restore_step::none;
            return apply(std::move(*answer));
        }
      },
      info);
}

void connection_actor::restore_auth() {
  restore_ = restore_step::auth;
  if (config_->behaviors.auth.is_default()) return restore_subscriptions();
  const auto epoch = session_id_;
  authenticate(connects_ == 1 ? auth_reason::connect : auth_reason::reconnect,
               [this, epoch](const caf::error&) {
                 // Accepted, or refused and the Error behaviour said go on.
                 if (epoch == session_id_ && restore_ == restore_step::auth)
                   restore_subscriptions();
               });
}

void connection_actor::restore_subscriptions() {
  restore_ = restore_step::subscriptions;
  if (!rpc_) return restore_done();  // never subscribed
  for (const auto& entry : rpc().subscriptions.on_reconnect(this->clock().now())) {
    rpc().restoring.insert(entry.id);
    send_subscribe(entry.id, connects_ > 1);
  }
  if (rpc().restoring.empty()) restore_done();
}

void connection_actor::restore_done() {
  restore_ = restore_step::none;
  ready_ = true;
  const auto took = this->clock().now() - restore_started_;
  if (measures()) measure_duration(metric_names::restore_duration, took);
  log(log_level::info, "restored", 0, took);
  if (connects_ == 1)
    tell_owner(
        connected_event{connection_id_, redact_url(config_->url), subprotocol_, compressed_});
  else
    tell_owner(reconnected_event{connection_id_, reconnect_attempts_, subprotocol_});
  reconnect_attempts_ = 0;
  for (auto& promise : awaiting_connect_) promise.deliver(caf::ok_atom::value);
  awaiting_connect_.clear();
  flush_offline_buffer();
}

// -- authentication -------------------------------------------------------------

void connection_actor::authenticate(auth_reason reason,
                                    const std::function<void(caf::error)>& done) {
  if (config_->behaviors.auth.is_default()) return done({});
  const auto epoch = session_id_;
  call(
      config_->behaviors.auth, auth_req_atom::value, [](const auth_attempt&) { return rpc_call{}; },
      [this, epoch, reason, done](caf::expected<rpc_call> request) mutable {
        if (epoch != session_id_) return;
        if (!request) return on_auth_failed(std::move(request.error()), done);
        if (request->method.empty()) return done({});  // nothing to authenticate with
        log(log_level::info, "auth", 0, caf::timespan{0}, to_string(reason));
        const auto started = this->clock().now();
        rpc_request(
            "auth", *request, config_->auth_timeout,
            [this, epoch, started, done](caf::expected<std::string> result) mutable {
              if (epoch != session_id_) return done(make_error(errc::connection_lost));
              if (!result) return on_auth_failed(std::move(result.error()), done);
              call(
                  config_->behaviors.auth, auth_res_atom::value,
                  [](const std::string& json) { return read_token_result(json); },
                  [this, epoch, started, done](caf::expected<auth_outcome> outcome) mutable {
                    if (epoch != session_id_) return done(make_error(errc::connection_lost));
                    if (!outcome) return on_auth_failed(std::move(outcome.error()), done);
                    authenticated_ = true;
                    if (!outcome->refresh_token.empty())
                      refresh_token_ = std::move(outcome->refresh_token);
                    log(log_level::info, "authenticated", 0, this->clock().now() - started);
                    if (outcome->expires_in.count() > 0) {
                      auto refresh_in = std::chrono::duration_cast<caf::timespan>(
                          outcome->expires_in * config_->auth_refresh_at);
                      this->delayed_send(this, refresh_in, auth_timer_atom::value,
                                         ++auth_timer_token_);
                    }
                    done({});
                  },
                  std::move(*result));
            });
      },
      auth_attempt{reason, refresh_token_});
}

void connection_actor::on_auth_failed(caf::error err, const std::function<void(caf::error)>& done) {
  authenticated_ = false;
  err = rewrap(errc::auth_failed, err);
  log(log_level::warning, "auth_failed", 0, caf::timespan{0}, describe(err));
  report_error(err, "auth", [done, err] { done(err); });
}

// -- subscriptions --------------------------------------------------------------------

void connection_actor::send_subscribe(std::uint64_t id, bool restoring) {
  const auto* entry = rpc().subscriptions.find(id);
  if (!entry) return;
  const auto epoch = session_id_;
  call(
      config_->behaviors.subscription, sub_req_atom::value,
      [](const subscription_info& info) { return default_subscription_call(info, "subscribe"); },
      [this, epoch, id](caf::expected<rpc_call> request) {
        if (epoch != session_id_) return;
        if (!request) {
          return behavior_failed("subscription.sub_req", request.error(), [this, id, request] {
            if (rpc().subscriptions.fail(id, request.error()) == caf::none)
              settle_subscription(id,
                                  make_error(errc::subscription_failed, describe(request.error())));
          });
        }
        rpc_request("subscribe", *request, config_->subscribe_timeout,
                    [this, id](caf::expected<std::string> result) {
                      if (result) {
                        if (rpc().subscriptions.confirm(id) == caf::none)
                          settle_subscription(id, {});
                        return;
                      }
                      auto err = is(result.error(), errc::rate_limited)
                                     ? result.error()
                                     : rewrap(errc::subscription_failed, result.error());
                      if (is(result.error(), errc::connection_lost) ||
                          is(result.error(), errc::closed_by_peer))
                        return;  // stays active: restored after the reconnect
                      if (rpc().subscriptions.fail(id, err) == caf::none)
                        settle_subscription(id, err);
                    });
      },
      subscription_info{id, entry->channel, to_json_text(entry->params), restoring});
}

void connection_actor::settle_subscription(std::uint64_t id, const caf::error& err, bool report) {
  if (auto i = rpc().subscription_waiters.find(id); i != rpc().subscription_waiters.end()) {
    for (auto& promise : i->second) {
      if (err)
        promise.deliver(err);
      else
        promise.deliver(id);
    }
    rpc().subscription_waiters.erase(i);
  }
  auto continue_restore = [this, id] {
    if (rpc().restoring.erase(id) != 0 && rpc().restoring.empty() &&
        restore_ == restore_step::subscriptions)
      restore_done();
  };
  if (!err || !report) return continue_restore();
  log(log_level::warning, "subscribe_failed", 0, caf::timespan{0}, describe(err));
  report_error(err, "subscribe", continue_restore);
}

// -- timers ------------------------------------------------------------------------

void connection_actor::wake_at(caf::actor_clock::time_point at) {
  if (wake_at_ && *wake_at_ <= at) return;  // an earlier wake-up covers it
  wake_at_ = at;
  auto now = this->clock().now();
  this->delayed_send(this, at > now ? at - now : caf::timespan{0}, deadline_atom::value);
}

void connection_actor::on_deadline() {
  const auto now = this->clock().now();
  if (wake_at_ && *wake_at_ > now) return;  // a later wake-up replaced this one
  wake_at_.reset();
  if (rpc_) expire_rpc(now);
  release_rate_waiters(now);
  std::optional<caf::actor_clock::time_point> next;
  if (rpc_) next = rpc_->correlator.next_deadline();
  auto earlier = [&next](std::optional<caf::actor_clock::time_point> at) {
    if (at && (!next || *at < *next)) next = at;
  };
  if (rpc_ && lifecycle_.is(cs::connected)) earlier(rpc_->subscriptions.next_deadline());
  if (bucket_ && slot_is_local_bucket()) earlier(bucket_->next_release_at());
  if (next) wake_at(*next);
}

void connection_actor::expire_rpc(caf::actor_clock::time_point now) {
  for (auto& failure : rpc().correlator.expire(now)) {
    if (auto i = rpc().waiters.find(failure.id); i != rpc().waiters.end()) {
      auto done = std::move(i->second);
      rpc().waiters.erase(i);
      done(std::move(failure.error));
    }
  }
  if (lifecycle_.is(cs::connected)) {
    for (const auto& expired : rpc().subscriptions.expire(now))
      settle_subscription(expired.id, make_error(errc::subscription_failed,
                                                 "not confirmed in time: " + expired.channel));
  }
}

}  // namespace wsnova::detail
