#pragma once

/// @file
/// Everything a connection actor is started with.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/timespan.hpp>

#include <wsnova/actors/registry.hpp>
#include <wsnova/behaviors/behavior_set.hpp>
#include <wsnova/behaviors/rate_limit.hpp>
#include <wsnova/core/backoff.hpp>
#include <wsnova/transport/session_options.hpp>

namespace wsnova {

class metrics_registry;

/// What `send` does while the connection is not up.
enum class offline_send_policy : std::uint8_t {
  /// Fail at once with `not_connected`: the financially safe default (never replay stale
  /// orders after a reconnect).
  reject,
  /// Keep the message (bounded) and send it after the restore sequence, in order.
  buffer,
};

/// Bounds of the outgoing side. Over a bound, `send` fails with `queue_full`; nothing is
/// dropped silently.
struct send_limits {
  /// Messages accepted but not yet written (high watermark). Default 4096.
  std::size_t max_queued_messages = 4096;
  /// Bytes accepted but not yet written (high watermark). Default 16 MiB.
  std::size_t max_queued_bytes = 16u << 20;
  /// After hitting a high watermark, sends are refused until the queue drains below this
  /// fraction of it (low watermark). Default 0.5.
  double resume_fraction = 0.5;
  /// Policy while disconnected. Default `reject`.
  offline_send_policy when_disconnected = offline_send_policy::reject;
  /// Messages kept while disconnected (buffer policy). Default 1024.
  std::size_t max_buffered_messages = 1024;
  /// Bytes kept while disconnected (buffer policy). Default 4 MiB.
  std::size_t max_buffered_bytes = 4u << 20;
};

/// Configuration of one connection.
struct connection_config {
  /// ws:// or wss:// URL. Required.
  std::string url;
  /// Stable id used in events and by the registry. Default: "conn-" followed by the actor id.
  std::string id;
  /// Transport options: headers, subprotocols, compression, limits, timeouts, TLS.
  session_options session;
  /// The eight behaviours; unset ones use the defaults (which cost nothing).
  behavior_set behaviors;
  /// The connection's own token bucket, the RateLimit behaviour's default. Default none: no
  /// limit. Set it to the platform's published limits (costs per request kind included).
  std::optional<rate_limit_config> rate_limit;
  /// How long the server may take to answer an authentication request. Default 10 s.
  caf::timespan auth_timeout = std::chrono::seconds{10};
  /// Re-authenticate at this fraction of the token's lifetime (`expires_in`). Default 0.8.
  double auth_refresh_at = 0.8;
  /// How long a subscription may stay unconfirmed, after subscribing and after each
  /// reconnect. Default 10 s.
  caf::timespan subscribe_timeout = std::chrono::seconds{10};
  /// Log events at or above this level go to the Logging behaviour. Default `warning`.
  log_level log_threshold = log_level::warning;
  /// Registry the default Metrics behaviour records into (see docs/metrics.md); shared by
  /// every connection that should appear in one scrape. Call `declare_wsnova_metrics` on it
  /// once before use. Default none: nothing is measured.
  std::shared_ptr<metrics_registry> metrics;
  /// Receive-side flow control: the number of `message_event`s the owner may receive before
  /// it grants more with `(flow_atom, n)`; 0 = unlimited. Default 0. With a limit, a slow
  /// owner never accumulates more than `flow` undelivered messages from this connection:
  /// the connection stops reading the socket instead (TCP backpressure).
  std::uint32_t flow = 0;
  /// Reconnection: backoff kind, delays, attempts, stable period.
  reconnect_policy reconnect;
  /// Bounds and offline policy of the outgoing side.
  send_limits sending;
  /// Registry to bind `id` to this connection on start (so the id follows restarts).
  /// Default none.
  registry_actor registry;
  /// Besides the owner, the one actor allowed to transfer ownership (a supervisor, say).
  /// Default none.
  caf::actor transfer_authority;
  /// Run the connection actor on the I/O thread that drives its socket, so a frame costs no
  /// thread crossing (handlers then run on that thread too: keep in-process handlers fast
  /// and put slow ones in separate actors). Default true; false schedules the actor on
  /// CAF's worker pool.
  bool run_on_io_thread = true;
  /// Close with 1001 and exit when the owner terminates. Default true; when false, the
  /// connection keeps running without an owner and drops its events.
  bool close_when_owner_down = true;
};

}  // namespace wsnova
