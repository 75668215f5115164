#include <wsnova/testing/detail/deribit_channels.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <vector>

namespace wsnova::test::detail {

namespace json = boost::json;

namespace {

std::vector<std::string_view> split(std::string_view name) {
  std::vector<std::string_view> out;
  while (true) {
    auto dot = name.find('.');
    out.push_back(name.substr(0, dot));
    if (dot == std::string_view::npos) return out;
    name.remove_prefix(dot + 1);
  }
}

/// A price that moves with the sequence number, so consecutive notifications differ.
double price_at(std::uint64_t sequence) {
  return 50000.0 + static_cast<double>(sequence % 200) * 0.5;
}

json::object ticker(const channel_info& ch, std::uint64_t seq, std::int64_t now_ms) {
  auto price = price_at(seq);
  return {{"timestamp", now_ms},     {"instrument_name", ch.instrument},
          {"state", "open"},         {"best_bid_price", price - 0.5},
          {"best_ask_price", price}, {"best_bid_amount", 1000},
          {"best_ask_amount", 2000}, {"last_price", price},
          {"mark_price", price},     {"index_price", price - 1.0},
          {"open_interest", 1.0e6},  {"sequence", seq}};
}

json::array trades(const channel_info& ch, std::uint64_t seq, std::int64_t now_ms) {
  json::object trade{{"trade_seq", seq},
                     {"trade_id", std::to_string(seq)},
                     {"timestamp", now_ms},
                     {"tick_direction", 0},
                     {"price", price_at(seq)},
                     {"mark_price", price_at(seq)},
                     {"index_price", price_at(seq) - 1.0},
                     {"instrument_name", ch.instrument},
                     {"direction", seq % 2 == 0 ? "sell" : "buy"},
                     {"amount", 10},
                     {"sequence", seq}};
  return json::array{std::move(trade)};
}

json::object book(const channel_info& ch, std::uint64_t seq, std::int64_t now_ms) {
  auto price = price_at(seq);
  json::object out{{"type", seq == 1 ? "snapshot" : "change"},
                   {"timestamp", now_ms},
                   {"instrument_name", ch.instrument},
                   {"change_id", seq},
                   {"bids", json::array{json::array{"new", price - 0.5, 1000}}},
                   {"asks", json::array{json::array{"new", price, 2000}}},
                   {"sequence", seq}};
  if (seq > 1) out["prev_change_id"] = seq - 1;
  return out;
}

json::object user_orders(const channel_info& ch, std::uint64_t seq, std::int64_t now_ms) {
  return {{"order_id", "local-" + std::to_string(seq)},
          {"order_state", "open"},
          {"order_type", "limit"},
          {"instrument_name", ch.instrument},
          {"direction", "buy"},
          {"price", price_at(seq)},
          {"amount", 10},
          {"filled_amount", 0},
          {"creation_timestamp", now_ms},
          {"last_update_timestamp", now_ms},
          {"sequence", seq}};
}

}  // namespace

std::optional<channel_info> parse_channel(std::string_view name) {
  auto parts = split(name);
  for (auto part : parts)
    if (part.empty()) return std::nullopt;
  if (parts.size() < 2) return std::nullopt;
  if (parts[0] == "user") {
    if (parts.size() < 3) return std::nullopt;
    return channel_info{"user." + std::string{parts[1]}, std::string{parts[2]}, true};
  }
  return channel_info{std::string{parts[0]}, std::string{parts[1]}, false};
}

json::value notification_data(const channel_info& channel, std::uint64_t sequence,
                              std::int64_t now_ms) {
  if (channel.kind == "ticker") return ticker(channel, sequence, now_ms);
  if (channel.kind == "trades") return trades(channel, sequence, now_ms);
  if (channel.kind == "book") return book(channel, sequence, now_ms);
  if (channel.kind == "user.orders") return user_orders(channel, sequence, now_ms);
  return json::object{{"timestamp", now_ms}, {"sequence", sequence}};
}

}  // namespace wsnova::test::detail
