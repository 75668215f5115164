#include <wsnova/supervision/child_spec.hpp>

#include <wsnova/core/detail/enum_names.hpp>
#include <wsnova/core/supervision_errc.hpp>

namespace wsnova {

std::string to_string(restart_type x) {
  return detail::enum_name<restart_type::temporary>(x, {"permanent", "transient", "temporary"},
                                                    "invalid");
}

std::string to_string(child_kind x) {
  return detail::enum_name<child_kind::supervisor>(x, {"worker", "supervisor"}, "invalid");
}

std::string to_string(const shutdown_spec& x) {
  switch (x.how) {
    case shutdown_spec::mode::timeout:
      return "timeout(" + std::to_string(x.timeout.count()) + "ms)";
    case shutdown_spec::mode::brutal_kill:
      return "brutal_kill";
    case shutdown_spec::mode::infinity:
      return "infinity";
  }
  return "invalid";
}

restart_backoff default_restart_backoff() {
  restart_backoff result;
  result.kind = backoff_kind::exponential;
  result.initial_delay = caf::timespan{0};
  result.max_delay = std::chrono::seconds{30};
  result.multiplier = 2.0;
  result.jitter = 0.0;
  result.max_attempts = 0;
  result.stable_after = std::chrono::seconds{60};
  return result;
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

// One small check per field, as OTP's validRestartType, validShutdown, ...: each returns
// its tagged reason with a detail naming the field and the child.

caf::error fail(sup_errc code, const char* field, const std::string& what, const std::string& id) {
  return make_error(code, std::string{field} + ": " + what + " (child '" + id + "')");
}

caf::error check_restart(const child_spec& spec) {
  switch (spec.restart) {
    case restart_type::permanent:
    case restart_type::transient:
    case restart_type::temporary:
      return caf::none;
  }
  return fail(sup_errc::invalid_restart_type, "restart", "invalid restart type", spec.id);
}

caf::error check_kind(const child_spec& spec) {
  switch (spec.kind) {
    case child_kind::worker:
    case child_kind::supervisor:
      return caf::none;
  }
  return fail(sup_errc::invalid_child_type, "kind", "invalid child kind", spec.id);
}

caf::error check_shutdown(const child_spec& spec) {
  if (!spec.shutdown) return caf::none;
  switch (spec.shutdown->how) {
    case shutdown_spec::mode::timeout:
      if (spec.shutdown->timeout.count() <= 0)
        return fail(sup_errc::invalid_shutdown, "shutdown", "timeout must be positive", spec.id);
      return caf::none;
    case shutdown_spec::mode::brutal_kill:
    case shutdown_spec::mode::infinity:
      return caf::none;
  }
  return fail(sup_errc::invalid_shutdown, "shutdown", "invalid mode", spec.id);
}

caf::error check_backoff(const child_spec& spec) {
  auto& b = spec.backoff;
  auto bad = [&](const char* field, const char* what) {
    return fail(sup_errc::invalid_backoff, field, what, spec.id);
  };
  switch (b.kind) {
    case backoff_kind::exponential_full_jitter:
    case backoff_kind::exponential_decorrelated_jitter:
    case backoff_kind::linear:
    case backoff_kind::fixed:
    case backoff_kind::exponential:
      break;
    default:
      return bad("backoff.kind", "invalid kind");
  }
  if (b.initial_delay.count() < 0) return bad("backoff.initial_delay", "must be >= 0");
  if (b.max_delay < b.initial_delay)
    return bad("backoff.max_delay", "must be >= backoff.initial_delay");
  if (!(b.multiplier >= 1.0)) return bad("backoff.multiplier", "must be >= 1");
  if (!(b.jitter >= 0.0 && b.jitter <= 1.0)) return bad("backoff.jitter", "must be in [0, 1]");
  if (b.stable_after.count() < 0) return bad("backoff.stable_after", "must be >= 0");
  if (b.max_attempts != 0)
    return bad("backoff.max_attempts", "must be 0: the restart intensity bounds restarts");
  return caf::none;
}

}  // namespace

caf::error check_child_spec(const child_spec& spec) {
  if (spec.id.empty()) return make_error(sup_errc::invalid_child_id, "id: must not be empty");
  if (!spec.start) return fail(sup_errc::invalid_start, "start", "no start function", spec.id);
  if (auto err = check_restart(spec)) return err;
  if (auto err = check_kind(spec)) return err;
  if (auto err = check_shutdown(spec)) return err;
  if (spec.significant && spec.restart == restart_type::permanent)
    return fail(sup_errc::bad_combination, "significant", "a permanent child cannot be significant",
                spec.id);
  return check_backoff(spec);
}

}  // namespace wsnova
