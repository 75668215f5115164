// Shows a supervised pool of N connections (one_for_one) addressed by stable ids through a
// registry: one connection crashes, only it restarts, and its id resolves to the new actor.

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/actors/registry.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/supervision/supervisor.hpp>

#include "common.hpp"

using namespace wsnova;

namespace {

constexpr int pool_size = 4;

std::string pool_id(int n) { return "pool-" + std::to_string(n); }

}  // namespace

int main(int argc, char** argv) {
  return topo::run(argc, argv, "supervised pool", [](topo::context& ctx) {
    auto& sys = ctx.sys;
    auto& self = ctx.self;  // the application: owner of every connection
    auto registry = spawn_registry(sys);
    auto fail = [&](const std::string& what) {
      std::cout << "FAILED: " << what << '\n';
      return false;
    };

    // One configuration for the whole pool, shared rather than copied per connection.
    auto conf = std::make_shared<connection_config>();
    conf->url = ctx.url;
    conf->registry = registry;  // each connection binds its id on start
    // One child per connection; each restart spawns a fresh actor under the same id.
    std::vector<child_spec> specs;
    for (int n = 0; n < pool_size; ++n) {
      child_spec spec;
      spec.id = pool_id(n);
      spec.start = start_with([&, conf, id = pool_id(n)](caf::actor_system& sys) {
        return spawn_connection(sys, conf, wsnova::unchecked_owner(self), id);
      });
      specs.push_back(std::move(spec));
    }
    supervisor_flags flags;  // one_for_one
    flags.intensity = 3;
    auto sup = spawn_supervisor(sys, flags, specs);
    if (!sup) {
      std::cout << "FAILED: cannot start the pool: " << describe(sup.error()) << '\n';
      return false;
    }

    // Helpers: wait for one event kind; send through the registry; ask the supervisor.
    auto await_connected = [&](int count) {
      for (int seen = 0; seen < count;) {
        bool timeout = false;
        self->receive(
            [&](connected_event& ev) {
              std::cout << "  " << ev.id << " connected\n";
              ++seen;
            },
            caf::after(topo::patience) >> [&] { timeout = true; });
        if (timeout) return fail("connections did not come up");
      }
      return true;
    };
    auto lookup = [&](const std::string& id) {
      caf::actor result;
      self->request(registry, topo::patience, lookup_atom::value, id)
          .receive([&](caf::actor& x) { result = x; }, [](caf::error&) {});
      return result;
    };
    auto echo_via_id = [&](const std::string& id) {
      auto conn = caf::actor_cast<connection>(lookup(id));
      if (!conn) return fail(id + " is not registered");
      self->send(conn, send_atom::value, ws_message{message_kind::text, "hello from " + id});
      for (;;) {
        bool timeout = false;
        bool done = false;
        self->receive(
            [&](message_event& ev) {
              if (ev.id != id) return;
              std::cout << "  " << id << " echoed: " << ev.message.payload << '\n';
              done = true;
            },
            [](caf::ok_atom) {}, caf::after(topo::patience) >> [&] { timeout = true; });
        if (done) return true;
        if (timeout) return fail("no echo on " + id);
      }
    };
    auto children = [&] {
      std::vector<child_info> result;
      self->request(*sup, topo::patience, which_children_atom::value)
          .receive([&](std::vector<child_info>& xs) { result = std::move(xs); },
                   [](caf::error&) {});
      return result;
    };

    bool ok = [&] {
      std::cout << "starting a pool of " << pool_size << " supervised connections\n";
      if (!await_connected(pool_size)) return false;
      for (int n = 0; n < pool_size; ++n)
        if (!echo_via_id(pool_id(n))) return false;
      auto before = children();
      auto victim = before[2].handle;
      std::cout << "pool-2 crashes (abnormal exit)\n";
      self->send_exit(victim, make_error(errc::connection_lost, "simulated crash"));
      if (!await_connected(1)) return false;
      auto after = children();
      int untouched = 0;
      for (int n = 0; n < pool_size; ++n)
        if (n != 2 && after[n].handle == before[n].handle) ++untouched;
      std::cout << "pool-2 restarted as a new actor: " << std::boolalpha
                << (after[2].handle && after[2].handle != victim) << '\n';
      std::cout << "others untouched: " << untouched << " of " << pool_size - 1 << '\n';
      // The registry may still hold the old binding for a moment; wait for the new one.
      auto until = std::chrono::steady_clock::now() + topo::patience;
      while (lookup("pool-2") != after[2].handle && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
      std::cout << "id pool-2 resolves to the new actor: " << (lookup("pool-2") == after[2].handle)
                << '\n';
      return echo_via_id("pool-2") && untouched == pool_size - 1;
    }();

    topo::stop(self, caf::actor_cast<caf::actor>(*sup));
    self->send_exit(registry, caf::exit_reason::user_shutdown);
    std::cout << "pool stopped\n";
    return ok;
  });
}
