// Tests of <wsnova/supervision/supervisor.hpp>: OTP supervisor semantics on CAF's
// deterministic test coordinator (virtual clock, no threads, no sleeps).
#include <wsnova/supervision/supervisor.hpp>

#define BOOST_TEST_MODULE supervisor
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>

#include <wsnova/core/metrics.hpp>

#include "fixture.hpp"

using namespace wsnova;
using namespace wsnova::test;

namespace {

// -- the strategy x restart type x exit reason grid ---------------------------------------

struct grid_case {
  strategy_kind strategy;
  restart_type restart;
  caf::error reason;
  std::string reason_name;
};

/// Three children a, b, c (b has the restart type under test, a and c are permanent); b
/// exits with the reason under test; checks which children were restarted.
void run_grid_case(const grid_case& gc) {
  fixture fx;
  bool dynamic = gc.strategy == strategy_kind::simple_one_for_one;
  supervisor_actor sup;
  std::vector<std::string> names;
  if (dynamic) {
    // The template's restart type applies to all instances.
    auto spec = fx.worker("w", gc.restart);
    sup = fx.supervisor(flags_of(gc.strategy), {spec});
    for (auto arg : {"a", "b", "c"}) {
      auto res =
          fx.ask<caf::actor>(sup, start_child_atom::value, caf::make_message(std::string{arg}));
      BOOST_REQUIRE(res);
    }
    names = {"w:a", "w:b", "w:c"};
  } else {
    sup = fx.supervisor(flags_of(gc.strategy),
                        {fx.worker("a"), fx.worker("b", gc.restart), fx.worker("c")});
    names = {"a", "b", "c"};
  }
  std::map<std::string, caf::actor> before;
  for (auto& n : names) before[n] = fx.latest->at(n);
  fx.make_exit(before[names[1]], gc.reason);
  bool expect_restart = should_restart(gc.restart, classify_exit(gc.reason));
  // Who is expected to be a new instance?
  std::set<std::string> renewed;
  if (expect_restart) {
    switch (gc.strategy) {
      case strategy_kind::one_for_all:
        renewed = {names[0], names[1], names[2]};
        break;
      case strategy_kind::rest_for_one:
        renewed = {names[1], names[2]};
        break;
      default:
        renewed = {names[1]};
    }
  }
  for (auto& n : names) {
    if (n == names[1] && !expect_restart) continue;
    bool is_new = fx.latest->at(n) != before[n];
    BOOST_CHECK_MESSAGE(is_new == (renewed.count(n) > 0),
                        n << (is_new ? " was restarted" : " was not restarted"));
    BOOST_CHECK_EQUAL(fx.starts(n), is_new ? 2u : 1u);
  }
  auto rows = fx.which(sup);
  if (expect_restart) {
    BOOST_REQUIRE_EQUAL(rows.size(), 3u);
    BOOST_CHECK(rows[1].handle == fx.latest->at(names[1]));
  } else if (gc.restart == restart_type::temporary || dynamic) {
    // Temporary children and ended simple_one_for_one instances are removed.
    BOOST_CHECK_EQUAL(rows.size(), 2u);
    for (auto& r : rows) BOOST_CHECK(r.handle);
  } else {
    BOOST_REQUIRE_EQUAL(rows.size(), 3u);
    BOOST_CHECK(!rows[1].handle);
    BOOST_CHECK_EQUAL(fx.starts(names[1]), 1u);
  }
}

struct grid_registrar {
  grid_registrar() {
    using boost::unit_test::framework::master_test_suite;
    auto* suite = BOOST_TEST_SUITE("restart_grid");
    std::pair<strategy_kind, const char*> strategies[] = {
        {strategy_kind::one_for_one, "one_for_one"},
        {strategy_kind::one_for_all, "one_for_all"},
        {strategy_kind::rest_for_one, "rest_for_one"},
        {strategy_kind::simple_one_for_one, "simple_one_for_one"},
    };
    std::pair<restart_type, const char*> types[] = {
        {restart_type::permanent, "permanent"},
        {restart_type::transient, "transient"},
        {restart_type::temporary, "temporary"},
    };
    std::pair<caf::error, const char*> reasons[] = {
        {caf::make_error(caf::exit_reason::normal), "normal"},
        {caf::make_error(caf::exit_reason::user_shutdown), "shutdown"},
        {crash(), "error"},
        {caf::make_error(caf::exit_reason::kill), "kill"},
    };
    for (auto& [s, sname] : strategies) {
      auto* sub = BOOST_TEST_SUITE(sname);
      for (auto& [t, tname] : types)
        for (auto& [r, rname] : reasons) {
          grid_case gc{s, t, r, rname};
          bool restarted = should_restart(t, classify_exit(r));
          auto name = std::string{tname} + "_child_" + (restarted ? "restarted" : "not_restarted") +
                      "_after_" + rname + "_exit";
          sub->add(boost::unit_test::make_test_case([gc] { run_grid_case(gc); }, name, __FILE__,
                                                    __LINE__));
        }
      suite->add(sub);
    }
    master_test_suite().add(suite);
  }
};

grid_registrar grid_registrar_instance;

/// A custom strategy for tests: restart the failed child and child "partner", or escalate
/// when the failed child is "boss".
class partner_strategy : public restart_strategy {
 public:
  restart_plan plan(const child_exit& failed, std::span<const child_view> children) override {
    if (failed.id == "boss") return restart_plan::escalate(make_error(errc::not_allowed, "boss"));
    seen_views = children.size();
    return restart_plan::restart_children({failed.id, "partner"});
  }
  std::size_t seen_views = 0;
};

}  // namespace

// -- restart intensity ----------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(intensity, fixture)

BOOST_AUTO_TEST_CASE(one_restart_too_many_stops_supervisor_with_restart_intensity) {
  // Rule: more than `intensity` restarts within `period` stop the supervisor with
  // restart_intensity.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one, 1), {worker("a"), worker("b")});
  auto down = watch(sup);
  make_exit(latest->at("b"), crash());
  BOOST_CHECK_EQUAL(starts("b"), 2u);
  BOOST_CHECK(!down());
  make_exit(latest->at("b"), crash());
  auto reason = down();
  BOOST_REQUIRE(reason);
  BOOST_CHECK_MESSAGE(is(*reason, sup_errc::restart_intensity), show(*reason));
  BOOST_CHECK_EQUAL(starts("b"), 2u);
  // The surviving child was shut down, not left behind.
  BOOST_CHECK_EQUAL(entries("stop:a").size(), 1u);
  BOOST_CHECK_EQUAL(entries("stop:a").front(), "stop:a:shutdown");
}

BOOST_AUTO_TEST_CASE(restarts_are_counted_in_the_metrics_registry) {
  // Each restart adds one to wsnova_supervisor_restarts_total{supervisor, child}.
  auto registry = std::make_shared<metrics_registry>();
  declare_wsnova_metrics(*registry);
  auto flags = flags_of(strategy_kind::one_for_one);
  flags.metrics = registry;
  flags.name = "feeds";
  auto sup = supervisor(flags, {worker("a"), worker("b")});
  make_exit(latest->at("b"), crash());
  make_exit(latest->at("b"), crash());
  BOOST_CHECK_EQUAL(starts("b"), 3u);
  auto text = registry->render_prometheus();
  BOOST_CHECK_MESSAGE(
      text.find(R"(wsnova_supervisor_restarts_total{child="b",supervisor="feeds"} 2)") !=
          std::string::npos,
      text);
  BOOST_CHECK(text.find(R"(child="a")") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(restarts_older_than_period_leave_the_window) {
  // Rule: the window slides; restarts more than `period` old no longer count.
  auto f = flags_of(strategy_kind::one_for_one, 1);
  f.period = 5s;
  auto sup = supervisor(f, {worker("a")});
  auto down = watch(sup);
  make_exit(latest->at("a"), crash());
  advance(5s + 1ms);
  make_exit(latest->at("a"), crash());
  BOOST_CHECK(!down());
  BOOST_CHECK_EQUAL(starts("a"), 3u);
  advance(1s);
  make_exit(latest->at("a"), crash());
  BOOST_CHECK(down());
}

BOOST_AUTO_TEST_CASE(restart_exactly_period_old_still_counts) {
  // Rule: as OTP's add_restart (T >= Now - Period), a restart exactly `period` old is still in the
  // window.
  auto f = flags_of(strategy_kind::one_for_one, 1);
  f.period = 5s;
  auto sup = supervisor(f, {worker("a")});
  auto down = watch(sup);
  make_exit(latest->at("a"), crash());
  advance(5s);
  make_exit(latest->at("a"), crash());
  auto reason = down();
  BOOST_REQUIRE(reason);
  BOOST_CHECK(is(*reason, sup_errc::restart_intensity));
}

BOOST_AUTO_TEST_CASE(intensity_zero_gives_up_at_first_failure) {
  // Rule: intensity 0 allows no restart at all.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one, 0), {worker("a")});
  auto down = watch(sup);
  make_exit(latest->at("a"), crash());
  auto reason = down();
  BOOST_REQUIRE(reason);
  BOOST_CHECK(is(*reason, sup_errc::restart_intensity));
}

BOOST_AUTO_TEST_CASE(escalation_through_three_level_tree) {
  // Rule: a supervisor giving up is an abnormal exit of a child of kind supervisor; its parent
  // applies its strategy, up to the root.
  auto mid_flags = flags_of(strategy_kind::one_for_one, 0);
  child_spec mid;
  mid.id = "mid";
  mid.kind = child_kind::supervisor;
  mid.start = supervisor_starter(mid_flags, {worker("leaf")});
  auto root = supervisor(flags_of(strategy_kind::one_for_one, 1), {mid, worker("other")});
  auto down = watch(root);
  auto mid1 = handle_of(root, "mid");
  BOOST_REQUIRE(mid1);
  spawned->push_back(mid1);
  // First leaf crash: mid gives up (intensity 0), root restarts mid, which starts a new leaf.
  make_exit(latest->at("leaf"), crash());
  auto mid2 = handle_of(root, "mid");
  BOOST_CHECK(mid2 && mid2 != mid1);
  spawned->push_back(mid2);
  BOOST_CHECK_EQUAL(starts("leaf"), 2u);
  BOOST_CHECK_EQUAL(starts("other"), 1u);
  BOOST_CHECK(!down());
  // Second leaf crash: mid gives up again, root exceeds its intensity and gives up too.
  make_exit(latest->at("leaf"), crash());
  auto reason = down();
  BOOST_REQUIRE(reason);
  BOOST_CHECK(is(*reason, sup_errc::restart_intensity));
  BOOST_CHECK_EQUAL(entries("stop:other").size(), 1u);
}

BOOST_AUTO_TEST_CASE(failed_restart_is_retried_and_counts_toward_intensity) {
  // Rule: a failed restart is retried by a message to self and each failure counts as a restart.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one, 3), {worker("a")});
  auto down = watch(sup);
  (*scripts)["a"].fail_starts = 2;
  make_exit(latest->at("a"), crash());
  BOOST_CHECK_EQUAL(entries("fail:a").size(), 2u);
  BOOST_CHECK_EQUAL(starts("a"), 2u);
  BOOST_CHECK(handle_of(sup, "a") == latest->at("a"));
  BOOST_CHECK(!down());
  // 3 restarts used (1 + 2 failures); one more exceeds intensity 3.
  make_exit(latest->at("a"), crash());
  BOOST_CHECK(down());
}

BOOST_AUTO_TEST_SUITE_END()

// -- order and strategies ------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(strategies, fixture)

BOOST_AUTO_TEST_CASE(start_order_preserved_after_restarts) {
  // Rule: restarted children keep their place in start order.
  auto sup =
      supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), worker("b"), worker("c")});
  make_exit(latest->at("a"), crash());
  make_exit(latest->at("b"), crash());
  std::vector<std::string> expected{"a", "b", "c"};
  BOOST_CHECK(ids(sup) == expected);
}

BOOST_AUTO_TEST_CASE(one_for_all_stops_reverse_and_restarts_in_order) {
  // Rule: one_for_all stops the others right to left, then starts all left to right.
  auto sup =
      supervisor(flags_of(strategy_kind::one_for_all), {worker("a"), worker("b"), worker("c")});
  log->clear();
  make_exit(latest->at("b"), crash());
  std::vector<std::string> expected{"stop:b:abnormal", "stop:c:shutdown", "stop:a:shutdown",
                                    "start:a",         "start:b",         "start:c"};
  BOOST_CHECK(*log == expected);
}

BOOST_AUTO_TEST_CASE(rest_for_one_restarts_later_siblings_only) {
  // Rule: rest_for_one restarts the failed child and those started after it.
  auto sup =
      supervisor(flags_of(strategy_kind::rest_for_one), {worker("a"), worker("b"), worker("c")});
  log->clear();
  make_exit(latest->at("b"), crash());
  std::vector<std::string> expected{"stop:b:abnormal", "stop:c:shutdown", "start:b", "start:c"};
  BOOST_CHECK(*log == expected);
}

BOOST_AUTO_TEST_CASE(sibling_down_during_one_for_all_restart_counts_once) {
  // Rule: a sibling's down message arriving while its group is being restarted is stale, not a
  // second failure.
  auto sup = supervisor(flags_of(strategy_kind::one_for_all, 1), {worker("a"), worker("b")});
  auto down = watch(sup);
  caf::anon_send(latest->at("a"), die_atom::value, crash());
  caf::anon_send(latest->at("b"), die_atom::value, crash());
  run();
  BOOST_CHECK(!down());
  BOOST_CHECK_EQUAL(starts("a"), 2u);
  BOOST_CHECK_EQUAL(starts("b"), 2u);
}

BOOST_AUTO_TEST_CASE(custom_strategy_plans_restarts_and_escalation) {
  // Rule: a custom strategy decides which children restart, or escalates.
  auto strategy = std::make_shared<partner_strategy>();
  supervisor_flags f;
  f.strategy = strategy_kind::custom;
  f.custom_strategy = strategy;
  f.intensity = 10;
  auto sup = supervisor(f, {worker("boss"), worker("partner"), worker("x"), worker("y")});
  auto down = watch(sup);
  make_exit(latest->at("x"), crash());
  BOOST_CHECK_EQUAL(strategy->seen_views, 4u);
  BOOST_CHECK_EQUAL(starts("x"), 2u);
  BOOST_CHECK_EQUAL(starts("partner"), 2u);
  BOOST_CHECK_EQUAL(starts("y"), 1u);
  BOOST_CHECK_EQUAL(starts("boss"), 1u);
  make_exit(latest->at("boss"), crash());
  auto reason = down();
  BOOST_REQUIRE(reason);
  BOOST_CHECK(is(*reason, errc::not_allowed));
  std::vector<std::string> expected{"stop:y:shutdown", "stop:x:shutdown", "stop:partner:shutdown"};
  auto stops = entries("stop:");
  BOOST_CHECK(std::vector<std::string>(stops.end() - 3, stops.end()) == expected);
}

BOOST_AUTO_TEST_CASE(simple_one_for_one_starts_instances_with_arguments) {
  // Rule: simple_one_for_one starts its template once per start_child(args), restarting each
  // instance alone with its own arguments.
  auto sup = supervisor(flags_of(strategy_kind::simple_one_for_one), {worker("w")});
  BOOST_CHECK(which(sup).empty());
  for (auto arg : {"x", "y"})
    BOOST_REQUIRE(
        ask<caf::actor>(sup, start_child_atom::value, caf::make_message(std::string{arg})));
  std::vector<std::string> expected{"w#1", "w#2"};
  BOOST_CHECK(ids(sup) == expected);
  make_exit(latest->at("w:x"), crash());
  BOOST_CHECK_EQUAL(starts("w:x"), 2u);
  BOOST_CHECK_EQUAL(starts("w:y"), 1u);
  // terminate_child by handle removes the instance.
  auto res = ask<caf::ok_atom>(sup, terminate_child_atom::value, latest->at("w:y"));
  BOOST_CHECK(res);
  expected = {"w#1"};
  BOOST_CHECK(ids(sup) == expected);
  auto counts = ask<child_counts>(sup, count_children_atom::value);
  BOOST_REQUIRE(counts);
  BOOST_CHECK_EQUAL(counts->active, 1u);
}

BOOST_AUTO_TEST_CASE(backoff_delays_restarts_on_virtual_clock) {
  // Rule: with a backoff, the n-th consecutive restart waits initial_delay * multiplier^n (capped),
  // on the actor clock.
  auto spec = worker("a");
  spec.backoff.initial_delay = 100ms;
  spec.backoff.max_delay = 300ms;
  spec.backoff.stable_after = 10s;
  auto sup = supervisor(flags_of(strategy_kind::one_for_one, 100), {spec});
  std::chrono::milliseconds waits[] = {100ms, 200ms, 300ms, 300ms};
  for (auto wait : waits) {
    auto n = starts("a");
    make_exit(latest->at("a"), crash());
    BOOST_CHECK(!handle_of(sup, "a"));
    advance(wait - 1ms);
    BOOST_CHECK_EQUAL(starts("a"), n);
    advance(1ms);
    BOOST_CHECK_EQUAL(starts("a"), n + 1);
    BOOST_CHECK(handle_of(sup, "a"));
  }
  // After running stably for stable_after, the delay falls back to initial_delay.
  advance(10s);
  make_exit(latest->at("a"), crash());
  advance(100ms);
  BOOST_CHECK_EQUAL(starts("a"), 6u);
}

BOOST_AUTO_TEST_CASE(observer_learns_each_new_handle) {
  // Rule: on_child_change reports every (re)start with the new handle and every stop with none.
  auto seen = std::make_shared<std::vector<std::pair<std::string, caf::actor>>>();
  auto f = flags_of(strategy_kind::one_for_one);
  f.on_child_change = [seen](const std::string& id, const caf::actor& h) {
    seen->emplace_back(id, h);
  };
  auto sup = supervisor(f, {worker("a")});
  BOOST_REQUIRE_EQUAL(seen->size(), 1u);
  BOOST_CHECK(seen->back().second == latest->at("a"));
  make_exit(latest->at("a"), crash());
  BOOST_REQUIRE_EQUAL(seen->size(), 3u);
  BOOST_CHECK(!(*seen)[1].second);
  BOOST_CHECK((*seen)[2].second == latest->at("a"));
}

BOOST_AUTO_TEST_SUITE_END()

// -- the typed API -------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(api, fixture)

BOOST_AUTO_TEST_CASE(api_errors_are_tagged) {
  // Rule: each API misuse fails with its own wsnova error code.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a")});
  auto code = [](const auto& res) { return sup_code(res); };
  auto generic = [](const auto& res) { return res ? errc::none : code_of(res.error()); };
  std::string nope = "nope";
  BOOST_CHECK(code(ask<caf::ok_atom>(sup, terminate_child_atom::value, nope)) ==
              sup_errc::unknown_child);
  BOOST_CHECK(code(ask<caf::actor>(sup, restart_child_atom::value, nope)) ==
              sup_errc::unknown_child);
  BOOST_CHECK(code(ask<caf::ok_atom>(sup, delete_child_atom::value, nope)) ==
              sup_errc::unknown_child);
  BOOST_CHECK(code(ask<caf::actor>(sup, release_atom::value, nope)) == sup_errc::unknown_child);
  BOOST_CHECK(code(ask<caf::actor>(sup, start_child_atom::value, worker("a"))) ==
              sup_errc::already_started);
  BOOST_CHECK(code(ask<caf::actor>(sup, restart_child_atom::value, std::string{"a"})) ==
              sup_errc::already_started);
  BOOST_CHECK(generic(ask<caf::ok_atom>(sup, delete_child_atom::value, std::string{"a"})) ==
              errc::not_allowed);
  BOOST_CHECK(generic(ask<caf::actor>(sup, start_child_atom::value, caf::make_message(1))) ==
              errc::not_allowed);
  BOOST_CHECK(code(ask<caf::actor>(sup, start_child_atom::value, child_spec{})) ==
              sup_errc::invalid_child_id);
  (*scripts)["b"].fail_starts = 1;
  BOOST_CHECK(code(ask<caf::actor>(sup, start_child_atom::value, worker("b"))) ==
              sup_errc::start_failed);
  BOOST_CHECK_EQUAL(which(sup).size(), 1u);  // a failed start keeps no spec
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"a"}));
  BOOST_CHECK(code(ask<caf::actor>(sup, start_child_atom::value, worker("a"))) ==
              sup_errc::already_present);
  BOOST_CHECK(generic(ask<caf::actor>(sup, release_atom::value, std::string{"a"})) ==
              errc::not_allowed);
}

BOOST_AUTO_TEST_CASE(terminate_restart_delete_cycle) {
  // Rule: a terminated child keeps its spec until deleted and can be restarted by id.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), worker("b")});
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"a"}));
  BOOST_CHECK(!handle_of(sup, "a"));
  auto restarted = ask<caf::actor>(sup, restart_child_atom::value, std::string{"a"});
  BOOST_REQUIRE(restarted);
  BOOST_CHECK(*restarted == latest->at("a"));
  std::vector<std::string> expected{"a", "b"};
  BOOST_CHECK(ids(sup) == expected);
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"a"}));
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, delete_child_atom::value, std::string{"a"}));
  expected = {"b"};
  BOOST_CHECK(ids(sup) == expected);
  auto counts = ask<child_counts>(sup, count_children_atom::value);
  BOOST_REQUIRE(counts);
  BOOST_CHECK_EQUAL(counts->specs, 1u);
  BOOST_CHECK_EQUAL(counts->active, 1u);
  BOOST_CHECK_EQUAL(counts->workers, 1u);
  BOOST_CHECK_EQUAL(counts->supervisors, 0u);
}

BOOST_AUTO_TEST_CASE(start_child_appends_and_is_supervised) {
  // Rule: start_child adds a child at the end of the start order and restarts it by its spec.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a")});
  auto res = ask<caf::actor>(sup, start_child_atom::value, worker("b"));
  BOOST_REQUIRE(res);
  BOOST_CHECK(*res == latest->at("b"));
  make_exit(latest->at("b"), crash());
  BOOST_CHECK_EQUAL(starts("b"), 2u);
  std::vector<std::string> expected{"a", "b"};
  BOOST_CHECK(ids(sup) == expected);
}

BOOST_AUTO_TEST_CASE(adopt_and_release_move_a_child_without_restart) {
  // Rule: release hands a running child over unsupervised; adopt takes it over; only the new
  // supervisor restarts it.
  auto one = supervisor(flags_of(strategy_kind::one_for_one), {worker("a")});
  auto two = supervisor(flags_of(strategy_kind::one_for_one), {});
  auto a = latest->at("a");
  auto released = ask<caf::actor>(one, release_atom::value, std::string{"a"});
  BOOST_REQUIRE(released);
  BOOST_CHECK(*released == a);
  BOOST_CHECK(which(one).empty());
  BOOST_REQUIRE(ask<caf::ok_atom>(two, adopt_atom::value, a, worker("a")));
  BOOST_CHECK(handle_of(two, "a") == a);
  BOOST_CHECK_EQUAL(starts("a"), 1u);  // not restarted by the move
  make_exit(a, crash());
  BOOST_CHECK_EQUAL(starts("a"), 2u);  // restarted once, by two only
  BOOST_CHECK(handle_of(two, "a") == latest->at("a"));
  BOOST_CHECK(which(one).empty());
  // Adopting an id that exists fails.
  auto again = ask<caf::ok_atom>(two, adopt_atom::value, spawn_scripted("z"), worker("a"));
  BOOST_CHECK(!again && is(again.error(), sup_errc::already_started));
}

BOOST_AUTO_TEST_CASE(stale_down_of_released_child_is_ignored) {
  // Rule: a down message from an instance the supervisor no longer owns changes nothing.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), worker("b")});
  auto a = latest->at("a");
  BOOST_REQUIRE(ask<caf::actor>(sup, release_atom::value, std::string{"a"}));
  make_exit(a, crash());
  BOOST_CHECK_EQUAL(starts("a"), 1u);
  std::vector<std::string> expected{"b"};
  BOOST_CHECK(ids(sup) == expected);
}

BOOST_AUTO_TEST_CASE(spawn_with_failing_child_stops_started_ones) {
  // Rule: if an initial child fails to start, spawn_supervisor fails with start_failed and stops
  // the children already started.
  (*scripts)["b"].fail_starts = 1;
  auto res = spawn_supervisor(sys, flags_of(strategy_kind::one_for_one),
                              {worker("a"), worker("b"), worker("c")});
  run();
  BOOST_REQUIRE(!res);
  BOOST_CHECK(is(res.error(), sup_errc::start_failed));
  BOOST_CHECK_EQUAL(entries("stop:a").size(), 1u);
  BOOST_CHECK_EQUAL(starts("c"), 0u);
}

BOOST_AUTO_TEST_CASE(invalid_spec_spawns_nothing) {
  // Rule: specs are checked before anything spawns.
  auto bad = worker("b");
  bad.shutdown = shutdown_spec::after(0ms);
  auto res = spawn_supervisor(sys, flags_of(strategy_kind::one_for_one), {worker("a"), bad});
  BOOST_REQUIRE(!res);
  BOOST_CHECK(is(res.error(), sup_errc::invalid_shutdown));
  BOOST_CHECK(log->empty());
}

BOOST_AUTO_TEST_SUITE_END()
