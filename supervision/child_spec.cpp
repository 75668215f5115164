#include <wsnova/supervision/child_spec.hpp>

#include <algorithm>
#include <cmath>

#include <wsnova/transport/error.hpp>

namespace wsnova {

std::string to_string(restart_type x) {
  switch (x) {
    case restart_type::permanent: return "permanent";
    case restart_type::transient: return "transient";
    case restart_type::temporary: return "temporary";
  }
  return "invalid";
}

std::string to_string(child_kind x) {
  switch (x) {
    case child_kind::worker: return "worker";
    case child_kind::supervisor: return "supervisor";
  }
  return "invalid";
}

std::string to_string(const shutdown_spec& x) {
  switch (x.how) {
    case shutdown_spec::mode::timeout:
      return "timeout(" + std::to_string(x.timeout.count()) + "ms)";
    case shutdown_spec::mode::brutal_kill: return "brutal_kill";
    case shutdown_spec::mode::infinity: return "infinity";
  }
  return "invalid";
}

std::chrono::milliseconds restart_backoff::delay(std::size_t n, double u) const {
  if (!enabled()) return std::chrono::milliseconds{0};
  auto base = static_cast<double>(min_delay.count());
  auto cap = static_cast<double>(max_delay.count());
  // Grow without overflowing: stop multiplying once the cap is reached.
  for (std::size_t i = 0; i < n && base < cap; ++i) base *= multiplier;
  base = std::min(base, cap);
  base *= 1.0 + jitter * (2.0 * u - 1.0);
  return std::chrono::milliseconds{static_cast<std::int64_t>(std::llround(std::max(base, 0.0)))};
}

shutdown_spec effective_shutdown(const child_spec& spec) {
  if (spec.shutdown) return *spec.shutdown;
  return spec.kind == child_kind::supervisor ? shutdown_spec::infinity() : shutdown_spec{};
}

child_spec with_defaults(child_spec spec) {
  spec.shutdown = effective_shutdown(spec);
  return spec;
}

namespace {

caf::error invalid(const char* field, const std::string& what) {
  return make_error(errc::invalid_spec, std::string{field} + ": " + what);
}

}  // namespace

caf::error check_child_spec(const child_spec& spec) {
  if (spec.id.empty()) return invalid("id", "must not be empty");
  auto in = " (child '" + spec.id + "')";
  if (!spec.start) return invalid("start", "no start function" + in);
  if (spec.restart != restart_type::permanent && spec.restart != restart_type::transient
      && spec.restart != restart_type::temporary)
    return invalid("restart", "invalid restart type" + in);
  if (spec.kind != child_kind::worker && spec.kind != child_kind::supervisor)
    return invalid("kind", "invalid child kind" + in);
  if (spec.shutdown) {
    auto& s = *spec.shutdown;
    if (s.how != shutdown_spec::mode::timeout && s.how != shutdown_spec::mode::brutal_kill
        && s.how != shutdown_spec::mode::infinity)
      return invalid("shutdown", "invalid mode" + in);
    if (s.how == shutdown_spec::mode::timeout && s.timeout.count() <= 0)
      return invalid("shutdown", "timeout must be positive" + in);
  }
  auto& b = spec.backoff;
  if (b.min_delay.count() < 0) return invalid("backoff.min_delay", "must be >= 0" + in);
  if (b.max_delay < b.min_delay)
    return invalid("backoff.max_delay", "must be >= backoff.min_delay" + in);
  if (!(b.multiplier >= 1.0)) return invalid("backoff.multiplier", "must be >= 1" + in);
  if (!(b.jitter >= 0.0 && b.jitter <= 1.0))
    return invalid("backoff.jitter", "must be in [0, 1]" + in);
  if (b.reset_after.count() < 0) return invalid("backoff.reset_after", "must be >= 0" + in);
  return caf::none;
}

}  // namespace wsnova
