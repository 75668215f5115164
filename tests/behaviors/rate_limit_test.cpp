// Tests of <wsnova/behaviors/rate_limit.hpp>: the token bucket with costs per kind and a
// bounded wait queue, on an injected clock (exact numbers, no sleeps).
#include <wsnova/behaviors/rate_limit.hpp>

#define BOOST_TEST_MODULE rate_limit
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <wsnova/core/error.hpp>

using namespace wsnova;
using namespace std::chrono_literals;

namespace {

using time_point = token_bucket::time_point;

/// A fixed origin, so every time in a test is t0 + an exact offset.
const time_point t0{std::chrono::hours{1}};

rate_limit_config config(std::uint32_t capacity, caf::timespan interval, std::size_t queue) {
  rate_limit_config cfg;
  cfg.capacity = capacity;
  cfg.refill_interval = interval;
  cfg.max_queued = queue;
  return cfg;
}

/// A request that left the bucket: when, which ticket, how many tokens.
struct departure {
  time_point at;
  std::uint64_t ticket;
  std::uint32_t cost;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(costs)

// Rule: the default costs are auth 10, subscribe 5, anything else 1.
BOOST_AUTO_TEST_CASE(default_costs_per_kind) {
  token_bucket bucket{rate_limit_config{}, t0};
  BOOST_TEST(bucket.cost_of("auth") == 10u);
  BOOST_TEST(bucket.cost_of("subscribe") == 5u);
  BOOST_TEST(bucket.cost_of("order") == 1u);
  BOOST_TEST(bucket.cost_of("") == 1u);
}

// Rule: costs are configurable, for listed kinds and for the rest.
BOOST_AUTO_TEST_CASE(configured_costs_apply) {
  auto cfg = config(50, 1s, 10);
  cfg.costs = {{"order", 3}, {"auth", 20}};
  cfg.default_cost = 2;
  token_bucket bucket{cfg, t0};
  BOOST_TEST(bucket.cost_of("order") == 3u);
  BOOST_TEST(bucket.cost_of("auth") == 20u);
  BOOST_TEST(bucket.cost_of("subscribe") == 2u);
  auto answer = bucket.acquire("auth", t0);
  BOOST_TEST(answer.cost == 20u);
  BOOST_TEST(bucket.tokens(t0) == 30u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(answers)

// Rule: a full bucket sends until its tokens run out, then queues with positions 1, 2, ...
BOOST_AUTO_TEST_CASE(sends_while_tokens_last_then_queues_with_positions) {
  token_bucket bucket{config(3, 1s, 5), t0};
  for (std::uint64_t i = 1; i <= 3; ++i) {
    auto a = bucket.acquire("other", t0);
    BOOST_TEST(to_string(a.outcome) == std::string{"sent"});
    BOOST_TEST(a.ticket == i);
    BOOST_TEST(a.position == 0u);
    BOOST_TEST(!a.error);
  }
  auto q1 = bucket.acquire("other", t0);
  auto q2 = bucket.acquire("other", t0);
  BOOST_TEST(to_string(q1.outcome) == std::string{"queued"});
  BOOST_TEST(q1.position == 1u);
  BOOST_TEST(q2.position == 2u);
  BOOST_TEST(bucket.queued() == 2u);
}

// Rule: a full queue rejects with rate_limited and says so.
BOOST_AUTO_TEST_CASE(full_queue_rejects_with_rate_limited) {
  token_bucket bucket{config(1, 1s, 1), t0};
  BOOST_TEST(to_string(bucket.acquire("other", t0).outcome) == std::string{"sent"});
  BOOST_TEST(to_string(bucket.acquire("other", t0).outcome) == std::string{"queued"});
  auto r = bucket.acquire("other", t0);
  BOOST_TEST(to_string(r.outcome) == std::string{"rejected"});
  BOOST_TEST(is(r.error, errc::rate_limited));
  BOOST_TEST(describe(r.error).find("queue full") != std::string::npos);
  BOOST_TEST(bucket.queued() == 1u);  // the rejected one took no place
}

// Rule: a cost above the capacity can never be served: rejected at once, even with room in
// the queue, and it takes no tokens.
BOOST_AUTO_TEST_CASE(cost_above_capacity_is_rejected_at_once) {
  token_bucket bucket{config(8, 1s, 10), t0};
  auto r = bucket.acquire("auth", t0);  // costs 10
  BOOST_TEST(to_string(r.outcome) == std::string{"rejected"});
  BOOST_TEST(is(r.error, errc::rate_limited));
  BOOST_TEST(describe(r.error).find("capacity 8") != std::string::npos);
  BOOST_TEST(bucket.queued() == 0u);
  BOOST_TEST(bucket.tokens(t0) == 8u);
}

// Rule: while something waits, a cheaper later request does not overtake it, even when its
// own tokens are there.
BOOST_AUTO_TEST_CASE(no_overtaking_while_the_queue_is_not_empty) {
  token_bucket bucket{config(10, 1s, 10), t0};
  BOOST_TEST(to_string(bucket.acquire("subscribe", t0).outcome) == std::string{"sent"});  // 5 left
  BOOST_TEST(to_string(bucket.acquire("auth", t0).outcome) == std::string{"queued"});  // needs 10
  auto cheap = bucket.acquire("other", t0);  // 1 would fit, but waits behind auth
  BOOST_TEST(to_string(cheap.outcome) == std::string{"queued"});
  BOOST_TEST(cheap.position == 2u);
}

// Rule: refill counts whole tokens per whole interval; a partial interval is kept, not lost,
// and the bucket never holds more than its capacity.
BOOST_AUTO_TEST_CASE(refill_is_exact_and_capped) {
  token_bucket bucket{config(5, 100ms, 10), t0};
  for (int i = 0; i < 5; ++i) bucket.acquire("other", t0);
  BOOST_TEST(bucket.tokens(t0) == 0u);
  BOOST_TEST(bucket.tokens(t0 + 99ms) == 0u);
  BOOST_TEST(bucket.tokens(t0 + 150ms) == 1u);
  BOOST_TEST(bucket.tokens(t0 + 200ms) == 2u);  // the 50 ms of 150 ms were kept
  BOOST_TEST(bucket.tokens(t0 + 10s) == 5u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(release)

// Rule: queued requests leave in order, each at the instant its tokens are there, and
// next_release_at says exactly when that is.
BOOST_AUTO_TEST_CASE(releases_in_order_at_next_release_at) {
  token_bucket bucket{config(10, 100ms, 10), t0};
  BOOST_TEST(!bucket.next_release_at());
  bucket.acquire("auth", t0);                // ticket 1, sent, 0 left
  auto s = bucket.acquire("subscribe", t0);  // ticket 2, needs 5: t0 + 500 ms
  auto o = bucket.acquire("other", t0);      // ticket 3, needs 1 more: t0 + 600 ms
  BOOST_REQUIRE(bucket.next_release_at());
  BOOST_TEST((*bucket.next_release_at() == t0 + 500ms));
  BOOST_TEST(bucket.release_ready(t0 + 499ms).empty());
  auto first = bucket.release_ready(t0 + 500ms);
  BOOST_REQUIRE(first.size() == 1u);
  BOOST_TEST(first[0].ticket == s.ticket);
  BOOST_TEST(first[0].cost == 5u);
  BOOST_TEST((*bucket.next_release_at() == t0 + 600ms));
  auto second = bucket.release_ready(t0 + 600ms);
  BOOST_REQUIRE(second.size() == 1u);
  BOOST_TEST(second[0].ticket == o.ticket);
  BOOST_TEST(!bucket.next_release_at());
  BOOST_TEST(bucket.tokens(t0 + 600ms) == 0u);
}

// Rule: an owner that wakes late gets the ready requests at once, in order, but never more
// than the bucket holds: tokens beyond the capacity are not saved up for a late wake, or the
// requests would leave in a burst above the budget.
BOOST_AUTO_TEST_CASE(late_wake_releases_ready_in_order_within_capacity) {
  token_bucket bucket{config(2, 100ms, 10), t0};
  for (int i = 0; i < 6; ++i) bucket.acquire("other", t0);  // 1-2 sent, 3-6 queued
  auto released = bucket.release_ready(t0 + 350ms);         // 3 earned, 2 fit
  BOOST_REQUIRE(released.size() == 2u);
  BOOST_TEST(released[0].ticket == 3u);
  BOOST_TEST(released[1].ticket == 4u);
  BOOST_TEST((*bucket.next_release_at() == t0 + 450ms));
  auto next = bucket.release_ready(t0 + 450ms);
  BOOST_REQUIRE(next.size() == 1u);
  BOOST_TEST(next[0].ticket == 5u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(burst)

// Rule: 1,000 requests at one instant: capacity 10 leave at once, 100 wait, 890 are
// rejected; the 100 leave one per interval, in ticket order, at t0 + k * 100 ms exactly.
BOOST_AUTO_TEST_CASE(thousand_at_once_exact_accounting) {
  token_bucket bucket{config(10, 100ms, 100), t0};
  std::map<rate_outcome, std::size_t> count;
  std::vector<std::uint64_t> queued_tickets;
  for (int i = 0; i < 1000; ++i) {
    auto a = bucket.acquire("other", t0);
    ++count[a.outcome];
    if (a.outcome == rate_outcome::queued) {
      BOOST_TEST(a.position == queued_tickets.size() + 1);
      queued_tickets.push_back(a.ticket);
    }
    if (a.outcome == rate_outcome::rejected) BOOST_TEST(is(a.error, errc::rate_limited));
  }
  BOOST_TEST(count[rate_outcome::sent] == 10u);
  BOOST_TEST(count[rate_outcome::queued] == 100u);
  BOOST_TEST(count[rate_outcome::rejected] == 890u);
  std::vector<std::uint64_t> released_tickets;
  for (int k = 1; bucket.next_release_at(); ++k) {
    auto at = *bucket.next_release_at();
    BOOST_TEST((at == t0 + k * 100ms));
    auto released = bucket.release_ready(at);
    BOOST_TEST(released.size() == 1u);
    for (auto& r : released) released_tickets.push_back(r.ticket);
  }
  BOOST_TEST(released_tickets == queued_tickets);
}

// Rule: 1,000 mixed requests (auth, subscribe, other) arriving every 3 ms, the owner waking
// exactly at next_release_at: every request is accounted for once (sent, or queued and
// then released exactly once, in order, never before its queueing time), and in every
// window [a, b] the tokens spent never exceed capacity + ceil((b - a) / interval).
BOOST_AUTO_TEST_CASE(thousand_mixed_none_over_budget_each_accounted_for) {
  constexpr std::uint32_t capacity = 20;
  constexpr auto interval = 25ms;
  token_bucket bucket{config(capacity, interval, 50), t0};
  const char* kinds[] = {"other", "subscribe", "other", "auth", "other", "other"};
  std::vector<departure> departures;
  std::map<std::uint64_t, time_point> queued_at;
  std::vector<std::uint64_t> queue_order;
  std::vector<std::uint64_t> release_order;
  std::size_t sent = 0;
  std::size_t rejected = 0;
  auto wake_until = [&](time_point limit) {
    while (auto at = bucket.next_release_at()) {
      if (*at > limit) break;
      auto released = bucket.release_ready(*at);
      BOOST_REQUIRE(!released.empty());  // next_release_at never wakes the owner for nothing
      for (auto& r : released) {
        BOOST_TEST((*at >= queued_at.at(r.ticket)));
        departures.push_back({*at, r.ticket, r.cost});
        release_order.push_back(r.ticket);
      }
    }
  };
  for (int i = 0; i < 1000; ++i) {
    auto now = t0 + i * 3ms;
    wake_until(now);
    auto a = bucket.acquire(kinds[i % 6], now);
    switch (a.outcome) {
      case rate_outcome::sent:
        ++sent;
        departures.push_back({now, a.ticket, a.cost});
        break;
      case rate_outcome::queued:
        queued_at[a.ticket] = now;
        queue_order.push_back(a.ticket);
        break;
      case rate_outcome::rejected:
        ++rejected;
        BOOST_TEST(is(a.error, errc::rate_limited));
        break;
    }
  }
  wake_until(time_point::max());
  BOOST_TEST(sent + queue_order.size() + rejected == 1000u);
  BOOST_TEST(release_order == queue_order);  // each queued one released once, in order
  BOOST_TEST(sent > 0u);
  BOOST_TEST(queue_order.size() > 0u);
  BOOST_TEST(rejected > 0u);
  std::sort(departures.begin(), departures.end(),
            [](const departure& x, const departure& y) { return x.at < y.at; });
  std::uint64_t worst_excess = 0;
  for (std::size_t a = 0; a < departures.size(); ++a) {
    std::uint64_t spent = 0;
    for (std::size_t b = a; b < departures.size(); ++b) {
      spent += departures[b].cost;
      auto window = departures[b].at - departures[a].at;
      auto earned = static_cast<std::uint64_t>((window + interval - 1ns) / interval);
      auto budget = capacity + earned;
      if (spent > budget) worst_excess = std::max(worst_excess, spent - budget);
    }
  }
  BOOST_TEST(worst_excess == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
