#pragma once

// Deterministic test fixture for supervision tests: an actor system on CAF's
// test_coordinator (no threads, virtual clock), a scripted child actor that misbehaves on
// request, and helpers to ask a supervisor and read its replies.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/core/supervision_errc.hpp>
#include <wsnova/supervision/supervisor.hpp>

namespace wsnova::test {

using namespace std::chrono_literals;

/// Tells a scripted child to quit with the given reason.
using die_atom = caf::atom_constant<caf::atom("die")>;

/// How a scripted child behaves.
struct script {
  /// Ignore exit messages (so `user_shutdown` is not obeyed; only `kill` works).
  bool ignore_shutdown = false;
  /// Fail this many start attempts before succeeding.
  int fail_starts = 0;
  /// Answer `start_result::ignore()` to this many start attempts (after the failures).
  int ignore_starts = 0;
};

struct test_config : caf::actor_system_config {
  test_config() {
    set("scheduler.policy", caf::atom("testing"));
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
    add_supervision_message_types(*this);
  }
};

/// Renders any error, wsnova and supervision categories included.
inline std::string show(const caf::error& err) { return describe(err); }

/// The supervision code of a reply, `sup_errc::none` when it succeeded or failed otherwise.
template <class T>
sup_errc sup_code(const caf::expected<T>& res) {
  return res ? sup_errc::none : sup_code_of(res.error());
}

/// One actor system on the test coordinator per test case.
struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());

  /// Events in order: "start:<id>", "stop:<id>:<exit kind>", "fail:<id>".
  std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();
  /// Latest instance per scripted child name.
  std::shared_ptr<std::map<std::string, caf::actor>> latest =
      std::make_shared<std::map<std::string, caf::actor>>();
  /// Scripts by child name (shared with the start functions).
  std::shared_ptr<std::map<std::string, script>> scripts =
      std::make_shared<std::map<std::string, script>>();
  /// Everything spawned, killed at the end so the system can shut down.
  std::shared_ptr<std::vector<caf::actor>> spawned = std::make_shared<std::vector<caf::actor>>();

  fixture() { sched.clock().current_time += std::chrono::hours(1); }

  ~fixture() {
    run();
    for (auto& hdl : *spawned) caf::anon_send_exit(hdl, caf::exit_reason::kill);
    run();
  }

  void run() { sched.run(); }

  void advance(caf::timespan d) {
    sched.clock().advance_time(d);
    run();
  }

  /// Spawns a scripted child named `name` (outside any supervisor).
  caf::actor spawn_scripted(const std::string& name) {
    auto log_ = log;
    bool ignore = (*scripts)[name].ignore_shutdown;
    // Arguments go through spawn, not captures: CAF 0.17's init_fun_factory dereferences a
    // null tuple pointer for argument-less function actors (UBSan flags it).
    // Logged here, in the caller (the supervisor's start function), so "start:" entries
    // keep their order with the "fail:" and "ignore:" entries of other start attempts.
    log_->push_back("start:" + name);
    auto fn = [](caf::event_based_actor* child, std::string name,
                 std::shared_ptr<std::vector<std::string>> log_, bool ignore) -> caf::behavior {
      if (ignore) child->set_exit_handler([](caf::exit_msg&) { /* nop: ignore */ });
      child->attach_functor([name, log_](const caf::error& reason) {
        log_->push_back("stop:" + name + ":" + to_string(classify_exit(reason)));
      });
      return {
          [child](die_atom, caf::error& reason) { child->quit(reason); },
          [](const std::string& ping) { return ping; },
      };
    };
    auto hdl = sys.spawn(fn, name, log_, ignore);
    (*latest)[name] = hdl;
    spawned->push_back(hdl);
    return hdl;
  }

  /// A start function spawning a scripted child named `name` (or `name` + the first
  /// string argument, for simple_one_for_one), honouring `script::fail_starts` and
  /// `script::ignore_starts` (logged as "fail:<name>" and "ignore:<name>").
  start_function scripted_start(const std::string& name) {
    return [this, name](caf::actor_system&, const caf::message& args) -> start_result {
      auto full = name;
      if (args.match_elements<std::string>()) full += ":" + args.get_as<std::string>(0);
      auto& s = (*scripts)[full];
      if (s.fail_starts > 0) {
        --s.fail_starts;
        log->push_back("fail:" + full);
        return make_error(errc::invalid_argument, "scripted start failure");
      }
      if (s.ignore_starts > 0) {
        --s.ignore_starts;
        log->push_back("ignore:" + full);
        return start_result::ignore();
      }
      return spawn_scripted(full);
    };
  }

  /// A worker spec for a scripted child.
  child_spec worker(const std::string& id, restart_type rt = restart_type::permanent) {
    child_spec spec;
    spec.id = id;
    spec.start = scripted_start(id);
    spec.restart = rt;
    return spec;
  }

  /// Spawns a supervisor, failing the test on error.
  supervisor_actor supervisor(supervisor_flags flags, std::vector<child_spec> specs) {
    auto res = spawn_supervisor(sys, std::move(flags), std::move(specs));
    if (!res) BOOST_FAIL("spawn_supervisor failed: " << show(res.error()));
    spawned->push_back(caf::actor_cast<caf::actor>(*res));
    run();
    return *res;
  }

  /// Sends a request, runs the system and returns the reply (or the error). Fails the test
  /// instead of blocking when no reply arrived.
  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(const Handle& dest, Ts&&... xs) {
    auto rh = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    run();
    caf::expected<T> result{make_error(errc::timeout, "no reply")};
    if (!self->has_next_message()) return result;
    rh.receive([&](T& x) { result = std::move(x); }, [&](caf::error& err) { result = err; });
    return result;
  }

  /// Like ask, but leaves the request pending: returns a function that collects the reply
  /// later (or "no reply" while there is none).
  template <class T, class Handle, class... Ts>
  auto ask_later(const Handle& dest, Ts&&... xs) {
    auto rh = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    run();
    return [this, rh]() mutable -> caf::expected<T> {
      caf::expected<T> result{make_error(errc::timeout, "no reply")};
      if (!self->has_next_message()) return result;
      rh.receive([&](T& x) { result = std::move(x); }, [&](caf::error& err) { result = err; });
      return result;
    };
  }

  std::vector<child_info> which(const supervisor_actor& sup) {
    auto res = ask<std::vector<child_info>>(sup, which_children_atom::value);
    if (!res) BOOST_FAIL("which_children failed: " << show(res.error()));
    return *res;
  }

  std::vector<std::string> ids(const supervisor_actor& sup) {
    std::vector<std::string> result;
    for (auto& c : which(sup)) result.push_back(c.id);
    return result;
  }

  /// The row `sup` reports for child `id`, if any.
  std::optional<child_info> info_of(const supervisor_actor& sup, const std::string& id) {
    for (auto& c : which(sup))
      if (c.id == id) return c;
    return std::nullopt;
  }

  /// `count_children`, failing the test on error.
  child_counts counts(const supervisor_actor& sup) {
    auto res = ask<child_counts>(sup, count_children_atom::value);
    if (!res) BOOST_FAIL("count_children failed: " << show(res.error()));
    return *res;
  }

  /// The handle `sup` reports for child `id` (invalid when stopped or absent).
  caf::actor handle_of(const supervisor_actor& sup, const std::string& id) {
    for (auto& c : which(sup))
      if (c.id == id) return c.handle;
    return {};
  }

  /// Makes child `name` quit with `reason`: kill through an exit message, anything else by
  /// the child's own quit.
  void make_exit(const caf::actor& child, const caf::error& reason) {
    if (reason == caf::exit_reason::kill)
      caf::anon_send_exit(child, caf::exit_reason::kill);
    else
      caf::anon_send(child, die_atom::value, reason);
    run();
  }

  /// Number of "start:<name>" entries in the log.
  std::size_t starts(const std::string& name) const {
    return std::count(log->begin(), log->end(), "start:" + name);
  }

  /// The log entries starting with `prefix`, in order.
  std::vector<std::string> entries(const std::string& prefix) const {
    std::vector<std::string> result;
    for (auto& e : *log)
      if (e.rfind(prefix, 0) == 0) result.push_back(e);
    return result;
  }

  /// Monitors `hdl` from the test and returns a function reporting its exit reason once
  /// the down message arrived.
  template <class Handle>
  auto watch(const Handle& hdl) {
    self->monitor(hdl);
    return [this]() -> std::optional<caf::error> {
      std::optional<caf::error> result;
      self->receive([&](caf::down_msg& dm) { result = dm.reason; },
                    caf::after(std::chrono::seconds(0)) >> [] { /* nop: not down yet */ });
      return result;
    };
  }
};

/// Flags with strategy `s`, a generous intensity (tests about intensity pass their own),
/// and `auto_shutdown` `as`.
inline supervisor_flags flags_of(strategy_kind s, std::size_t intensity = 10,
                                 auto_shutdown as = auto_shutdown::never) {
  supervisor_flags f;
  f.strategy = s;
  f.intensity = intensity;
  f.auto_shutdown = as;
  return f;
}

/// A scripted failure reason ("abnormal").
inline caf::error crash() { return make_error(errc::invalid_argument, "scripted crash"); }

}  // namespace wsnova::test
