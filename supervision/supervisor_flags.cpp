#include <wsnova/supervision/supervisor_flags.hpp>

#include <set>

#include <wsnova/transport/error.hpp>

namespace wsnova {

caf::error check_flags(const supervisor_flags& flags) {
  switch (flags.strategy) {
    case strategy_kind::one_for_one:
    case strategy_kind::one_for_all:
    case strategy_kind::rest_for_one:
    case strategy_kind::simple_one_for_one:
      if (flags.custom_strategy)
        return make_error(errc::invalid_spec,
                          "custom_strategy: set, but strategy is " + to_string(flags.strategy));
      break;
    case strategy_kind::custom:
      if (!flags.custom_strategy)
        return make_error(errc::invalid_spec, "custom_strategy: required by strategy custom");
      break;
    default:
      return make_error(errc::invalid_spec, "strategy: invalid value");
  }
  if (flags.period.count() <= 0) return make_error(errc::invalid_spec, "period: must be positive");
  return caf::none;
}

caf::error check_supervisor(const supervisor_flags& flags, const std::vector<child_spec>& specs) {
  if (auto err = check_flags(flags)) return err;
  if (flags.strategy == strategy_kind::simple_one_for_one && specs.size() != 1)
    return make_error(errc::invalid_spec,
                      "children: simple_one_for_one needs exactly one child spec, got "
                        + std::to_string(specs.size()));
  std::set<std::string> ids;
  for (auto& spec : specs) {
    if (auto err = check_child_spec(spec)) return err;
    if (!ids.insert(spec.id).second)
      return make_error(errc::invalid_spec, "id: duplicate child id '" + spec.id + "'");
  }
  return caf::none;
}

}  // namespace wsnova
