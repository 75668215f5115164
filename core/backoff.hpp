#pragma once

/// @file
/// Retry delays: exponential backoff with jitter, linear, fixed; for reconnects and restarts.

#include <cstdint>
#include <random>

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

namespace wsnova {

/// How the delay grows from one attempt to the next.
enum class backoff_kind : std::uint8_t {
  /// `random(0, min(max, initial * multiplier^attempt))` ("full jitter"): spreads a storm of
  /// reconnects evenly. The default.
  exponential_full_jitter,
  /// `min(max, random(initial, previous * 3))` ("decorrelated jitter").
  exponential_decorrelated_jitter,
  /// `min(max, initial * (attempt + 1))`, spread by `backoff_policy::jitter`.
  linear,
  /// Always `initial`, spread by `backoff_policy::jitter`.
  fixed,
  /// `min(max, initial * multiplier^attempt)`, spread by `backoff_policy::jitter`; with
  /// jitter 0 the sequence is exact (supervisor restarts use it).
  exponential,
};

/// A delay sequence: how long to wait before attempt n. Shared by connection reconnects
/// (`reconnect_policy`) and supervisor restarts (`child_spec::backoff`).
struct backoff_policy {
  /// Delay growth. Default exponential with full jitter.
  backoff_kind kind = backoff_kind::exponential_full_jitter;
  /// First delay (the cap of the first full-jitter draw). Default 500 ms; 0 makes every
  /// delay 0.
  caf::timespan initial_delay = std::chrono::milliseconds{500};
  /// Largest delay. Default 30 s.
  caf::timespan max_delay = std::chrono::seconds{30};
  /// Growth factor of the exponential kinds. Default 2.
  double multiplier = 2.0;
  /// Random spread of the deterministic kinds (`exponential`, `linear`, `fixed`), as a
  /// fraction: each delay is scaled by a random factor in `[1 - jitter, 1 + jitter]`.
  /// Default 0 (exact delays). The jitter kinds ignore it.
  double jitter = 0.0;
  /// Attempts before giving up; 0 = unlimited. Default 0.
  std::uint32_t max_attempts = 0;
  /// Running this long resets the attempt counter. Default 30 s.
  caf::timespan stable_after = std::chrono::seconds{30};

  /// Member-wise equality.
  friend bool operator==(const backoff_policy&, const backoff_policy&) = default;
};

/// Reconnection settings of a connection: a backoff plus when to reconnect at all.
struct reconnect_policy : backoff_policy {
  /// Reconnect at all. Default true.
  bool enabled = true;
  /// Retry when the very first connect fails. Default false: a wrong URL, a refused port
  /// or a TLS error at start is reported at once; set it for feeds that may start before
  /// their server.
  bool retry_initial_connect = false;
};

/// The attempt counter and delay sequence of one connection or one supervised child.
class backoff {
 public:
  /// Creates the sequence; `seed` makes the jitter reproducible (tests) or varied (use the
  /// actor id).
  explicit backoff(backoff_policy policy = {}, std::uint64_t seed = 0);

  /// Creates the sequence of a connection; `next` fails when `policy.enabled` is false.
  explicit backoff(const reconnect_policy& policy, std::uint64_t seed = 0);

  /// Returns the delay before the next attempt and counts it, or `errc::closed` naming the
  /// attempts made when `max_attempts` is exhausted or reconnection is disabled.
  caf::expected<caf::timespan> next();

  /// Starts over at attempt 0 (after a stable connection).
  void reset();

  /// Returns the number of delays handed out since the last reset.
  std::uint32_t attempts() const { return attempts_; }

  /// Returns the policy.
  const backoff_policy& policy() const { return policy_; }

 private:
  caf::timespan draw(caf::timespan low, caf::timespan high);

  /// Scales `delay` by a random factor in `[1 - jitter, 1 + jitter]`.
  caf::timespan spread(caf::timespan delay);

  backoff_policy policy_;
  bool enabled_ = true;
  std::uint32_t attempts_ = 0;
  caf::timespan previous_{0};
  std::minstd_rand random_;
};

}  // namespace wsnova
