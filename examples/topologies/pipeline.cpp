// Shows a rest_for_one pipeline: connection -> parser -> aggregator. A crash restarts the
// crashed stage and every stage after it; the stages before it keep running untouched.

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/behaviors/message_behavior.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/supervision/supervisor.hpp>

#include "common.hpp"

using namespace wsnova;

namespace {

using number_atom = caf::atom_constant<caf::atom("number")>;
using totals_atom = caf::atom_constant<caf::atom("totals")>;

/// Current handle of each stage, kept up to date by the supervisor's on_child_change
/// callback; read by the stages to find the next one (like a registry, in-process).
struct wiring {
  std::mutex mtx;
  std::map<std::string, caf::actor> stages;

  void set(const std::string& id, const caf::actor& handle) {
    std::lock_guard<std::mutex> guard{mtx};
    stages[id] = handle;
  }
  caf::actor get(const std::string& id) {
    std::lock_guard<std::mutex> guard{mtx};
    return stages[id];
  }
};

/// Runs inside the connection actor: hands every received message to the current parser
/// instead of the owner (no extra hop through the owner).
message_behavior::local to_parser(std::shared_ptr<wiring> w) {
  return message_behavior::local{}.on(handle_msg_atom::value,
                                      [w](handler_context&, ws_message& message) {
                                        if (auto parser = w->get("parser"))
                                          caf::anon_send(parser, std::move(message.payload));
                                        return directive::ignore();
                                      });
}

/// Parses text numbers and passes them on to the current aggregator.
caf::behavior parser(caf::event_based_actor* self, std::shared_ptr<wiring> w) {
  return {[=](const std::string& text) {
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{}) return;  // not a number: dropped
    if (auto aggregator = w->get("aggregator")) self->send(aggregator, number_atom::value, value);
  }};
}

/// Counts and sums the numbers since it started.
caf::behavior aggregator(caf::event_based_actor* self) {
  auto count = std::make_shared<std::int64_t>(0);
  auto sum = std::make_shared<std::int64_t>(0);
  return {
      [=](number_atom, std::int64_t value) {
        ++*count;
        *sum += value;
      },
      [=](totals_atom) { return caf::make_message(*count, *sum); },
  };
}

}  // namespace

int main(int argc, char** argv) {
  return topo::run(argc, argv, "pipeline", [](topo::context& ctx) {
    auto& sys = ctx.sys;
    auto& self = ctx.self;
    auto w = std::make_shared<wiring>();

    child_spec conn_spec;
    conn_spec.id = "connection";
    conn_spec.start = start_with([&](caf::actor_system& sys) {
      connection_config conf;
      conf.url = ctx.url;
      conf.id = "connection";
      conf.behaviors.message = to_parser(w);
      return spawn_connection(sys, conf, wsnova::unchecked_owner(self));
    });
    child_spec parser_spec;
    parser_spec.id = "parser";
    parser_spec.start = start_with([w](caf::actor_system& sys) { return sys.spawn(parser, w); });
    child_spec aggregator_spec;
    aggregator_spec.id = "aggregator";
    aggregator_spec.start =
        start_with([](caf::actor_system& sys) { return sys.spawn(aggregator); });

    supervisor_flags flags;
    flags.strategy = strategy_kind::rest_for_one;
    flags.intensity = 3;
    flags.on_child_change = [w](const std::string& id, const caf::actor& handle) {
      w->set(id, handle);
    };
    auto sup = spawn_supervisor(sys, flags, {conn_spec, parser_spec, aggregator_spec});
    if (!sup) {
      std::cout << "FAILED: " << describe(sup.error()) << '\n';
      return false;
    }

    auto connected = [&] {
      caf::error err;
      self->request(caf::actor_cast<connection>(w->get("connection")), topo::patience,
                    connect_atom::value)
          .receive([](caf::ok_atom) {}, [&](caf::error& e) { err = e; });
      return !err;
    };
    // Sends 1..n through the connection; the echoes flow through parser and aggregator.
    auto feed = [&](int n) {
      auto conn = caf::actor_cast<connection>(w->get("connection"));
      for (int i = 1; i <= n; ++i)
        self->send(conn, send_atom::value, ws_message{message_kind::text, std::to_string(i)});
    };
    auto totals = [&] {
      std::pair<std::int64_t, std::int64_t> result{-1, -1};
      self->request(w->get("aggregator"), topo::patience, totals_atom::value)
          .receive(
              [&](std::int64_t c, std::int64_t s) {
                result = {c, s};
              },
              [](caf::error&) {});
      return result;
    };
    auto await_totals = [&](std::int64_t count) {
      auto until = std::chrono::steady_clock::now() + topo::patience;
      auto t = totals();
      while (t.first != count && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
        t = totals();
      }
      std::cout << "  aggregator: " << t.first << " numbers, sum " << t.second << '\n';
      return t.first == count;
    };
    auto snapshot = [&] {
      std::lock_guard<std::mutex> guard{w->mtx};
      return w->stages;
    };
    auto report = [&](const std::map<std::string, caf::actor>& before, const std::string& crashed) {
      // Wait until every stage runs again, then say which ones are new actors.
      auto until = std::chrono::steady_clock::now() + topo::patience;
      for (;;) {
        auto now = snapshot();
        bool all_up = now["connection"] && now["parser"] && now["aggregator"] &&
                      now[crashed] != before.at(crashed);
        if (all_up || std::chrono::steady_clock::now() >= until) break;
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
      }
      auto now = snapshot();
      for (auto id : {"connection", "parser", "aggregator"})
        std::cout << "  " << id << ": " << (now[id] == before.at(id) ? "kept" : "restarted")
                  << '\n';
    };
    // Drains pending events of the application (connected, ok replies).
    auto drain = [&] {
      for (bool more = true; more;)
        self->receive([](connected_event&) {}, [](caf::ok_atom) {},
                      caf::after(std::chrono::milliseconds{0}) >> [&] { more = false; });
    };

    bool ok = [&] {
      std::cout << "pipeline (rest_for_one): connection -> parser -> aggregator\n";
      // The supervisor reports its initial children once it runs: wait for the wiring.
      auto until = std::chrono::steady_clock::now() + topo::patience;
      while (!(w->get("connection") && w->get("parser") && w->get("aggregator"))) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
      }
      if (!connected()) return false;
      feed(100);
      if (!await_totals(100)) return false;

      std::cout << "parser crashes\n";
      auto before = snapshot();
      self->send_exit(before["parser"], make_error(errc::invalid_argument, "parser bug"));
      report(before, "parser");
      if (!connected()) return false;
      feed(10);
      if (!await_totals(10)) return false;  // a fresh aggregator: counts from zero

      std::cout << "aggregator crashes\n";
      before = snapshot();
      self->send_exit(before["aggregator"], make_error(errc::invalid_argument, "overflow"));
      report(before, "aggregator");

      std::cout << "connection crashes\n";
      before = snapshot();
      self->send_exit(before["connection"], make_error(errc::connection_lost, "reset"));
      report(before, "connection");
      if (!connected()) return false;
      feed(20);
      return await_totals(20);
    }();
    drain();

    topo::stop(self, caf::actor_cast<caf::actor>(*sup));
    return ok;
  });
}
