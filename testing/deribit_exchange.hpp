// A local exchange speaking the subset of Deribit API v2 (JSON-RPC over WebSocket) that
// wsnova's Deribit adapter uses, with fault injection, so that no test touches the internet.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace wsnova::test {

/// Options of a `deribit_exchange`; every field has a usable default.
struct exchange_options {
  /// Serve `wss://` instead of `ws://`. Needs `cert_file` and `key_file`. Default false.
  bool tls = false;

  /// PEM certificate chain presented when `tls` is set (e.g. `make_test_certs(..).server_cert`).
  std::string cert_file;

  /// PEM private key of `cert_file`.
  std::string key_file;

  /// TCP port on 127.0.0.1; 0 (default) picks an ephemeral one.
  std::uint16_t port = 0;

  /// Number of I/O threads; values below 1 count as 1. Default 1.
  std::size_t threads = 1;

  /// The one API key `public/auth` with `client_credentials` accepts.
  std::string client_id = "wsnova-client";

  /// Secret of `client_id`.
  std::string client_secret = "wsnova-secret";

  /// Lifetime of access tokens, reported as `expires_in` (seconds). Default 900 s, Deribit's
  /// usual value for `connection` scope tokens.
  std::chrono::seconds token_lifetime{900};

  /// Time between two notifications of each subscribed channel. Default 100 ms.
  std::chrono::milliseconds notification_interval{100};

  /// Smallest interval `public/set_heartbeat` accepts, in seconds. Deribit documents 10;
  /// tests lower it to keep heartbeat tests short.
  double min_heartbeat_interval = 10.0;

  /// Close code sent when a `test_request` is not answered with `public/test` in time.
  std::uint16_t heartbeat_close_code = 1000;

  /// Credit pool of each connection (Deribit's non-matching-engine defaults: 50 000 credits,
  /// refilled at 10 000 credits/s, 500 credits per request, so 20 requests/s sustained and a
  /// burst of 100). A request arriving with fewer than `request_cost` credits gets 10028.
  std::int64_t credit_max = 50000;

  /// Credits added per second, continuously.
  std::int64_t credit_refill_per_second = 10000;

  /// Credits each request costs.
  std::int64_t request_cost = 500;

  /// Close the connection (code 1008) after answering a request with 10028, as Deribit's
  /// rate-limit article says it does. Default false: the error alone, so a test can watch a
  /// client back off on the same connection.
  bool close_on_rate_limit = false;

  /// `version` reported by `public/test` and `public/hello`.
  std::string version = "1.2.26";
};

/// Counters of what the exchange saw since it started (see `deribit_exchange::stats`).
struct exchange_stats {
  /// WebSocket upgrades accepted.
  std::size_t connections_accepted = 0;

  /// Connections upgraded and not yet ended.
  std::size_t connections_open = 0;

  /// Upgrade requests answered with an HTTP error (`reject_upgrades`).
  std::size_t upgrades_rejected = 0;

  /// Successful `public/auth` calls with `grant_type` `client_credentials`.
  std::size_t auth_client_credentials = 0;

  /// Successful `public/auth` calls with `grant_type` `refresh_token`.
  std::size_t auth_refresh_token = 0;

  /// `public/auth` calls refused (13004 for credentials, 13009 for refresh tokens).
  std::size_t auth_failed = 0;

  /// `public/subscribe` and `private/subscribe` calls answered with a result.
  std::size_t subscribe_calls = 0;

  /// `*/unsubscribe` and `*/unsubscribe_all` calls answered with a result.
  std::size_t unsubscribe_calls = 0;

  /// Requests refused with 13009 (no, invalid or expired token).
  std::size_t unauthorized = 0;

  /// Requests refused with 10028 (credits exhausted or injected).
  std::size_t rate_limited = 0;

  /// `test_request` messages sent.
  std::size_t test_requests_sent = 0;

  /// `test_request` messages answered by a `public/test` request in time.
  std::size_t test_requests_answered = 0;

  /// `test_request` messages not answered in time (each closed its connection).
  std::size_t test_requests_missed = 0;

  /// Subscription notifications written to clients.
  std::size_t notifications_sent = 0;
};

/// An in-process exchange on 127.0.0.1 speaking Deribit API v2's JSON-RPC over WebSocket
/// (ws or wss), enough of it for a client's auth, subscriptions and heartbeats, with faults
/// to inject. docs/local-exchange.md lists the methods, the message shapes and which Deribit
/// documentation each follows.
///
/// Methods: `public/auth` (`client_credentials`, `refresh_token`), `public/subscribe`,
/// `private/subscribe`, `public/unsubscribe`, `private/unsubscribe`, `public/unsubscribe_all`,
/// `private/unsubscribe_all`, `public/set_heartbeat`, `public/disable_heartbeat`,
/// `public/test`, `public/hello`, `public/get_time`. Anything else: -32601.
///
/// Private calls are authorised by a valid `access_token` parameter or, as on Deribit's
/// WebSocket API, by a successful `public/auth` earlier on the same connection.
///
/// Thread safety: every member function may be called from any thread. Faults apply at once
/// (for a connection's next event); observations block the caller at most until `deadline`.
///
/// Lifetime: the destructor stops the I/O threads and closes every socket without a closing
/// handshake; it never waits for a client.
class deribit_exchange {
 public:
  // -- constructors ---------------------------------------------------------------------

  /// Binds 127.0.0.1 and starts serving before returning. Throws `std::system_error` (bind)
  /// or `std::runtime_error` (TLS files).
  explicit deribit_exchange(exchange_options opts = {});

  /// Stops serving, closes all sockets forcibly and joins the I/O threads.
  ~deribit_exchange();

  deribit_exchange(const deribit_exchange&) = delete;
  deribit_exchange& operator=(const deribit_exchange&) = delete;

  // -- properties -----------------------------------------------------------------------

  /// Returns the TCP port the exchange listens on.
  std::uint16_t port() const;

  /// Returns `ws://127.0.0.1:PORT/ws/api/v2` (Deribit's path), or `wss://localhost:...` when
  /// serving TLS (the test certificates name localhost). Any path is accepted.
  std::string url() const;

  /// Returns the options the exchange runs with (token lifetime as last set).
  exchange_options options() const;

  // -- faults ---------------------------------------------------------------------------

  /// Resets every connection's TCP connection (SO_LINGER 0: RST, no close frame).
  void drop_all();

  /// Closes every connection with a close frame carrying `code` and `reason`.
  void close_all(std::uint16_t code, std::string_view reason);

  /// Freezes the whole exchange for `duration`: no request is read or answered, nothing is
  /// written, no notification or heartbeat is produced. Requests already sent are answered
  /// afterwards, in order.
  void stall(std::chrono::milliseconds duration);

  /// Expires every access token issued so far: the next private call with one gets 13009.
  /// With `refresh_tokens_too`, refresh tokens stop working as well (13009 on refresh).
  void expire_tokens(bool refresh_tokens_too = false);

  /// Sets the lifetime (`expires_in`) of tokens issued from now on.
  void set_token_lifetime(std::chrono::seconds lifetime);

  /// Answers the next `count` requests (any method, any connection) with 10028.
  void inject_rate_limit(std::size_t count);

  /// Answers the next `count` upgrade requests with HTTP `status` and closes them.
  void reject_upgrades(int status, std::size_t count);

  // -- control channel ------------------------------------------------------------------

  /// Runs one text command, the control channel for out-of-process use (`wsnova-exchange`
  /// reads them from stdin), and returns the answer line: `ok`, `error <why>`, or for
  /// `stats` the counters as one JSON object. Commands: `drop`, `close CODE [REASON]`,
  /// `stall MS`, `expire`, `expire-all`, `lifetime SECONDS`, `ratelimit K`,
  /// `reject STATUS K`, `stats`, `subscriptions`.
  std::string control(std::string_view command);

  // -- observations ---------------------------------------------------------------------

  /// Returns a snapshot of the counters.
  exchange_stats stats() const;

  /// Returns the channels each open connection is subscribed to, by connection number
  /// (1, 2, ... in order of acceptance).
  std::map<std::uint64_t, std::set<std::string>> subscriptions() const;

  /// Returns true as soon as `pred(stats())` holds, false if it does not before `deadline`.
  bool wait_until(const std::function<bool(const exchange_stats&)>& pred,
                  std::chrono::milliseconds deadline) const;

  /// Opaque server state (defined in deribit_exchange.cpp).
  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace wsnova::test
