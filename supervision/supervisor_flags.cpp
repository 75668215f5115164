#include <wsnova/supervision/supervisor_flags.hpp>

#include <set>

#include <wsnova/core/detail/enum_names.hpp>
#include <wsnova/core/supervision_errc.hpp>

namespace wsnova {

std::string to_string(auto_shutdown x) {
  return detail::enum_name<auto_shutdown::all_significant>(
      x, {"never", "any_significant", "all_significant"}, "invalid");
}

caf::error check_flags(const supervisor_flags& flags) {
  switch (flags.strategy) {
    case strategy_kind::one_for_one:
    case strategy_kind::one_for_all:
    case strategy_kind::rest_for_one:
    case strategy_kind::simple_one_for_one:
      if (flags.custom_strategy)
        return make_error(sup_errc::bad_combination,
                          "custom_strategy: set, but strategy is " + to_string(flags.strategy));
      break;
    case strategy_kind::custom:
      if (!flags.custom_strategy)
        return make_error(sup_errc::invalid_strategy,
                          "custom_strategy: required by strategy custom");
      break;
    default:
      return make_error(sup_errc::invalid_strategy, "strategy: invalid value");
  }
  if (flags.period.count() <= 0)
    return make_error(sup_errc::invalid_period, "period: must be positive");
  switch (flags.auto_shutdown) {
    case auto_shutdown::never:
    case auto_shutdown::any_significant:
    case auto_shutdown::all_significant:
      break;
    default:
      return make_error(sup_errc::invalid_auto_shutdown, "auto_shutdown: invalid value");
  }
  return caf::none;
}

caf::error check_child_spec(const child_spec& spec, const supervisor_flags& flags) {
  if (auto err = check_child_spec(spec)) return err;
  // OTP's validSignificant: significant needs an auto_shutdown other than never.
  if (spec.significant && flags.auto_shutdown == auto_shutdown::never)
    return make_error(
        sup_errc::bad_combination,
        "significant: needs auto_shutdown other than never (child '" + spec.id + "')");
  return caf::none;
}

caf::error check_supervisor(const supervisor_flags& flags, const std::vector<child_spec>& specs) {
  if (auto err = check_flags(flags)) return err;
  if (flags.strategy == strategy_kind::simple_one_for_one && specs.size() != 1)
    return make_error(sup_errc::bad_start_spec,
                      "children: simple_one_for_one needs exactly one child spec, got " +
                          std::to_string(specs.size()));
  std::set<std::string> ids;
  for (auto& spec : specs) {
    if (auto err = check_child_spec(spec, flags)) return err;
    if (!ids.insert(spec.id).second)
      return make_error(sup_errc::duplicate_child_id, "id: duplicate child id '" + spec.id + "'");
  }
  return caf::none;
}

}  // namespace wsnova
