#pragma once

// Shared fixture of the integration suites: a real actor system (worker threads), an
// io_pool, an in-process echo server on 127.0.0.1, a registry and helpers to drive
// supervisors of connection actors from the test thread. Every actor the fixture spawns is
// stopped in the destructor, before the actor system waits for its actors.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/actors/io_module.hpp>
#include <wsnova/actors/registry.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/supervision/supervisor.hpp>
#include <wsnova/testing/echo_server.hpp>

namespace wsnova::itest {

using namespace std::chrono_literals;

/// Deadline of any single wait in the integration suites.
inline constexpr auto deadline = std::chrono::seconds{20};

struct config : caf::actor_system_config {
  config() {
    load<wsnova::io_module>();
    set("scheduler.max-threads", 2);
  }
};

/// Default handler that ignores a message without answering. Not `caf::drop`: that one
/// returns `sec::unexpected_message`, which CAF 0.17 sends back to the sender of an
/// asynchronous message, and the connection actor quits on that error (see the report in
/// ownership_transfer_test.cpp, `unhandled_event_kills_the_connection`).
inline caf::result<caf::message> ignore_message(caf::scheduled_actor*, caf::message_view&) {
  return caf::message{};
}

/// An owner that takes every connection event and drops it.
inline caf::behavior sink_owner(caf::event_based_actor* self) {
  self->set_default_handler(ignore_message);
  return {[](const message_event&) {}};
}

/// Polls `pred` every 5 ms until it holds or `limit` passes; returns its last value.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds limit = deadline) {
  auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(5ms);
  }
}

/// Order of destruction (reverse of declaration): the actors in `stop_list` are stopped by
/// the destructor body, then the scoped actor, the server (ends every session), and the
/// system (waits for all actors, then joins the I/O threads).
struct fixture {
  config cfg;
  caf::actor_system system{cfg};
  test::echo_server server;
  caf::scoped_actor self{system};
  registry_actor registry = spawn_registry(system);
  caf::actor sink = system.spawn(sink_owner);
  /// Actors stopped (in reverse order, each awaited) before the fixture goes away.
  std::vector<caf::actor> stop_list;

  fixture() = default;
  fixture(const fixture&) = delete;
  fixture& operator=(const fixture&) = delete;

  ~fixture() {
    for (auto i = stop_list.rbegin(); i != stop_list.rend(); ++i) stop(*i);
    stop(sink);
    stop(caf::actor_cast<caf::actor>(registry));
  }

  /// Sends `user_shutdown` to `who` and waits for its down message (or the deadline).
  void stop(const caf::actor& who) {
    if (!who) return;
    self->monitor(who);
    caf::anon_send_exit(who, caf::exit_reason::user_shutdown);
    wait_down(who.address());
  }

  /// Waits for the down message of `who` and returns its reason; nullopt at the deadline.
  std::optional<caf::error> wait_down(const caf::actor_addr& who,
                                      std::chrono::milliseconds limit = deadline) {
    std::optional<caf::error> result;
    auto until = std::chrono::steady_clock::now() + limit;
    while (!result && std::chrono::steady_clock::now() < until) {
      self->receive(
          [&](caf::down_msg& down) {
            if (down.source == who) result = std::move(down.reason);
          },
          caf::after(50ms) >> [] {});
    }
    return result;
  }

  /// The config of feed `n`: stable id `feed-<n>`, registered in the fixture's registry,
  /// reconnecting quickly.
  connection_config feed_config(const std::string& id) {
    connection_config conf;
    conf.url = server.url();
    conf.id = id;
    conf.registry = registry;
    conf.reconnect.initial_delay = std::chrono::milliseconds{20};
    conf.reconnect.max_delay = std::chrono::milliseconds{200};
    return conf;
  }

  /// A child spec whose start function spawns a connection `id` owned by `sink`.
  child_spec feed_spec(const std::string& id) {
    child_spec spec;
    spec.id = id;
    spec.start = start_with([this, id](caf::actor_system& sys) {
      return spawn_connection(sys, feed_config(id), wsnova::unchecked_owner(sink));
    });
    spec.shutdown = shutdown_spec::after(std::chrono::milliseconds{2000});
    return spec;
  }

  /// Spawns a supervisor (stopped by the destructor) or fails the test.
  supervisor_actor supervise(supervisor_flags flags, std::vector<child_spec> specs) {
    auto sup = spawn_supervisor(system, std::move(flags), std::move(specs));
    if (!sup) BOOST_FAIL("spawn_supervisor: " << describe(sup.error()));
    stop_list.push_back(caf::actor_cast<caf::actor>(*sup));
    return *sup;
  }

  std::vector<child_info> which_children(const supervisor_actor& sup) {
    std::vector<child_info> result;
    caf::error failure;
    self->request(sup, deadline, which_children_atom::value)
        .receive([&](std::vector<child_info>& xs) { result = std::move(xs); },
                 [&](caf::error& err) { failure = std::move(err); });
    if (failure) BOOST_FAIL("which_children: " << describe(failure));
    return result;
  }

  /// Requests `connect` and returns the error, or none when the connection is up.
  caf::error connect(const caf::actor& handle) {
    caf::error failure;
    self->request(caf::actor_cast<connection>(handle), deadline, connect_atom::value)
        .receive([](caf::ok_atom) {}, [&](caf::error& err) { failure = std::move(err); });
    return failure;
  }

  connection_status status(const caf::actor& handle) {
    connection_status result;
    caf::error failure;
    self->request(caf::actor_cast<connection>(handle), deadline, status_atom::value)
        .receive([&](connection_status& x) { result = std::move(x); },
                 [&](caf::error& err) { failure = std::move(err); });
    if (failure) BOOST_FAIL("status: " << describe(failure));
    return result;
  }

  /// Resolves `id` in the registry; an invalid handle when it is unknown.
  caf::actor lookup(const std::string& id) {
    caf::actor result;
    self->request(registry, deadline, lookup_atom::value, id)
        .receive([&](caf::actor& x) { result = std::move(x); }, [](caf::error&) {});
    return result;
  }
};

}  // namespace wsnova::itest
