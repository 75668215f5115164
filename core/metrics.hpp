#pragma once

/// @file
/// Counters, gauges and histograms keyed by labels, rendered in Prometheus' text format.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace wsnova {

/// Label pairs of one series, e.g. `{{"connection", "feed-1"}}`. The order does not matter:
/// `{{"a", "1"}, {"b", "2"}}` and `{{"b", "2"}, {"a", "1"}}` name the same series (sorted by
/// label name is the fast path: no allocation).
using metric_labels = std::vector<std::pair<std::string, std::string>>;

/// What a family measures.
enum class metric_kind : std::uint8_t {
  /// Only goes up (`add` with a delta >= 0).
  counter,
  /// Any value, replaced by `set`.
  gauge,
  /// Observations counted into buckets, plus their sum and count.
  histogram,
};

/// Returns "counter", "gauge" or "histogram" (the Prometheus `# TYPE` word).
std::string to_string(metric_kind kind);

/// A set of metric families and their series, thread-safe.
///
/// A family is declared once (`declare`); its series appear at their first `add`, `set` or
/// `observe`. There is no global instance: a process (or a supervision tree) makes one and
/// passes it around, typically as `std::shared_ptr<metrics_registry>`.
///
/// Cost: recording into an existing series takes one mutex and two hash look-ups and does
/// not allocate (the look-ups hash the caller's `std::string_view` and labels in place);
/// only the first record of a series allocates it.
///
/// Recording never throws: a name that was not declared, a family of another kind, a
/// negative counter delta, NaN, or an invalid label name records nothing and returns false.
class metrics_registry {
 public:
  /// Declares a family. `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`; `buckets` (histograms
  /// only) are the finite upper bounds, strictly increasing, without `+Inf` (always added).
  /// Declaring the same family again with the same help, kind and buckets changes nothing.
  /// Throws `std::invalid_argument` for a bad name, bad buckets, buckets on a counter or
  /// gauge, a histogram without buckets, or a second declaration that differs.
  void declare(std::string name, std::string help, metric_kind kind,
               std::vector<double> buckets = {});

  /// Adds `delta` (>= 0, default 1) to a counter series.
  bool add(std::string_view name, const metric_labels& labels, double delta = 1);

  /// Sets a gauge series to `value`.
  bool set(std::string_view name, const metric_labels& labels, double value);

  /// Records `value` into a histogram series (the first bucket whose bound is >= value).
  bool observe(std::string_view name, const metric_labels& labels, double value);

  /// Drops every series, in every family, that carries the label `key`=`value` (e.g. a
  /// connection closed for good), so the registry does not grow with connections that come
  /// and go. Returns the number of series dropped.
  std::size_t forget(std::string_view key, std::string_view value);

  /// Returns every family in the Prometheus text exposition format 0.0.4: `# HELP` and
  /// `# TYPE` lines, then one line per series (histograms: cumulative `_bucket` lines with
  /// `le`, ending in `le="+Inf"`, then `_sum` and `_count`). Families sorted by name,
  /// series by labels, so two renders of the same values are identical.
  std::string render_prometheus() const;

  // -- read accessors (tests, diagnostics) ----------------------------------------------

  /// Returns the value of a counter series, or nothing if there is no such series.
  std::optional<double> counter_value(std::string_view name, const metric_labels& labels) const;

  /// Returns the value of a gauge series, or nothing if there is no such series.
  std::optional<double> gauge_value(std::string_view name, const metric_labels& labels) const;

  /// Returns the number of observations of a histogram series, or nothing.
  std::optional<std::uint64_t> histogram_count(std::string_view name,
                                               const metric_labels& labels) const;

  /// Returns the sum of the observations of a histogram series, or nothing.
  std::optional<double> histogram_sum(std::string_view name, const metric_labels& labels) const;

  /// Returns the cumulative bucket counts of a histogram series, one per declared bound
  /// plus the last for `+Inf` (equal to the count), or nothing.
  std::optional<std::vector<std::uint64_t>> histogram_buckets(std::string_view name,
                                                              const metric_labels& labels) const;

  /// Returns the number of series of a family (0 when it is not declared).
  std::size_t series_count(std::string_view name) const;

 private:
  struct series {
    double value = 0;                    // counter, gauge; sum of a histogram
    std::uint64_t count = 0;             // histogram: observations
    std::vector<std::uint64_t> buckets;  // histogram: per bucket, not cumulative; last = +Inf
  };
  struct labels_hash {
    std::size_t operator()(const metric_labels& labels) const noexcept;
  };
  struct name_hash {
    using is_transparent = void;  // look up by std::string_view without a std::string
    std::size_t operator()(std::string_view name) const noexcept;
  };
  struct family {
    std::string help;
    metric_kind kind = metric_kind::counter;
    std::vector<double> bounds;  // histogram upper bounds, without +Inf
    std::unordered_map<metric_labels, series, labels_hash> series_;  // labels sorted by name
  };

  family* family_of(std::string_view name, metric_kind kind);
  const family* family_of(std::string_view name, metric_kind kind) const;
  static series* find_or_add(family& f, const metric_labels& labels);
  static series* add_series(family& f, const metric_labels& sorted);
  const series* find(std::string_view name, metric_kind kind, const metric_labels& labels) const;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, family, name_hash, std::equal_to<>> families_;
};

/// Names of the standard families (`declare_wsnova_metrics`). Every family is labelled
/// `connection` (the connection's stable id), `errors_total` also `code` (an `errc` name),
/// and `supervisor_restarts_total` instead `supervisor` and `child`.
namespace metric_names {
/// Histogram: TCP connect including name resolution, in seconds.
inline constexpr std::string_view connect_duration = "wsnova_connect_duration_seconds";
/// Histogram: TLS handshake, in seconds.
inline constexpr std::string_view tls_handshake_duration = "wsnova_tls_handshake_duration_seconds";
/// Histogram: HTTP upgrade (request sent to 101 received), in seconds.
inline constexpr std::string_view upgrade_duration = "wsnova_upgrade_duration_seconds";
/// Histogram: ping sent to pong received, in seconds.
inline constexpr std::string_view heartbeat_rtt = "wsnova_heartbeat_rtt_seconds";
/// Histogram: frame read to its handler starting, in seconds.
inline constexpr std::string_view frame_to_handler = "wsnova_frame_to_handler_seconds";
/// Histogram: connection lost to connection back, in seconds.
inline constexpr std::string_view reconnect_downtime = "wsnova_reconnect_downtime_seconds";
/// Histogram: the restore sequence after a reconnect (auth, subscriptions, buffer), seconds.
inline constexpr std::string_view restore_duration = "wsnova_restore_duration_seconds";
/// Histogram: JSON-RPC request sent to its response, in seconds.
inline constexpr std::string_view request_duration = "wsnova_request_duration_seconds";
/// Counter: connections established (first connect and reconnects).
inline constexpr std::string_view connects = "wsnova_connects_total";
/// Counter: connections lost or closed.
inline constexpr std::string_view disconnects = "wsnova_disconnects_total";
/// Counter: data messages received.
inline constexpr std::string_view messages_received = "wsnova_messages_received_total";
/// Counter: data messages sent.
inline constexpr std::string_view messages_sent = "wsnova_messages_sent_total";
/// Counter: errors, labelled also with `code`.
inline constexpr std::string_view errors = "wsnova_errors_total";
/// Counter: requests a rate limit delayed or rejected.
inline constexpr std::string_view rate_limited = "wsnova_rate_limited_total";
/// Counter: children restarted, labelled `supervisor` and `child`.
inline constexpr std::string_view supervisor_restarts = "wsnova_supervisor_restarts_total";
/// Gauge: messages accepted and not yet written.
inline constexpr std::string_view send_queue_depth = "wsnova_send_queue_depth";
/// Gauge: 1 while the connection is up, 0 otherwise.
inline constexpr std::string_view connection_up = "wsnova_connection_up";
}  // namespace metric_names

/// Bucket bounds of the latency histograms, in seconds: 50 us to 30 s on a 1-2.5-5 scale
/// (x2 to x3 per step), 18 bounds.
std::vector<double> latency_buckets();

/// Bucket bounds of `reconnect_downtime`, in seconds: 10 ms to 10 min, 15 bounds (a
/// reconnect backoff alone may wait 30 s and more).
std::vector<double> downtime_buckets();

/// Declares wsnova's standard families (`metric_names`) on `registry`.
void declare_wsnova_metrics(metrics_registry& registry);

}  // namespace wsnova
