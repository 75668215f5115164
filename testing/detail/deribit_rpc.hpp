// The JSON-RPC side of one connection to the local Deribit-style exchange: parses a request,
// checks credits and authorisation, runs the method, builds the response. No I/O. Internal.
#pragma once

#include <wsnova/testing/detail/deribit_state.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsnova::test::detail {

class response;

/// What the connection must do after one request, besides writing `reply`.
struct rpc_outcome {
  /// The JSON-RPC response (always one: Deribit answers every request).
  std::string reply;

  /// Set when heartbeats change: the new interval in seconds, or 0 to stop them.
  std::optional<double> heartbeat_interval;

  /// True for a `public/test` request (answers an outstanding `test_request`).
  bool answers_test_request = false;

  /// True when the connection must be closed after `reply` (rate limit with
  /// `close_on_rate_limit`).
  bool close_after_reply = false;
};

/// Request handling of one connection. Not thread safe: the connection's strand owns it.
class rpc_handler {
 public:
  using clock = exchange_state::clock;

  /// Handles requests of connection `id` against `state`; the credit pool starts full.
  rpc_handler(exchange_state& state, std::uint64_t id);

  /// Handles one text message received at `now`.
  rpc_outcome handle(std::string_view text, clock::time_point now);

  /// Largest request Deribit accepts in one WebSocket frame (32 kB); bigger ones get -32600.
  static constexpr std::size_t max_request_size = 32 * 1024;

 private:
  bool take_credits(clock::time_point now);
  std::string auth(const boost::json::object& params, response& resp);
  std::string change_subscriptions(const boost::json::object& params, response& resp,
                                   bool subscribe, bool is_private);

  exchange_state& state_;
  std::uint64_t id_;
  std::string connection_token_;   // access token of the last `public/auth` on this connection
  double credits_;                 // current credit pool
  clock::time_point refilled_at_;  // when `credits_` was last brought up to date
};

}  // namespace wsnova::test::detail
