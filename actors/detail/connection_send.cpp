// The connection actor's outgoing side: rate limit, encoding, watermarks, offline buffer.

#include <wsnova/actors/detail/connection_actor.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova::detail {

using cs = connection_state;

void connection_actor::send_user(std::string kind, ws_message message,
                                 std::function<void(caf::error)> done) {
  pass_rate_limit(std::move(kind), [this, message = std::move(message),
                                    done = std::move(done)](caf::error err) mutable {
    if (err) return done(std::move(err));
    const auto& slot = config_->behaviors.message;
    if (const auto* handler = slot.actor()) {
      // Replies of one actor arrive in the order it was asked: sends stay in order.
      // cppcheck-suppress accessMoved ; false positive: the other use is after a return
      this->request(*handler, slot.timeout(), encode_atom::value, std::move(message))
          .then([this,
                 done](ws_message& encoded) mutable { done(send_encoded_raw(std::move(encoded))); },
                [this, done](caf::error& failure) mutable {
                  failure = behavior_reply_error(std::move(failure));
                  log(log_level::warning, "behavior_failed", 0, caf::timespan{0},
                      "message.encode: " + describe(failure));
                  done(std::move(failure));
                });
      return;
    }
    done(send_encoded(std::move(message)));
  });
}

caf::error connection_actor::send_encoded(ws_message message) {
  if (const auto* fn = config_->behaviors.message.find(encode_atom::value)) {
    auto encoded = (*fn)(*this, message);
    if (!encoded) return std::move(encoded.error());
    return send_encoded_raw(std::move(*encoded));
  }
  return send_encoded_raw(std::move(message));
}

caf::error connection_actor::send_encoded_raw(ws_message message) {
  const auto state = lifecycle_.state();
  if (lifecycle_.stopping() || state == cs::closing || state == cs::closed)
    return make_error(errc::closed, to_string(state));
  if (!ready_) {
    // Down, or up and still restoring (auth, subscriptions): the offline policy decides.
    if (!outbound_.buffers_offline()) return make_error(errc::not_connected, to_string(state));
    return outbound_.buffer(std::move(message));
  }
  if (auto err = outbound_.admit(session_->queued_messages(), session_->queued_bytes(),
                                 message.payload.size()))
    return err;
  ++messages_sent_;
  session_->send(std::move(message));
  if (measures()) report_counters(false);
  return {};
}

void connection_actor::write_frame(ws_message message) {
  ++messages_sent_;
  session_->send(std::move(message));
  if (measures()) report_counters(false);
}

void connection_actor::flush_offline_buffer() {
  for (auto& message : outbound_.take()) write_frame(std::move(message));
}

void connection_actor::pass_rate_limit(std::string kind, std::function<void(caf::error)> go) {
  const auto& slot = config_->behaviors.rate_limit;
  if (slot.is_default() && !bucket_) return go({});
  auto on_answer = [this, go = std::move(go)](caf::expected<rate_answer> answer) mutable {
    if (!answer) {
      return behavior_failed("rate_limit.acquire", std::move(answer.error()),
                             [go]() mutable { go({}); });
    }
    switch (answer->outcome) {
      case rate_outcome::sent:
        return go({});
      case rate_outcome::queued:
        if (logs(log_level::info))
          log(log_level::info, "rate_queued", 0, caf::timespan{0},
              "position " + std::to_string(answer->position) + ", cost " +
                  std::to_string(answer->cost));
        rate_waiters_.emplace(answer->ticket, std::move(go));
        if (bucket_ && slot_is_local_bucket())
          if (auto at = bucket_->next_release_at()) wake_at(*at);
        return;
      case rate_outcome::rejected:
        if (measures()) measure(metric_names::rate_limited, 1);
        log(log_level::warning, "rate_limited", 0, caf::timespan{0}, describe(answer->error));
        return go(answer->error ? answer->error : make_error(errc::rate_limited));
    }
  };
  call(
      slot, rate_acquire_atom::value,
      [this](const std::string& request_kind) {
        if (!bucket_) return rate_answer{rate_outcome::sent, 0, 0, 0, {}};
        return bucket_->acquire(request_kind, this->clock().now());
      },
      std::move(on_answer), std::move(kind));
}

void connection_actor::release_rate_waiters(caf::actor_clock::time_point now) {
  if (!bucket_ || !slot_is_local_bucket()) return;
  for (const auto& released : bucket_->release_ready(now)) {
    if (auto i = rate_waiters_.find(released.ticket); i != rate_waiters_.end()) {
      auto go = std::move(i->second);
      rate_waiters_.erase(i);
      go({});
    }
  }
  if (auto at = bucket_->next_release_at()) wake_at(*at);
}

}  // namespace wsnova::detail
