#include <wsnova/core/backoff.hpp>

#include <algorithm>
#include <cmath>

#include <wsnova/core/error.hpp>

namespace wsnova {

namespace {

/// splitmix64's finaliser: neighbouring seeds (actor ids of connections spawned together)
/// must give unrelated jitter, and minstd_rand's first draw is linear in its seed.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

backoff::backoff(backoff_policy policy, std::uint64_t seed)
    : policy_(policy), random_(static_cast<std::uint_fast32_t>(mix(seed) % 2147483646u + 1)) {}

backoff::backoff(const reconnect_policy& policy, std::uint64_t seed)
    : backoff(static_cast<const backoff_policy&>(policy), seed) {
  enabled_ = policy.enabled;
}

void backoff::reset() {
  attempts_ = 0;
  previous_ = caf::timespan{0};
}

caf::timespan backoff::draw(caf::timespan low, caf::timespan high) {
  if (high <= low) return low;
  std::uniform_int_distribution<caf::timespan::rep> pick{low.count(), high.count()};
  return caf::timespan{pick(random_)};
}

caf::timespan backoff::spread(caf::timespan delay) {
  if (!(policy_.jitter > 0.0) || delay.count() <= 0) return delay;
  auto j = std::min(policy_.jitter, 1.0);
  auto d = static_cast<double>(delay.count());
  return draw(caf::timespan{static_cast<caf::timespan::rep>(d * (1.0 - j))},
              caf::timespan{static_cast<caf::timespan::rep>(d * (1.0 + j))});
}

caf::expected<caf::timespan> backoff::next() {
  if (!enabled_) return make_error(errc::closed, "reconnection disabled");
  if (policy_.max_attempts != 0 && attempts_ >= policy_.max_attempts)
    return make_error(errc::closed,
                      "gave up after " + std::to_string(attempts_) + " reconnect attempts");
  const auto initial = policy_.initial_delay;
  const auto cap = std::max(policy_.max_delay, initial);
  caf::timespan delay{0};
  switch (policy_.kind) {
    case backoff_kind::exponential_full_jitter: {
      auto grown = static_cast<double>(initial.count()) *
                   std::pow(policy_.multiplier, static_cast<double>(attempts_));
      auto ceiling = caf::timespan{
          static_cast<caf::timespan::rep>(std::min(grown, static_cast<double>(cap.count())))};
      delay = draw(caf::timespan{0}, ceiling);
      break;
    }
    case backoff_kind::exponential_decorrelated_jitter: {
      auto previous = previous_.count() == 0 ? initial : previous_;
      delay = std::min(cap, draw(initial, previous * 3));
      break;
    }
    case backoff_kind::linear:
      delay = spread(std::min(cap, initial * (attempts_ + 1)));
      break;
    case backoff_kind::fixed:
      delay = spread(initial);
      break;
    case backoff_kind::exponential: {
      // Grow without overflowing: stop multiplying once the cap is reached.
      auto grown = static_cast<double>(initial.count());
      for (std::uint32_t i = 0; i < attempts_ && grown < static_cast<double>(cap.count()); ++i)
        grown *= policy_.multiplier;
      delay = spread(caf::timespan{
          static_cast<caf::timespan::rep>(std::min(grown, static_cast<double>(cap.count())))});
      break;
    }
  }
  ++attempts_;
  previous_ = delay;
  return delay;
}

}  // namespace wsnova
