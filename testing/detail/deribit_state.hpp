// State of the local Deribit-style exchange shared by all its connections: tokens,
// subscriptions, sequence numbers, pending faults and counters. Internal.
#pragma once

#include <wsnova/testing/deribit_exchange.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace wsnova::test::detail {

/// Everything the connections of one exchange share, guarded by one mutex. Pure state: no
/// I/O, time passed in where it matters, so the request handler can be read on its own.
class exchange_state {
 public:
  using clock = std::chrono::steady_clock;

  /// Tokens returned by a successful `public/auth`.
  struct grant {
    std::string access_token;
    std::string refresh_token;
    std::chrono::seconds expires_in{0};
  };

  /// One notification due: `channel` reached `sequence`; `subscribers` are connection ids.
  struct due_notification {
    std::string channel;
    std::uint64_t sequence = 0;
    std::vector<std::uint64_t> subscribers;
  };

  explicit exchange_state(exchange_options opts);

  /// Returns a copy of the options (the token lifetime may change at run time).
  exchange_options options() const;

  // -- tokens ---------------------------------------------------------------------------

  /// Issues tokens if `id`/`secret` match the configured key; counts the outcome.
  std::optional<grant> auth_client_credentials(std::string_view id, std::string_view secret);

  /// Issues new tokens for a known, unrevoked refresh token; counts the outcome.
  std::optional<grant> auth_refresh(std::string_view refresh_token);

  /// Returns true when `access_token` was issued here and has not expired.
  bool token_valid(std::string_view access_token) const;

  /// Expires all access tokens (and refresh tokens with `refresh_too`).
  void expire_tokens(bool refresh_too);

  /// Sets `expires_in` of tokens issued from now on.
  void set_token_lifetime(std::chrono::seconds lifetime);

  // -- faults ---------------------------------------------------------------------------

  /// Makes the next `count` requests fail with 10028.
  void inject_rate_limit(std::size_t count);

  /// Returns true (and uses one up) when an injected 10028 is pending.
  bool take_injected_rate_limit();

  /// Makes the next `count` upgrades fail with HTTP `status`.
  void reject_upgrades(int status, std::size_t count);

  /// Returns the HTTP status for this upgrade (using one rejection up), or 0 to accept it.
  int take_upgrade_rejection();

  /// Freezes the exchange until now + `duration`.
  void stall(std::chrono::milliseconds duration);

  /// Returns the end of the current stall (in the past when not stalled).
  clock::time_point stalled_until() const;

  // -- connections and subscriptions ----------------------------------------------------

  /// Returns the id of a new connection (1, 2, ...).
  std::uint64_t new_connection_id();

  /// Registers upgraded connection `id` and counts it; the caller makes it reachable for
  /// faults first, so that a test which saw it counted can reach it.
  void add_connection(std::uint64_t id);

  /// Forgets a connection and its subscriptions.
  void remove_connection(std::uint64_t id);

  /// Adds `channel` to the connection's subscriptions (starting its sequence if new).
  void subscribe(std::uint64_t id, const std::string& channel);

  /// Removes `channel`; returns true if it was subscribed.
  bool unsubscribe(std::uint64_t id, const std::string& channel);

  /// Removes every channel of the connection.
  void unsubscribe_all(std::uint64_t id);

  /// Returns the subscriptions of every open connection.
  std::map<std::uint64_t, std::set<std::string>> subscriptions() const;

  /// Advances every channel ever subscribed by one and returns those with subscribers. A
  /// channel keeps counting while nobody listens, so a client that reconnects sees the gap.
  std::vector<due_notification> tick();

  // -- counters -------------------------------------------------------------------------

  /// Applies `change` to the counters under the lock and wakes `wait_until` callers.
  template <class F>
  void count(F&& change) {
    std::lock_guard guard{mtx_};
    change(stats_);
    cv_.notify_all();
  }

  /// Returns a snapshot of the counters.
  exchange_stats stats() const;

  /// Waits until `pred(stats)` holds or `deadline` passes.
  bool wait_until(const std::function<bool(const exchange_stats&)>& pred,
                  std::chrono::milliseconds deadline) const;

 private:
  grant issue_locked();

  mutable std::mutex mtx_;  // guards every member below
  mutable std::condition_variable cv_;
  exchange_options opts_;
  exchange_stats stats_;
  std::mt19937_64 random_;           // token material
  std::uint64_t tokens_issued_ = 0;  // token prefix, unique per token
  std::map<std::string, clock::time_point, std::less<>> access_tokens_;  // token -> expiry
  std::set<std::string, std::less<>> refresh_tokens_;                    // valid refresh tokens
  std::size_t injected_rate_limits_ = 0;                                 // pending 10028 answers
  int reject_status_ = 0;                                         // HTTP status for rejections
  std::size_t rejections_ = 0;                                    // pending rejections
  clock::time_point stalled_until_{};                             // end of the current stall
  std::uint64_t next_connection_ = 1;                             // id of the next connection
  std::map<std::uint64_t, std::set<std::string>> subscriptions_;  // by connection
  std::map<std::string, std::uint64_t> sequences_;                // channel -> last sequence
};

}  // namespace wsnova::test::detail
