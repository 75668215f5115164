#pragma once

/// @file
/// Subscription: the table of a connection's subscriptions, their states and confirmation
/// deadlines, and what to subscribe again after a reconnect. Transport free and clock free:
/// the owner sends the frames, passes the time in and sets its timer to `next_deadline()`.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/timespan.hpp>

namespace wsnova {

/// Where a subscription stands. `pending` and `confirmed` are active (restored after a
/// reconnect); the other three are final.
enum class subscription_state : std::uint8_t {
  /// Asked for, not confirmed yet; expires at its deadline.
  pending,
  /// Confirmed by the server.
  confirmed,
  /// Refused by the server, or revoked after confirmation.
  failed,
  /// Ended by the user.
  unsubscribed,
  /// No confirmation before the deadline.
  expired,
};

/// Returns the name of a state, e.g. "confirmed".
const char* to_string(subscription_state state);

/// One subscription.
struct subscription {
  /// Given by the table, counting up from 1: the order the subscriptions were first made.
  std::uint64_t id = 0;
  /// The channel, e.g. "trades.BTC-PERPETUAL.raw"; notifications are routed by it.
  std::string channel;
  /// The platform's parameters, sent again as they are after a reconnect.
  boost::json::value params;
  /// Where it stands.
  subscription_state state = subscription_state::pending;
  /// How long a confirmation may take, after the subscribe and after each reconnect.
  caf::timespan timeout{0};
  /// When a pending subscription expires (meaningless in other states).
  std::chrono::steady_clock::time_point deadline;
  /// Why it failed or expired; empty otherwise.
  caf::error error;
};

/// A connection's subscriptions by id. Final entries stay (so late confirmations and
/// questions about them get a precise answer) until `forget_finished` removes them.
///
/// Not thread-safe: one per connection, inside its actor.
class subscription_table {
 public:
  /// The clock all times refer to; the same as CAF's actor clock.
  using clock = std::chrono::steady_clock;
  /// A point in time on `clock`.
  using time_point = clock::time_point;

  /// Adds a pending subscription to `channel` that must be confirmed by `now + timeout`, and
  /// returns its id. Errors: `invalid_argument` for an empty channel; `not_allowed` when the
  /// channel already has an active (pending or confirmed) subscription, which would otherwise
  /// be subscribed twice after every reconnect.
  caf::expected<std::uint64_t> subscribe(std::string channel, boost::json::value params,
                                         caf::timespan timeout, time_point now);

  /// pending → confirmed; a second confirmation changes nothing. Errors: `unknown_id`;
  /// `not_allowed` for a final subscription (a late confirmation: the server now sends what
  /// nobody waits for, so the owner should unsubscribe there).
  caf::error confirm(std::uint64_t id);

  /// pending or confirmed → failed with `reason` (refused, or revoked by the server). Errors:
  /// `unknown_id`; `not_allowed` when already final.
  caf::error fail(std::uint64_t id, caf::error reason);

  /// pending or confirmed → unsubscribed. Errors: `unknown_id`; `not_allowed` when already
  /// final.
  caf::error unsubscribe(std::uint64_t id);

  /// pending subscriptions whose deadline is at or before `now` → expired (with
  /// `errc::timeout`); returns them in the order they were made.
  std::vector<subscription> expire(time_point now);

  /// The subscriptions to send again after a reconnect: the pending and confirmed ones, in the
  /// order they were first made.
  std::vector<subscription> restore_list() const;

  /// After a reconnect: every pending and confirmed subscription becomes pending again, with
  /// the deadline `now + its timeout`; returns them as `restore_list` does.
  std::vector<subscription> on_reconnect(time_point now);

  /// The subscription `id`, or null.
  const subscription* find(std::uint64_t id) const;

  /// The active (pending or confirmed) subscription of `channel`, or null: where a
  /// notification of that channel goes.
  const subscription* find_channel(std::string_view channel) const;

  /// The earliest deadline of a pending subscription; empty when none is pending.
  std::optional<time_point> next_deadline() const;

  /// Removes the final (failed, unsubscribed, expired) entries; returns how many.
  std::size_t forget_finished();

  /// Entries in the table, final ones included.
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  /// The entry `id` if it is active; else the error saying why not (unknown or final).
  caf::expected<subscription*> active(std::uint64_t id, const char* action);

  std::uint64_t next_id_ = 1;
  /// By id, which is the order the subscriptions were made.
  std::map<std::uint64_t, subscription> entries_;
};

}  // namespace wsnova
