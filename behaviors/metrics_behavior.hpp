#pragma once

/// @file
/// The Metrics behaviour: measurements of a connection.

#include <chrono>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <wsnova/behaviors/behavior.hpp>
#include <wsnova/core/atoms.hpp>

namespace wsnova {

class metrics_registry;

/// One measurement of one connection: a counter increment, a gauge value or a histogram
/// observation (durations in seconds), named as in docs/metrics.md, e.g.
/// `wsnova_restore_duration_seconds`.
struct metric_sample {
  /// The metric family.
  std::string name;
  /// The stable connection id (the `connection` label).
  std::string connection_id;
  /// The increment, the value or the observation.
  double value = 0;
  /// The `code` label (an `errc` name) of `wsnova_errors_total`; empty for other families.
  std::string code;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, metric_sample& x) {
  return f(caf::meta::type_name("wsnova.metric_sample"), x.name, x.connection_id, x.value, x.code);
}

/// The Metrics behaviour: one one-way callback, `(metric_atom, metric_sample)`. Default:
/// recorded into `connection_config::metrics` when a registry is set, nothing otherwise (and
/// then no sample is even built).
struct metrics_behavior : behavior_decl<callback<metric_atom, void(metric_sample)>> {
  /// Unused: one-way callbacks are not awaited.
  static constexpr caf::timespan default_timeout = std::chrono::seconds{0};
};

/// Records `sample` into `registry`, the default Metrics behaviour: a name ending in `_total`
/// is a counter increment, one ending in `_seconds` a histogram observation, anything else a
/// gauge value; labelled `connection`, and `code` when the sample has one.
void record_metric(metrics_registry& registry, const metric_sample& sample);

}  // namespace wsnova
