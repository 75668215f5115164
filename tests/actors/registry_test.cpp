// The registry of stable ids (actors/registry.hpp), on CAF's test coordinator: register,
// lookup and list; follow (current binding at once, every change, cleared on death, stale
// downs ignored) and unfollow; unknown ids answer errc::unknown_id.
#define BOOST_TEST_MODULE registry
#include <wsnova/actors/registry.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <wsnova/core/error.hpp>

using namespace wsnova;

namespace {

/// Describes the error of `x`, or "ok" (error() of a value is undefined).
template <class T>
std::string why(const caf::expected<T>& x) {
  return x ? std::string{"ok"} : describe(x.error());
}

struct test_config : caf::actor_system_config {
  test_config() {
    set("scheduler.policy", caf::atom("testing"));
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

/// A registry on the test coordinator (no threads), and a scoped actor that asks it and
/// follows ids. Every step runs the coordinator until nothing is left to do.
struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  caf::scoped_actor self{sys, true};
  registry_actor registry = spawn_registry(sys);
  /// Everything spawned, killed at the end so the system can shut down.
  std::vector<caf::actor> spawned;

  fixture() { sched.run(); }

  ~fixture() {
    for (auto& hdl : spawned) caf::anon_send_exit(hdl, caf::exit_reason::kill);
    caf::anon_send_exit(registry, caf::exit_reason::kill);
    sched.run();
  }

  /// Spawns an actor that does nothing until it is told to exit.
  caf::actor spawn_idle() {
    auto hdl = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
      return {[](const std::string& x) { return x; }};
    });
    spawned.push_back(hdl);
    sched.run();
    return hdl;
  }

  void kill(const caf::actor& hdl) {
    caf::anon_send_exit(hdl, caf::exit_reason::kill);
    sched.run();
  }

  void bind(const std::string& id, const caf::actor& hdl) {
    caf::anon_send(registry, register_atom::value, id, hdl);
    sched.run();
  }

  void follow(const std::string& id) {
    caf::anon_send(registry, follow_atom::value, id, caf::actor_cast<caf::actor>(self));
    sched.run();
  }

  void unfollow(const std::string& id) {
    caf::anon_send(registry, unfollow_atom::value, id, caf::actor_cast<caf::actor>(self));
    sched.run();
  }

  caf::expected<caf::actor> lookup(const std::string& id) {
    auto rh = self->request(registry, caf::infinite, lookup_atom::value, id);
    sched.run();
    caf::expected<caf::actor> result{make_error(errc::timeout, "no reply")};
    if (!self->has_next_message()) return result;
    rh.receive([&](caf::actor& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  std::vector<registry_event> list() {
    auto rh = self->request(registry, caf::infinite, list_atom::value);
    sched.run();
    std::vector<registry_event> result;
    if (!self->has_next_message()) BOOST_FAIL("list: no reply");
    rh.receive([&](std::vector<registry_event>& xs) { result = std::move(xs); },
               [&](caf::error& err) { BOOST_FAIL("list failed: " << describe(err)); });
    return result;
  }

  /// The registry events in the scoped actor's mailbox, in order (nothing waits: the
  /// coordinator already ran every send).
  std::vector<registry_event> events() {
    std::vector<registry_event> result;
    bool more = true;
    while (more)
      self->receive([&](registry_event& ev) { result.push_back(std::move(ev)); },
                    caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    return result;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(registry, fixture)

// A registered id resolves to its actor; list shows every live binding, ordered by id.
BOOST_AUTO_TEST_CASE(register_then_lookup_and_list) {
  auto a = spawn_idle();
  auto b = spawn_idle();
  bind("b", b);
  bind("a", a);
  auto res = lookup("a");
  BOOST_REQUIRE_MESSAGE(res, why(res));
  BOOST_CHECK(*res == a);
  auto all = list();
  BOOST_REQUIRE_EQUAL(all.size(), 2u);
  BOOST_CHECK_EQUAL(all[0].id, "a");
  BOOST_CHECK(all[0].handle == a);
  BOOST_CHECK_EQUAL(all[1].id, "b");
  BOOST_CHECK(all[1].handle == b);
}

// An id nobody registered answers unknown_id.
BOOST_AUTO_TEST_CASE(unknown_id_is_an_error) {
  auto res = lookup("nobody");
  BOOST_REQUIRE(!res);
  BOOST_CHECK_MESSAGE(is(res.error(), errc::unknown_id), why(res));
  BOOST_CHECK(list().empty());
}

// Registering an id again rebinds it to the new actor.
BOOST_AUTO_TEST_CASE(register_replaces_the_binding) {
  auto first = spawn_idle();
  auto second = spawn_idle();
  bind("conn", first);
  bind("conn", second);
  auto res = lookup("conn");
  BOOST_REQUIRE_MESSAGE(res, why(res));
  BOOST_CHECK(*res == second);
  BOOST_CHECK_EQUAL(list().size(), 1u);
}

// When the bound actor dies the binding is cleared: lookup fails with unknown_id and list
// leaves the id out.
BOOST_AUTO_TEST_CASE(death_clears_the_binding) {
  auto a = spawn_idle();
  auto b = spawn_idle();
  bind("a", a);
  bind("b", b);
  kill(a);
  auto res = lookup("a");
  BOOST_REQUIRE(!res);
  BOOST_CHECK_MESSAGE(is(res.error(), errc::unknown_id), why(res));
  auto all = list();
  BOOST_REQUIRE_EQUAL(all.size(), 1u);
  BOOST_CHECK_EQUAL(all[0].id, "b");
}

// A follower of a bound id gets the current binding at once.
BOOST_AUTO_TEST_CASE(new_follower_gets_the_current_binding) {
  auto a = spawn_idle();
  bind("conn", a);
  follow("conn");
  auto evs = events();
  BOOST_REQUIRE_EQUAL(evs.size(), 1u);
  BOOST_CHECK_EQUAL(evs[0].id, "conn");
  BOOST_CHECK(evs[0].handle == a);
}

// A follower of an id not bound yet hears nothing until the first registration.
BOOST_AUTO_TEST_CASE(follower_of_an_unbound_id_waits_for_the_first_binding) {
  follow("conn");
  BOOST_CHECK(events().empty());
  auto a = spawn_idle();
  bind("conn", a);
  auto evs = events();
  BOOST_REQUIRE_EQUAL(evs.size(), 1u);
  BOOST_CHECK(evs[0].handle == a);
}

// A follower sees every change in order: each new actor, then the cleared binding when the
// current actor dies; a follower of another id sees none of it.
BOOST_AUTO_TEST_CASE(follower_sees_every_change_and_the_death) {
  follow("conn");
  auto first = spawn_idle();
  auto second = spawn_idle();
  auto other = spawn_idle();
  bind("conn", first);
  bind("other", other);
  bind("conn", second);
  kill(second);
  auto evs = events();
  BOOST_REQUIRE_EQUAL(evs.size(), 3u);
  BOOST_CHECK(evs[0].handle == first);
  BOOST_CHECK(evs[1].handle == second);
  BOOST_CHECK(!evs[2].handle);
  for (auto& ev : evs) BOOST_CHECK_EQUAL(ev.id, "conn");
  // A follower arriving now learns that the id has no live actor.
  follow("conn");
  evs = events();
  BOOST_REQUIRE_EQUAL(evs.size(), 1u);
  BOOST_CHECK(!evs[0].handle);
}

// The down message of an actor that was already replaced changes nothing: the binding
// stays on the new actor and followers hear nothing.
BOOST_AUTO_TEST_CASE(stale_down_of_a_replaced_actor_changes_nothing) {
  auto first = spawn_idle();
  auto second = spawn_idle();
  bind("conn", first);
  bind("conn", second);
  follow("conn");
  BOOST_REQUIRE_EQUAL(events().size(), 1u);  // the current binding
  kill(first);
  BOOST_CHECK(events().empty());
  auto res = lookup("conn");
  BOOST_REQUIRE_MESSAGE(res, why(res));
  BOOST_CHECK(*res == second);
}

// After unfollow no more events arrive, neither for rebinding nor for the death.
BOOST_AUTO_TEST_CASE(unfollow_stops_the_events) {
  auto first = spawn_idle();
  auto second = spawn_idle();
  bind("conn", first);
  follow("conn");
  BOOST_REQUIRE_EQUAL(events().size(), 1u);
  unfollow("conn");
  bind("conn", second);
  kill(second);
  BOOST_CHECK(events().empty());
  // The registry itself still tracked both changes.
  auto res = lookup("conn");
  BOOST_REQUIRE(!res);
  BOOST_CHECK_MESSAGE(is(res.error(), errc::unknown_id), why(res));
}

// Following twice does not double the events.
BOOST_AUTO_TEST_CASE(following_twice_gives_one_event_per_change) {
  follow("conn");
  follow("conn");
  auto a = spawn_idle();
  bind("conn", a);
  BOOST_CHECK_EQUAL(events().size(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()
