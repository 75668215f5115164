#pragma once

/// @file
/// The Deribit adapter: API v2, JSON-RPC 2.0 over WebSocket, as Deribit's documentation
/// describes it. It logs in with `public/auth` (client credentials, then the refresh token
/// before the token expires), subscribes with `public/subscribe` or `private/subscribe` and
/// unsubscribes with their twins, asks for heartbeats with `public/set_heartbeat` and answers
/// every test request with `public/test`, keeps within Deribit's credits, and maps Deribit's
/// JSON-RPC error codes to wsnova errors. Auth and subscriptions are restored after every
/// reconnect by the connection itself. docs/deribit.md is the worked example.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/error.hpp>

#include <wsnova/actors/connection_config.hpp>
#include <wsnova/core/message.hpp>

namespace wsnova::deribit {

/// Deribit's JSON-RPC error codes that the adapter treats specially (API v2 reference, "RPC
/// Error Codes").
namespace error_codes {
/// `too_many_requests`: the connection's credits are spent.
inline constexpr std::int64_t too_many_requests = 10028;
/// `invalid_credentials`: wrong client id or secret.
inline constexpr std::int64_t invalid_credentials = 13004;
/// `unauthorized` (newer articles: `invalid_token`): no, invalid or expired token.
inline constexpr std::int64_t unauthorized = 13009;
}  // namespace error_codes

/// An API key (Deribit's "client credentials"). Never logged.
struct credentials {
  /// The key's client id.
  std::string client_id;
  /// The key's client secret.
  std::string client_secret;
  /// True when no key is set (public channels only).
  bool empty() const { return client_id.empty() && client_secret.empty(); }
};

/// The adapter's settings.
struct adapter_options {
  /// The API key; empty: no authentication (public channels only).
  credentials key;
  /// `public/set_heartbeat` interval; zero: Deribit heartbeats off (WebSocket pings of the
  /// profile still detect a dead peer). Deribit's minimum is 10 s. Default 10 s.
  std::chrono::seconds heartbeat{10};
  /// Use Deribit's test network as the default URL. Default true: a program that forgets to
  /// set a URL never trades for real.
  bool testnet = true;
};

/// The adapter (see `wsnova::adapter`).
class adapter {
 public:
  /// An adapter with `options`.
  explicit adapter(adapter_options options = {});

  /// "deribit".
  std::string_view name() const { return "deribit"; }

  /// "wss://test.deribit.com/ws/api/v2", or "wss://www.deribit.com/ws/api/v2" when
  /// `testnet` is false.
  std::string default_url() const;

  /// Sets the behaviours: Auth (client credentials, refresh token), Subscription (public or
  /// private subscribe by channel), Connection (`public/set_heartbeat` on every connect),
  /// Message (`test_request` answered with `public/test`), Error (invalid credentials end
  /// the connection for good, its auth_failed error as the close's cause; any other auth failure
  /// and a rate-limited restore reconnect after the policy's next delay, which backs off); the rate
  /// limit (Deribit's default credits: a burst of 100 requests, 20 per second). With a heartbeat,
  /// the WebSocket ping interval and pong timeout are lowered to it (when the profile's are longer)
  /// and the session's `silence_timeout` is two intervals: a stuck service that still answers pings
  /// is left within three heartbeat intervals.
  void configure(connection_config& config) const;

  /// The options.
  const adapter_options& options() const { return options_; }

 private:
  adapter_options options_;
};

/// Returns "private/subscribe" for private channels (names starting with "user."),
/// "public/subscribe" for the others (and "private/unsubscribe" / "public/unsubscribe" when
/// `subscribe` is false).
const char* subscription_method(std::string_view channel, bool subscribe = true);

/// Returns `err` as the wsnova error a Deribit JSON-RPC error means: 10028 → `rate_limited`,
/// 13004 and 13009 → `auth_failed`; the JSON-RPC code stays readable with `rpc_error_code`.
/// Any other error is returned unchanged.
caf::error map_error(const caf::error& err);

/// A subscription notification (`method` "subscription").
struct notification {
  /// The channel, e.g. "ticker.BTC-PERPETUAL.100ms".
  std::string channel;
  /// `params.data` as JSON text.
  std::string data;
};

/// Reads a notification from a received message; nothing when it is not one.
std::optional<notification> read_notification(const ws_message& message);

/// Returns `{"channel": ..., "data": ...}` as one line of JSON (no newline).
std::string to_json_line(const notification& note);

}  // namespace wsnova::deribit
