#include <wsnova/behaviors/logging_behavior.hpp>

#include <chrono>
#include <iomanip>

#include <wsnova/core/detail/enum_names.hpp>

namespace wsnova {

const char* to_string(log_level level) {
  return detail::enum_name<log_level::off>(level, {"debug", "info", "warning", "error", "off"},
                                           "unknown");
}

void write_log_line(std::ostream& out, const log_event& event) {
  out << "wsnova " << to_string(event.level) << ' ' << event.event
      << " conn=" << event.connection_id;
  if (!event.state.empty()) out << " state=" << event.state;
  if (!event.url.empty()) out << " url=" << event.url;
  if (event.code != 0) out << " code=" << event.code;
  if (event.duration.count() != 0)
    out << " duration_ms=" << std::fixed << std::setprecision(3)
        << std::chrono::duration<double, std::milli>{event.duration}.count();
  if (!event.detail.empty()) out << " detail=" << std::quoted(event.detail);
  out << '\n';
}

}  // namespace wsnova
