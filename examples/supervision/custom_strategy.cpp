// Shows a user-written restart strategy OTP lacks: restart only the failed child, but
// escalate when more than half of the children are down at once. Prints what happens.

#include <iostream>
#include <map>
#include <span>
#include <string>

#include <caf/all.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/supervision/supervisor.hpp>

using namespace wsnova;
using namespace std::chrono_literals;

// --(strategy-begin)--
/// Restarts the failed child alone (after its backoff delay), unless more than half of the
/// children are down at this moment: then the supervisor gives up and its parent decides.
class majority_strategy : public restart_strategy {
 public:
  restart_plan plan(const child_exit& failed, std::span<const child_view> children) override {
    std::size_t down = 0;
    for (auto& child : children)
      if (!child.running) ++down;
    if (down * 2 > children.size())
      return restart_plan::escalate(make_error(
          errc::not_allowed,
          std::to_string(down) + " of " + std::to_string(children.size()) + " children down"));
    return restart_plan::restart_children({failed.id}, failed.next_delay);
  }
};
// --(strategy-end)--

namespace {

using crash_atom = caf::atom_constant<caf::atom("crash")>;

caf::behavior worker(caf::event_based_actor* self, std::string name) {
  return {[self, name](crash_atom) {
    self->quit(make_error(errc::invalid_argument, name + " crashed"));
  }};
}

child_spec worker_spec(const std::string& id) {
  child_spec spec;
  spec.id = id;
  spec.start = start_with([id](caf::actor_system& sys) { return sys.spawn(worker, id); });
  return spec;
}

}  // namespace

int main() {
  caf::actor_system_config cfg;
  add_supervision_message_types(cfg);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  // --(install-begin)--
  supervisor_flags flags;
  flags.strategy = strategy_kind::custom;
  flags.custom_strategy = std::make_shared<majority_strategy>();
  flags.intensity = 10;
  flags.observer = self;  // receives (child_atom, id, handle) after each change
  auto sup = spawn_supervisor(sys, flags, {worker_spec("a"), worker_spec("b"), worker_spec("c")});
  // --(install-end)--
  if (!sup) {
    std::cerr << "cannot start supervisor: " << to_string(code_of(sup.error())) << '\n';
    return 1;
  }
  self->monitor(*sup);
  std::map<std::string, caf::actor> current;
  // Waits for the notification "id is up" (or down) and prints every notification seen.
  auto await = [&](const std::string& id, bool up) {
    for (bool done = false; !done;)
      self->receive([&](child_atom, const std::string& who, const caf::actor& handle) {
        std::cout << "  " << who << (handle ? " is up" : " is down") << '\n';
        current[who] = handle;
        done = who == id && static_cast<bool>(handle) == up;
      });
  };
  for (auto id : {"a", "b", "c"}) await(id, true);
  std::cout << "b crashes: 1 of 3 down, restart b alone\n";
  self->send(current["b"], crash_atom::value);
  await("b", true);
  std::cout << "c is terminated on request, then a crashes: 2 of 3 down, escalate\n";
  self->request(*sup, caf::infinite, terminate_child_atom::value, std::string{"c"})
      .receive([](caf::ok_atom) {}, [](caf::error&) {});
  await("c", false);
  self->send(current["a"], crash_atom::value);
  for (bool down = false; !down;)
    self->receive(
        [&](const caf::down_msg& dm) {
          std::cout << "supervisor exited: " << to_string(code_of(dm.reason)) << '\n';
          down = true;
        },
        [](child_atom, const std::string& who, const caf::actor& handle) {
          std::cout << "  " << who << (handle ? " is up" : " is down") << '\n';
        });
  return 0;
}
