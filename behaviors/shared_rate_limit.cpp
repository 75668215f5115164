#include <wsnova/behaviors/shared_rate_limit.hpp>

#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include <caf/event_based_actor.hpp>
#include <caf/make_message.hpp>
#include <caf/message_id.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace wsnova {

namespace {

/// The shared bucket's state: the bucket, who waits for which ticket, and the one timer.
class shared_bucket_state {
 public:
  std::optional<token_bucket> bucket;
  /// True while a tick is scheduled; a second one would only wake the actor for nothing.
  bool timer_armed = false;
  /// The actor's name in CAF's logs.
  const char* name = "wsnova.shared_rate_limit";

  /// Remembers that `sender` waits for `ticket`.
  void wait(std::uint64_t ticket, caf::strong_actor_ptr sender) {
    waiting_.emplace(ticket, std::move(sender));
  }

  /// Takes out whoever waits for `ticket`; null when nobody (an anonymous sender).
  caf::strong_actor_ptr take(std::uint64_t ticket) {
    auto i = waiting_.find(ticket);
    if (i == waiting_.end()) return nullptr;
    auto sender = std::move(i->second);
    waiting_.erase(i);
    return sender;
  }

 private:
  /// The sender of each queued request, by ticket.
  std::map<std::uint64_t, caf::strong_actor_ptr> waiting_;
};

using shared_bucket_pointer = shared_rate_limit::stateful_pointer<shared_bucket_state>;

/// Schedules the next tick at the first queued request's release time, unless one is set.
void arm(shared_bucket_pointer self) {
  auto& st = self->state;
  if (st.timer_armed) return;
  auto at = st.bucket->next_release_at();
  if (!at) return;
  st.timer_armed = true;
  self->scheduled_send(self, *at, rate_tick_atom::value);
}

/// Releases what may leave now, tells each requester, and re-arms the timer.
void release(shared_bucket_pointer self) {
  auto& st = self->state;
  for (auto& r : st.bucket->release_ready(self->system().clock().now())) {
    // Enqueued directly: a typed actor may not send() to an untyped handle, and anon_send
    // would hide that the release comes from this bucket.
    if (auto sender = st.take(r.ticket))
      sender->enqueue(self->ctrl(), caf::make_message_id(),
                      caf::make_message(rate_release_atom::value, r.ticket), self->context());
  }
  arm(self);
}

rate_answer acquire(shared_bucket_pointer self, std::uint32_t cost) {
  auto& st = self->state;
  auto now = self->system().clock().now();
  // A late tick must not let this request overtake the queue's ready ones.
  release(self);
  auto answer = st.bucket->acquire_cost(cost, now);
  if (answer.outcome == rate_outcome::queued) {
    st.wait(answer.ticket, self->current_sender());
    arm(self);
  }
  return answer;
}

shared_rate_limit::behavior_type shared_bucket(shared_bucket_pointer self,
                                               rate_limit_config config) {
  self->state.bucket.emplace(std::move(config), self->system().clock().now());
  return {
      [self](rate_acquire_atom, std::uint32_t cost) { return acquire(self, cost); },
      [self](rate_acquire_atom, const std::string& kind) {
        return acquire(self, self->state.bucket->cost_of(kind));
      },
      [self](rate_status_atom) {
        auto& bucket = *self->state.bucket;
        auto tokens = bucket.tokens(self->system().clock().now());
        return std::make_tuple(tokens, static_cast<std::uint64_t>(bucket.queued()));
      },
      [self](rate_tick_atom) {
        self->state.timer_armed = false;
        release(self);
      },
  };
}

}  // namespace

shared_rate_limit spawn_shared_rate_limit(caf::actor_system& system, rate_limit_config config) {
  return system.spawn(shared_bucket, std::move(config));
}

void add_rate_limit_types(caf::actor_system_config& config) {
  config.add_message_type<rate_answer>("wsnova.rate_answer");
}

}  // namespace wsnova
