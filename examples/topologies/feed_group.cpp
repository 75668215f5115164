// Shows a one_for_all feed group: three market-data feeds that must stay consistent with
// each other, so when one crashes the supervisor restarts all three and they reconnect.

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/supervision/supervisor.hpp>

#include "common.hpp"

using namespace wsnova;

int main(int argc, char** argv) {
  return topo::run(argc, argv, "feed group", [](topo::context& ctx) {
    auto& sys = ctx.sys;
    auto& self = ctx.self;  // owner of the feeds and observer of the supervisor
    const std::vector<std::string> feeds{"trades", "quotes", "book"};
    std::vector<child_spec> specs;
    for (auto& id : feeds) {
      child_spec spec;
      spec.id = id;
      spec.start = start_with([&, id](caf::actor_system& sys) {
        connection_config conf;
        conf.url = ctx.url;
        conf.id = id;
        return spawn_connection(sys, conf, wsnova::unchecked_owner(self));
      });
      specs.push_back(std::move(spec));
    }
    supervisor_flags flags;
    flags.strategy = strategy_kind::one_for_all;
    flags.intensity = 3;
    flags.observer = self;  // (child_atom, id, handle) after every start and stop
    auto sup = spawn_supervisor(sys, flags, specs);
    if (!sup) {
      std::cout << "FAILED: " << describe(sup.error()) << '\n';
      return false;
    }

    std::map<std::string, caf::actor> current;
    // Prints supervisor notifications and connection events until every feed is connected
    // (`want_up` notifications and `want_connected` connected events).
    auto run_until = [&](std::size_t want_up, std::size_t want_connected) {
      std::size_t up = 0, connected = 0;
      while (up < want_up || connected < want_connected) {
        bool timeout = false;
        self->receive(
            [&](child_atom, const std::string& id, const caf::actor& handle) {
              std::cout << "  supervisor: " << id << (handle ? " started" : " stopped") << '\n';
              current[id] = handle;
              if (handle) ++up;
            },
            [&](connected_event& ev) {
              std::cout << "  " << ev.id << " connected\n";
              ++connected;
            },
            caf::after(topo::patience) >> [&] { timeout = true; });
        if (timeout) return false;
      }
      return true;
    };

    bool ok = [&] {
      std::cout << "starting the feed group (one_for_all)\n";
      if (!run_until(feeds.size(), feeds.size())) return false;
      auto before = current;
      std::cout << "quotes crashes\n";
      self->send_exit(current["quotes"], make_error(errc::protocol_violation, "bad snapshot"));
      if (!run_until(feeds.size(), feeds.size())) return false;
      std::size_t replaced = 0;
      for (auto& id : feeds)
        if (current[id] && current[id] != before[id]) ++replaced;
      std::cout << "feeds restarted: " << replaced << " of " << feeds.size() << '\n';
      return replaced == feeds.size();
    }();

    topo::stop(self, caf::actor_cast<caf::actor>(*sup));
    return ok;
  });
}
