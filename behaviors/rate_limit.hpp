#pragma once

/// @file
/// RateLimit: a token bucket with a cost per request kind and a bounded wait queue, giving an
/// honest answer per request (sent now, queued at a position, or rejected). Time is passed in,
/// so the bucket does no I/O and no sleeping and its tests are exact.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

namespace wsnova {

/// What a rate limit needs to know. The defaults suit an exchange that counts a login as
/// expensive and a subscription as moderately so; change them to the platform's published
/// weights.
struct rate_limit_config {
  /// Tokens the bucket holds when full: the largest burst that may leave at once.
  std::uint32_t capacity = 20;
  /// Time to refill one token. Refill is counted in whole tokens per whole interval, so the
  /// budget is exact integer arithmetic (no drift, no floating point).
  caf::timespan refill_interval = std::chrono::milliseconds{100};
  /// Requests that may wait for tokens; a request beyond this is rejected rather than kept
  /// without bound.
  std::size_t max_queued = 100;
  /// Cost per request kind; a kind not listed costs `default_cost`.
  std::map<std::string, std::uint32_t, std::less<>> costs{{"auth", 10}, {"subscribe", 5}};
  /// Cost of a request kind not listed in `costs`.
  std::uint32_t default_cost = 1;
};

/// The three honest answers to a request.
enum class rate_outcome : std::uint8_t {
  /// Tokens were taken: the request may leave now.
  sent,
  /// Not enough tokens: the request waits in the queue and is released later, in order.
  queued,
  /// Refused with `rate_limited`: the queue is full or the cost exceeds the capacity.
  rejected,
};

/// Returns the name of an outcome, e.g. "queued".
const char* to_string(rate_outcome outcome);

/// The answer to one request.
struct rate_answer {
  /// Sent, queued or rejected.
  rate_outcome outcome = rate_outcome::rejected;
  /// Identifies the request: a queued request is released under this ticket. Tickets
  /// increase by one per request (rejected ones included), starting at 1.
  std::uint64_t ticket = 0;
  /// The request's place in the queue when queued, 1 = next to leave; 0 otherwise.
  std::size_t position = 0;
  /// The tokens the request costs.
  std::uint32_t cost = 0;
  /// Why it was rejected (`errc::rate_limited` with a readable detail); empty otherwise.
  caf::error error;
};

/// CAF inspection of `rate_answer`, so the shared bucket actor can send it.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rate_answer& x) {
  return f(caf::meta::type_name("wsnova.rate_answer"), x.outcome, x.ticket, x.position, x.cost,
           x.error);
}

/// A token bucket with a FIFO wait queue. The bucket starts full. A request costing more
/// than `capacity` can never be served and is rejected at once; otherwise it is sent when the
/// queue is empty and enough tokens are there, queued when not (and when the queue has room),
/// rejected when the queue is full. A queued request never lets a later one overtake it, so
/// the order of the queue is the order of the requests.
///
/// Not thread-safe: one per connection, inside its actor (or inside `shared_rate_limit`).
class token_bucket {
 public:
  /// The clock all times refer to; the same as CAF's actor clock.
  using clock = std::chrono::steady_clock;
  /// A point in time on `clock`.
  using time_point = clock::time_point;

  /// A queued request that may leave now.
  struct release {
    /// The ticket given when the request was queued.
    std::uint64_t ticket = 0;
    /// The tokens it took.
    std::uint32_t cost = 0;
  };

  /// A full bucket at time `now`. An invalid config (capacity or refill interval of 0) is
  /// corrected to 1 token and 1 ns, so the bucket never divides by zero.
  token_bucket(rate_limit_config config, time_point now);

  /// Returns the configured cost of a request kind (`default_cost` for unknown kinds).
  std::uint32_t cost_of(std::string_view kind) const;

  /// Asks for a request of `kind` at `now`; see `acquire_cost`.
  rate_answer acquire(std::string_view kind, time_point now) {
    return acquire_cost(cost_of(kind), now);
  }

  /// Asks for a request costing `cost` tokens at `now`: sent, queued (with its position) or
  /// rejected (`rate_limited`). While requests are queued a new one queues behind them even
  /// if its tokens are there, so call `release_ready` first when its time has come.
  rate_answer acquire_cost(std::uint32_t cost, time_point now);

  /// Releases, in order, the queued requests whose tokens are there at `now`, taking their
  /// tokens. Call it at `next_release_at()` (or later).
  std::vector<release> release_ready(time_point now);

  /// When the first queued request will have its tokens; empty when nothing is queued. The
  /// owner sets its timer to this.
  std::optional<time_point> next_release_at() const;

  /// Tokens available at `now` (the bucket refills up to its capacity).
  std::uint32_t tokens(time_point now);

  /// Requests waiting in the queue.
  std::size_t queued() const noexcept { return queue_.size(); }

  /// The configuration in use (after correction).
  const rate_limit_config& config() const noexcept { return config_; }

 private:
  /// Adds the whole tokens earned since `refilled_at_` and moves `refilled_at_` forward by
  /// whole intervals only, so partial intervals are not lost.
  void refill(time_point now);

  rate_limit_config config_;
  /// Tokens in the bucket at `refilled_at_`.
  std::uint32_t tokens_;
  /// Time up to which refill was counted.
  time_point refilled_at_;
  /// The next ticket to hand out.
  std::uint64_t next_ticket_ = 1;
  /// Queued requests, oldest first.
  std::deque<release> queue_;
};

}  // namespace wsnova
