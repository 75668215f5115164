// Channel names and notification payloads of the local Deribit-style exchange. Internal.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsnova::test::detail {

/// What a channel name asks for, parsed from Deribit's `KIND.INSTRUMENT[.MORE].INTERVAL` names
/// (`ticker.BTC-PERPETUAL.100ms`, `trades.BTC-PERPETUAL.raw`, `book.BTC-PERPETUAL.100ms`,
/// `user.orders.BTC-PERPETUAL.raw`, ...).
struct channel_info {
  /// First segment (`ticker`, `trades`, `book`, ...), or `user.SECOND` for private channels.
  std::string kind;

  /// Instrument (or currency) segment, e.g. `BTC-PERPETUAL`.
  std::string instrument;

  /// True for `user.*` channels, which only `private/subscribe` with a valid token opens.
  bool is_private = false;
};

/// Parses `name`; `std::nullopt` for names Deribit would not subscribe (empty segments,
/// fewer than two segments, `user.` without a kind and an instrument).
std::optional<channel_info> parse_channel(std::string_view name);

/// Returns the `data` member of notification number `sequence` (1, 2, ...) of `channel`,
/// shaped like Deribit's payload for that kind of channel (see docs/local-exchange.md), with
/// the sequence number in it: `sequence` in every object (an extension of ours), and also
/// where Deribit has its own counter (`change_id`/`prev_change_id` in `book`, `trade_seq` in
/// each trade of `trades`, whose data is an array of one trade). `now_ms` is the timestamp.
boost::json::value notification_data(const channel_info& channel, std::uint64_t sequence,
                                     std::int64_t now_ms);

}  // namespace wsnova::test::detail
