// Getting started, steps 2 and 3 (docs/getting-started.md): a connection owned by a typed
// actor, first on its own, then as the child of a supervisor that restarts it after a crash.
// With a ws:// or wss:// URL as argument it talks to that server (which must echo); without
// one, to the test kit's in-process echo server.

// --(owner-begin)--
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <wsnova/wsnova.hpp>

using namespace std::chrono_literals;

/// What the owner tells the application: `(echoed_atom, connection id, payload)`.
using echoed_atom = caf::atom_constant<caf::atom("echoed")>;

/// Owns connections: receives their events. A typed `connection_owner` must handle all nine
/// events, so forgetting one is a compile error rather than an event lost at run time.
/// Greets the server whenever a connection comes up and tells `app` what comes back.
wsnova::connection_owner::behavior_type greeter(wsnova::connection_owner::pointer self,
                                                caf::actor app) {
  return {
      [=](const wsnova::connected_event& ev) {
        std::cout << ev.id + ": connected\n";
        // Every event comes from the connection actor itself.
        auto conn = caf::actor_cast<wsnova::connection>(self->current_sender());
        self->request(conn, 10s, wsnova::send_atom::value,
                      wsnova::ws_message{wsnova::message_kind::text, "hello from " + ev.id})
            .then([](caf::ok_atom) {},
                  [id = ev.id](const caf::error& err) {
                    std::cout << id + ": send failed: " + wsnova::describe(err) + '\n';
                  });
      },
      [=](const wsnova::message_event& ev) {
        std::cout << ev.id + ": received " + ev.message.payload + '\n';
        caf::anon_send(app, echoed_atom::value, ev.id, ev.message.payload);
      },
      [](const wsnova::closed_event& ev) {
        std::cout << ev.id + ": closed with code " + std::to_string(ev.code) + '\n';
      },
      [](const wsnova::error_event& ev) {
        std::cout << ev.id + ": error " + wsnova::describe(ev.error) + '\n';
      },
      [](const wsnova::unsent_event& ev) {
        std::cout << ev.id + ": " + std::to_string(ev.messages.size()) + " messages not sent\n";
      },
      // Reconnects happen by themselves; these only say so.
      [](const wsnova::disconnected_event&) {},
      [](const wsnova::reconnecting_event&) {},
      [](const wsnova::reconnected_event&) {},
      [](const wsnova::ownership_event&) {},
  };
}
// --(owner-end)--

// --(alone-begin)--
/// Returns "yes" or "no". (Owners print from other threads, so each line here is written with
/// one `<<`: that keeps lines whole.)
std::string yes_no(bool x) { return x ? "yes" : "no"; }

/// Step 2: one connection owned by a greeter; the application waits for the echo and closes.
bool run_alone(caf::actor_system& system, const std::string& url) {
  caf::scoped_actor app{system};
  auto owner = system.spawn(greeter, caf::actor{app});
  wsnova::connection_config conf;
  conf.url = url;
  conf.id = "feed";
  auto conn = wsnova::spawn_connection(system, conf, owner);  // starts connecting at once
  if (!conn) {
    std::cout << "spawn_connection failed: " + wsnova::describe(conn.error()) + '\n';
    return false;
  }
  bool echoed = false;
  app->receive([&](echoed_atom, const std::string&, const std::string&) { echoed = true; },
               caf::after(10s) >> [] {});
  // The answer to close comes when the close handshake is done; the actor then exits.
  bool closed = false;
  app->request(*conn, 10s, wsnova::close_atom::value, wsnova::close_code::normal,
               std::string{"bye"})
      .receive(
          [&](caf::ok_atom) { closed = true; },
          [](const caf::error& err) { std::cout << "close: " + wsnova::describe(err) + '\n'; });
  app->send_exit(owner, caf::exit_reason::user_shutdown);
  std::cout << "step 2: echoed " + yes_no(echoed) + ", closed " + yes_no(closed) + '\n';
  return echoed && closed;
}
// --(alone-end)--

// --(supervised-begin)--
/// Step 3: the same connection as the child of a supervisor, which restarts it after a crash.
bool run_supervised(caf::actor_system& system, const std::string& url) {
  caf::scoped_actor app{system};
  auto owner = system.spawn(greeter, caf::actor{app});
  wsnova::child_spec spec;
  spec.id = "feed";
  // Restarted after a crash (an abnormal exit), not after a close asked for (a normal exit).
  spec.restart = wsnova::restart_type::transient;
  // Called for the first start and for every restart: a new connection actor each time.
  spec.start = wsnova::start_with([=](caf::actor_system& sys) {
    wsnova::connection_config conf;
    conf.url = url;
    conf.id = "feed";
    return wsnova::spawn_connection(sys, conf, owner);
  });
  wsnova::supervisor_flags flags;  // one_for_one, at most 1 restart in 5 s (OTP's defaults)
  auto sup = wsnova::spawn_supervisor(system, flags, {spec});
  if (!sup) {
    std::cout << "spawn_supervisor failed: " + wsnova::describe(sup.error()) + '\n';
    return false;
  }
  auto echoed = [&] {
    bool done = false;
    app->receive([&](echoed_atom, const std::string&, const std::string&) { done = true; },
                 caf::after(10s) >> [] {});
    return done;
  };
  auto current = [&] {
    caf::actor handle;
    app->request(*sup, 10s, wsnova::which_children_atom::value)
        .receive(
            [&](const std::vector<wsnova::child_info>& children) { handle = children[0].handle; },
            [](const caf::error&) {});
    return handle;
  };
  bool first = echoed();
  auto before = current();
  // A crash: any exit reason but normal and user_shutdown counts as abnormal.
  app->send_exit(before, wsnova::make_error(wsnova::errc::connection_lost, "simulated crash"));
  bool second = echoed();  // the new connection actor greets the server again
  auto after = current();
  std::cout << "step 3: first echo " + yes_no(first) + ", restarted as a new actor " +
                   yes_no(after && after != before) + ", echo after the restart " + yes_no(second) +
                   '\n';
  // Stopping the supervisor stops its children first (user_shutdown, then kill after 5 s).
  app->monitor(*sup);
  app->send_exit(*sup, caf::exit_reason::user_shutdown);
  app->receive([](const caf::down_msg&) {}, caf::after(10s) >> [] {});
  app->send_exit(owner, caf::exit_reason::user_shutdown);
  return first && second && after && after != before;
}
// --(supervised-end)--

#include <optional>

#include <wsnova/testing/echo_server.hpp>

int main(int argc, char** argv) {
  std::optional<wsnova::test::echo_server> server;  // the test kit's, not installed
  auto url = argc > 1 ? std::string{argv[1]} : server.emplace().url();
  caf::actor_system_config cfg;
  cfg.load<wsnova::io_module>();
  caf::actor_system system{cfg};
  bool ok = run_alone(system, url) && run_supervised(system, url);
  std::cout << (ok ? "getting started: OK\n" : "getting started: FAILED\n");
  return ok ? 0 : 1;
}
