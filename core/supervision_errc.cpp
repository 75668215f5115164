#include <wsnova/core/supervision_errc.hpp>

#include <caf/make_message.hpp>

#include <wsnova/core/detail/enum_names.hpp>

namespace wsnova {

std::string to_string(sup_errc code) {
  return detail::enum_name<sup_errc::bad_start_spec>(
      code,
      {"none", "unknown_child", "already_started", "already_present", "start_failed",
       "restart_intensity", "duplicate_child_id", "invalid_child_id", "invalid_start",
       "invalid_restart_type", "invalid_shutdown", "invalid_child_type", "invalid_backoff",
       "invalid_strategy", "invalid_period", "invalid_auto_shutdown", "bad_combination",
       "bad_start_spec"},
      "unknown");
}

caf::error make_error(sup_errc code, std::string detail) {
  if (detail.empty())
    return caf::error{static_cast<std::uint8_t>(code), sup_error_category_atom::value};
  return caf::error{static_cast<std::uint8_t>(code), sup_error_category_atom::value,
                    caf::make_message(std::move(detail))};
}

sup_errc sup_code_of(const caf::error& err) {
  if (!err || err.category() != sup_error_category_atom::value) return sup_errc::none;
  return static_cast<sup_errc>(err.code());
}

bool is(const caf::error& err, sup_errc code) {
  return code != sup_errc::none && sup_code_of(err) == code;
}

}  // namespace wsnova
