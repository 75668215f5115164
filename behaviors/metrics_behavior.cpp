#include <wsnova/behaviors/metrics_behavior.hpp>

#include <string_view>

#include <wsnova/core/metrics.hpp>

namespace wsnova {

void record_metric(metrics_registry& registry, const metric_sample& sample) {
  metric_labels labels{{"connection", sample.connection_id}};
  if (!sample.code.empty()) labels.emplace_back("code", sample.code);
  const std::string_view name = sample.name;
  if (name.ends_with("_total"))
    registry.add(name, labels, sample.value);
  else if (name.ends_with("_seconds"))
    registry.observe(name, labels, sample.value);
  else
    registry.set(name, labels, sample.value);
}

}  // namespace wsnova
