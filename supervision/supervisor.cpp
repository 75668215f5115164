// The supervisor actor: its behaviour (OTP's init and the message dispatch), and the
// public functions that spawn it. The work is in detail/: child_table (the children),
// restart_window (intensity), work_queue, shutdown, restarts and requests.
#include <wsnova/supervision/supervisor.hpp>

#include <caf/actor_cast.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <wsnova/core/detail/enum_names.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/core/supervision_errc.hpp>
#include <wsnova/supervision/detail/requests.hpp>
#include <wsnova/supervision/detail/supervisor_state.hpp>

namespace wsnova {

using detail::self_ptr;
using detail::supervisor_impl;

std::string to_string(child_state x) {
  return detail::enum_name<child_state::restarting>(x, {"undefined", "running", "restarting"},
                                                    "invalid");
}

namespace {

/// A child started by `spawn_supervisor` before the supervisor existed.
struct initial_child {
  child_spec spec;
  start_result started;
};

supervisor_impl::behavior_type supervisor_behavior(self_ptr self, supervisor_flags flags,
                                                   std::shared_ptr<restart_strategy> strategy,
                                                   std::vector<initial_child> initial) {
  auto& st = self->state;
  st.flags = std::move(flags);
  st.strategy = std::move(strategy);
  st.restarts = detail::restart_window{st.flags.intensity, st.flags.period};
  if (st.flags.strategy == strategy_kind::simple_one_for_one) {
    st.template_spec = with_defaults(initial.front().spec);
  } else {
    for (auto& child : initial) {
      auto& rec = st.children.save_child(detail::make_record(self, child.spec));
      if (child.started.started()) detail::set_running(self, rec, child.started.handle());
    }
  }
  self->attach_functor([live = st.children.live()](const caf::error&) {
    // Only non-empty if the supervisor died without stopping its children (killed).
    for (auto& [seq, child] : *live) caf::anon_send_exit(child, caf::exit_reason::kill);
  });
  self->set_down_handler([self](const caf::down_msg& msg) { detail::on_down(self, msg); });
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    if (msg.reason) detail::shutdown(self, msg.reason);
  });
  return {
      [self](start_child_atom, child_spec& spec) {
        return detail::start_child(self, std::move(spec));
      },
      [self](start_child_atom, caf::message& args) {
        return detail::start_child(self, std::move(args));
      },
      [self](terminate_child_atom, std::string& id) {
        return detail::terminate_child(self, std::move(id));
      },
      [self](terminate_child_atom, caf::actor& handle) {
        return detail::terminate_child(self, std::move(handle));
      },
      [self](restart_child_atom, std::string& id) {
        return detail::restart_child(self, std::move(id));
      },
      [self](delete_child_atom, std::string& id) {
        return detail::delete_child(self, std::move(id));
      },
      [self](which_children_atom) { return detail::which_children(self); },
      [self](count_children_atom) { return detail::count_children(self); },
      [self](get_childspec_atom, std::string& id) {
        return detail::get_childspec(self, std::move(id));
      },
      [self](get_childspec_atom, caf::actor& handle) {
        return detail::get_childspec(self, std::move(handle));
      },
      [self](adopt_atom, caf::actor& handle, child_spec& spec) {
        return detail::adopt(self, std::move(handle), std::move(spec));
      },
      [self](release_atom, std::string& id) { return detail::release(self, std::move(id)); },
      [self](detail::shutdown_timer_atom, const std::string& id, std::uint64_t token) {
        detail::on_shutdown_timer(self, id, token);
      },
      [self](detail::retry_atom, std::uint64_t plan) { detail::on_retry(self, plan); },
  };
}

}  // namespace

// -- public functions ------------------------------------------------------------

caf::expected<supervisor_actor> spawn_supervisor(caf::actor_system& sys, supervisor_flags flags,
                                                 std::vector<child_spec> specs) {
  if (auto err = check_supervisor(flags, specs)) return err;
  auto strategy = flags.strategy == strategy_kind::custom ? flags.custom_strategy
                                                          : make_builtin_strategy(flags.strategy);
  std::vector<initial_child> initial;
  if (flags.strategy == strategy_kind::simple_one_for_one) {
    initial.push_back({specs.front(), {}});
  } else {
    for (auto& spec : specs) {
      auto res = detail::call_start(sys, spec, caf::message{});
      if (!res.started() && !res.ignored()) {
        for (auto i = initial.rbegin(); i != initial.rend(); ++i)
          if (i->started.started())
            caf::anon_send_exit(i->started.handle(), caf::exit_reason::user_shutdown);
        return res.error();
      }
      // OTP's start_children: an ignored temporary child is dropped, others kept undefined.
      if (res.ignored() && spec.restart == restart_type::temporary) continue;
      initial.push_back({spec, std::move(res)});
    }
  }
  auto hdl =
      sys.spawn(supervisor_behavior, std::move(flags), std::move(strategy), std::move(initial));
  return caf::actor_cast<supervisor_actor>(hdl);
}

start_function supervisor_starter(supervisor_flags flags, std::vector<child_spec> specs) {
  return [flags = std::move(flags), specs = std::move(specs)](caf::actor_system& sys,
                                                              const caf::message&) {
    auto res = spawn_supervisor(sys, flags, specs);
    if (!res) return start_result{res.error()};
    return start_result{caf::actor_cast<caf::actor>(*res)};
  };
}

void add_supervision_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<child_info>("wsnova::child_info");
  cfg.add_message_type<child_counts>("wsnova::child_counts");
  cfg.add_message_type<child_spec>("wsnova::child_spec");
  cfg.add_message_type<std::vector<child_info>>("std::vector<wsnova::child_info>");
  cfg.add_error_category(sup_error_category_atom::value, [](std::uint8_t code, caf::atom_value,
                                                            const caf::message& context) {
    return describe(caf::error{code, sup_error_category_atom::value, context});
  });
}

}  // namespace wsnova
