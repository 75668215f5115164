#include <wsnova/behaviors/metrics_behavior.hpp>

namespace wsnova {

void record_metric(metrics_registry&, const metric_sample&) {
  // Filled in when the registry lands.
}

}  // namespace wsnova
