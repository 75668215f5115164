#include <wsnova/supervision/restart_strategy.hpp>

#include <caf/exit_reason.hpp>

#include <wsnova/core/detail/enum_names.hpp>

namespace wsnova {

std::string to_string(exit_kind x) {
  return detail::enum_name<exit_kind::abnormal>(x, {"normal", "shutdown", "killed", "abnormal"},
                                                "invalid");
}

exit_kind classify_exit(const caf::error& reason) {
  // An error with code 0 is "no error"; exit_reason::normal is code 0 of its category.
  if (!reason || reason == caf::exit_reason::normal) return exit_kind::normal;
  if (reason == caf::exit_reason::user_shutdown) return exit_kind::shutdown;
  if (reason == caf::exit_reason::kill) return exit_kind::killed;
  return exit_kind::abnormal;
}

bool should_restart(restart_type type, exit_kind kind) {
  switch (type) {
    case restart_type::permanent:
      return true;
    case restart_type::temporary:
      return false;
    case restart_type::transient:
      return kind == exit_kind::killed || kind == exit_kind::abnormal;
  }
  return false;
}

std::string to_string(strategy_kind x) {
  return detail::enum_name<strategy_kind::custom>(
      x, {"one_for_one", "one_for_all", "rest_for_one", "simple_one_for_one", "custom"}, "invalid");
}

restart_plan restart_plan::restart_children(std::vector<std::string> ids,
                                            std::chrono::milliseconds delay) {
  restart_plan result;
  result.restart = std::move(ids);
  result.delay = delay;
  return result;
}

restart_plan restart_plan::escalate(caf::error reason) {
  restart_plan result;
  result.what = decision::escalate;
  result.reason = std::move(reason);
  return result;
}

restart_strategy::~restart_strategy() = default;

bool restart_strategy::needs_children() const { return true; }

namespace {

/// one_for_one and simple_one_for_one: the failed child alone. It reads no other child,
/// so a restart costs O(1) whatever the number of children.
class one_for_one final : public restart_strategy {
 public:
  restart_plan plan(const child_exit& failed, std::span<const child_view>) override {
    return restart_plan::restart_children({failed.id}, failed.next_delay);
  }
  bool needs_children() const override { return false; }
};

/// one_for_all: every child.
class one_for_all final : public restart_strategy {
 public:
  restart_plan plan(const child_exit& failed, std::span<const child_view> children) override {
    std::vector<std::string> ids;
    for (auto& child : children) ids.push_back(child.id);
    return restart_plan::restart_children(std::move(ids), failed.next_delay);
  }
};

/// rest_for_one: the failed child and every child started after it.
class rest_for_one final : public restart_strategy {
 public:
  restart_plan plan(const child_exit& failed, std::span<const child_view> children) override {
    std::vector<std::string> ids;
    for (auto i = failed.index; i < children.size(); ++i) ids.push_back(children[i].id);
    return restart_plan::restart_children(std::move(ids), failed.next_delay);
  }
};

}  // namespace

std::shared_ptr<restart_strategy> make_builtin_strategy(strategy_kind kind) {
  switch (kind) {
    case strategy_kind::one_for_one:
    case strategy_kind::simple_one_for_one:
      return std::make_shared<one_for_one>();
    case strategy_kind::one_for_all:
      return std::make_shared<one_for_all>();
    case strategy_kind::rest_for_one:
      return std::make_shared<rest_for_one>();
    case strategy_kind::custom:
      return nullptr;
  }
  return nullptr;
}

}  // namespace wsnova
