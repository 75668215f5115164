#include "real_run.hpp"

#include <map>
#include <optional>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/core/supervision_errc.hpp>
#include <wsnova/supervision/supervisor.hpp>

namespace wsnova::model {

outcome run_model(const config& cfg, const std::vector<event>& events) {
  otp_supervisor sup{cfg};
  outcome result;
  result.initial = sup.initial_entries();
  for (auto& ev : events) {
    result.replies.push_back(sup.apply(ev));
    result.marks.push_back(sup.trace().size());
  }
  result.trace = sup.trace();
  result.alive = sup.alive();
  result.exit_reason = sup.exit_reason();
  if (sup.alive()) {
    result.children = sup.children();
    result.counts = sup.counts();
  }
  return result;
}

namespace {

/// Tells a child to quit with the given reason.
using die_atom = caf::atom_constant<caf::atom("die")>;

struct test_config : caf::actor_system_config {
  test_config() {
    set("scheduler.policy", caf::atom("testing"));
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

/// State shared by the start functions (which the supervisor holds) and the driver.
struct world {
  std::vector<std::string> trace;
  std::map<std::string, std::size_t> attempts;
  /// Latest instance per child name.
  std::map<std::string, caf::actor> latest;
  /// Every child spawned, killed at the end so the system can shut down.
  std::vector<caf::actor> spawned;
  std::function<start_outcome(const std::string&, std::size_t)> start_answer;
};

caf::behavior child_actor(caf::event_based_actor* self, const std::string&) {
  return {[self](die_atom, caf::error& reason) { self->quit(std::move(reason)); }};
}

/// A start function for child `name` (for simple_one_for_one: the name is the argument).
start_function starter(std::shared_ptr<world> w, std::string name) {
  return [w, name](caf::actor_system& sys, const caf::message& args) -> start_result {
    auto full = args.match_elements<std::string>() ? args.get_as<std::string>(0) : name;
    auto attempt = ++w->attempts[full];
    auto answer = w->start_answer ? w->start_answer(full, attempt) : start_outcome::ok;
    if (answer == start_outcome::fail) {
      w->trace.push_back("fail:" + full);
      return caf::make_error(caf::sec::runtime_error, "scripted start failure");
    }
    if (answer == start_outcome::ignore) {
      w->trace.push_back("ignore:" + full);
      return start_result::ignore();
    }
    w->trace.push_back("start:" + full);
    // The name goes through spawn, not a capture: CAF 0.17's init_fun_factory dereferences
    // a null tuple pointer for argument-less function actors.
    auto hdl = sys.spawn(child_actor, full);
    hdl->attach_functor([w, full](const caf::error& reason) {
      w->trace.push_back("stop:" + full + ":" + to_string(classify_exit(reason)));
    });
    w->latest[full] = hdl;
    w->spawned.push_back(hdl);
    return start_result{hdl};
  };
}

restart_type to_real(restart x) {
  switch (x) {
    case restart::permanent:
      return restart_type::permanent;
    case restart::transient:
      return restart_type::transient;
    case restart::temporary:
      return restart_type::temporary;
  }
  return restart_type::permanent;
}

strategy_kind to_real(strategy x) {
  switch (x) {
    case strategy::one_for_one:
      return strategy_kind::one_for_one;
    case strategy::one_for_all:
      return strategy_kind::one_for_all;
    case strategy::rest_for_one:
      return strategy_kind::rest_for_one;
    case strategy::simple_one_for_one:
      return strategy_kind::simple_one_for_one;
  }
  return strategy_kind::one_for_one;
}

wsnova::auto_shutdown to_real(auto_shutdown x) {
  switch (x) {
    case auto_shutdown::never:
      return wsnova::auto_shutdown::never;
    case auto_shutdown::any_significant:
      return wsnova::auto_shutdown::any_significant;
    case auto_shutdown::all_significant:
      return wsnova::auto_shutdown::all_significant;
  }
  return wsnova::auto_shutdown::never;
}

child_spec to_real(const child_def& def, std::shared_ptr<world> w) {
  child_spec spec;
  spec.id = def.id;
  spec.start = starter(std::move(w), def.id);
  spec.restart = to_real(def.type);
  spec.shutdown = def.brutal ? shutdown_spec::brutal_kill() : shutdown_spec::after(ms{5000});
  spec.significant = def.significant;
  return spec;
}

/// A request's reply in the model's words.
std::string reply_name(const caf::error& err) {
  if (!err) return "ok";
  if (auto code = sup_code_of(err); code != sup_errc::none) return to_string(code);
  if (auto code = code_of(err); code != errc::none) return to_string(code);
  return describe(err);
}

/// The supervisor's exit reason in the model's words.
std::string exit_name(const caf::error& reason) {
  if (is(reason, sup_errc::restart_intensity)) return "restart_intensity";
  if (reason == caf::exit_reason::user_shutdown) return "shutdown";
  return "other: " + describe(reason);
}

}  // namespace

struct real_supervisor::impl {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  caf::scoped_actor self{sys, true};
  std::shared_ptr<world> w = std::make_shared<world>();
  config model_cfg;
  supervisor_actor sup;
  bool alive = false;
  std::string exit_reason;
  std::vector<std::string> problems;

  explicit impl(const config& c) : model_cfg(c) {
    // Away from time zero, as the supervision fixture does.
    sched.clock().current_time += std::chrono::hours(1);
    w->start_answer = c.start_answer;
    supervisor_flags flags;
    flags.strategy = to_real(c.how);
    flags.intensity = c.intensity;
    flags.period = c.period;
    flags.auto_shutdown = to_real(c.shutdown_mode);
    std::vector<child_spec> specs;
    if (c.how == strategy::simple_one_for_one)
      specs.push_back(to_real(c.templ, w));
    else
      for (auto& def : c.children) specs.push_back(to_real(def, w));
    auto res = spawn_supervisor(sys, std::move(flags), std::move(specs));
    if (!res) {
      problems.push_back("spawn_supervisor failed: " + describe(res.error()));
      return;
    }
    sup = *res;
    alive = true;
    self->monitor(sup);
    sched.run();
  }

  ~impl() {
    sched.run();
    if (sup) caf::anon_send_exit(sup, caf::exit_reason::kill);
    for (auto& hdl : w->spawned) caf::anon_send_exit(hdl, caf::exit_reason::kill);
    sched.run();
  }

  /// Notices the supervisor's exit (the test is its monitor).
  void check_down() {
    if (!alive) return;
    self->receive(
        [&](caf::down_msg& dm) {
          alive = false;
          exit_reason = exit_name(dm.reason);
        },
        caf::after(std::chrono::seconds(0)) >> [] { /* nop: still alive */ });
  }

  /// Sends a request, runs the system and returns the reply (or the error).
  template <class T, class... Ts>
  caf::expected<T> ask(Ts&&... xs) {
    auto rh = self->request(sup, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    caf::expected<T> result{caf::make_error(caf::sec::request_timeout, "no reply")};
    if (!self->has_next_message()) return result;
    rh.receive([&](T& x) { result = std::move(x); }, [&](caf::error& err) { result = err; });
    return result;
  }

  std::string apply(const event& ev) {
    if (!alive) return {};
    std::string reply;
    switch (ev.what) {
      case event::op::exit:
        for (auto& [name, kind] : ev.exits) {
          auto i = w->latest.find(name);
          if (i == w->latest.end()) continue;
          switch (kind) {
            case exit_kind::killed:
              caf::anon_send_exit(i->second, caf::exit_reason::kill);
              break;
            case exit_kind::normal:
              caf::anon_send(i->second, die_atom::value, caf::error{});
              break;
            case exit_kind::shutdown:
              caf::anon_send(i->second, die_atom::value,
                             caf::error{caf::exit_reason::user_shutdown});
              break;
            case exit_kind::abnormal:
              caf::anon_send(i->second, die_atom::value,
                             caf::make_error(caf::sec::runtime_error, "scripted crash"));
              break;
          }
        }
        sched.run();
        break;
      case event::op::advance:
        sched.clock().advance_time(ev.dt);
        sched.run();
        break;
      case event::op::start_child: {
        auto res = ask<caf::actor>(start_child_atom::value, caf::make_message(ev.name));
        reply = res ? "ok" : reply_name(res.error());
        break;
      }
      case event::op::terminate_child: {
        caf::expected<caf::ok_atom> res{caf::ok_atom::value};
        if (model_cfg.how == strategy::simple_one_for_one) {
          auto i = w->latest.find(ev.name);
          res = ask<caf::ok_atom>(terminate_child_atom::value,
                                  i == w->latest.end() ? caf::actor{} : i->second);
        } else {
          res = ask<caf::ok_atom>(terminate_child_atom::value, ev.name);
        }
        reply = res ? "ok" : reply_name(res.error());
        break;
      }
      case event::op::restart_child: {
        auto res = ask<caf::actor>(restart_child_atom::value, ev.name);
        reply = res ? "ok" : reply_name(res.error());
        break;
      }
      case event::op::delete_child: {
        auto res = ask<caf::ok_atom>(delete_child_atom::value, ev.name);
        reply = res ? "ok" : reply_name(res.error());
        break;
      }
      case event::op::shutdown:
        caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
        sched.run();
        break;
    }
    check_down();
    return reply;
  }
};

real_supervisor::real_supervisor(const config& cfg) : impl_(std::make_unique<impl>(cfg)) {}

real_supervisor::~real_supervisor() = default;

std::string real_supervisor::apply(const event& ev) { return impl_->apply(ev); }

const std::vector<std::string>& real_supervisor::trace() const { return impl_->w->trace; }

bool real_supervisor::started() const { return static_cast<bool>(impl_->sup); }

outcome real_supervisor::finish() {
  auto& d = *impl_;
  d.check_down();
  outcome result;
  result.trace = d.w->trace;
  result.alive = d.alive;
  result.exit_reason = d.exit_reason;
  result.problems = d.problems;
  if (!d.alive) return result;
  auto rows = d.ask<std::vector<child_info>>(which_children_atom::value);
  if (!rows) {
    result.problems.push_back("which_children failed: " + describe(rows.error()));
    return result;
  }
  auto counts = d.ask<child_counts>(count_children_atom::value);
  if (!counts)
    result.problems.push_back("count_children failed: " + describe(counts.error()));
  else
    result.counts = child_count{counts->specs, counts->active, counts->workers};
  for (auto& row : *rows) {
    bool running = row.state == child_state::running;
    result.children.push_back(child_row{row.id, running});
    // The handle which_children reports is the child's latest instance.
    auto i = d.w->latest.find(row.id);
    if (running && (i == d.w->latest.end() || i->second != row.handle))
      result.problems.push_back("which_children: '" + row.id +
                                "' runs with a handle that is not its latest instance");
    if (!running && row.handle)
      result.problems.push_back("which_children: '" + row.id + "' is " + to_string(row.state) +
                                " but has a handle");
  }
  return result;
}

}  // namespace wsnova::model
