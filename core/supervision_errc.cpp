#include <wsnova/core/supervision_errc.hpp>

#include <caf/make_message.hpp>

namespace wsnova {

std::string to_string(sup_errc code) {
  switch (code) {
    case sup_errc::none:
      return "none";
    case sup_errc::unknown_child:
      return "unknown_child";
    case sup_errc::already_started:
      return "already_started";
    case sup_errc::already_present:
      return "already_present";
    case sup_errc::start_failed:
      return "start_failed";
    case sup_errc::restart_intensity:
      return "restart_intensity";
    case sup_errc::duplicate_child_id:
      return "duplicate_child_id";
    case sup_errc::invalid_child_id:
      return "invalid_child_id";
    case sup_errc::invalid_start:
      return "invalid_start";
    case sup_errc::invalid_restart_type:
      return "invalid_restart_type";
    case sup_errc::invalid_shutdown:
      return "invalid_shutdown";
    case sup_errc::invalid_child_type:
      return "invalid_child_type";
    case sup_errc::invalid_backoff:
      return "invalid_backoff";
    case sup_errc::invalid_strategy:
      return "invalid_strategy";
    case sup_errc::invalid_period:
      return "invalid_period";
    case sup_errc::invalid_auto_shutdown:
      return "invalid_auto_shutdown";
    case sup_errc::bad_combination:
      return "bad_combination";
    case sup_errc::bad_start_spec:
      return "bad_start_spec";
  }
  return "unknown";
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
