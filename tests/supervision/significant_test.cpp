// Tests of significant children and `auto_shutdown` (OTP 24): a significant child that
// exits by itself and is not restarted shuts its supervisor down (any_significant), or
// the last one does (all_significant); children stopped by the supervisor never do.
#include <wsnova/supervision/supervisor.hpp>

#define BOOST_TEST_MODULE significant
#include <boost/test/unit_test.hpp>

#include "fixture.hpp"

using namespace wsnova;
using namespace wsnova::test;

namespace {

child_spec significant(fixture& fx, const std::string& id, restart_type rt) {
  auto spec = fx.worker(id, rt);
  spec.significant = true;
  return spec;
}

caf::error normal_exit() { return caf::make_error(caf::exit_reason::normal); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(auto_shutdown_rules, fixture)

BOOST_AUTO_TEST_CASE(any_significant_transient_normal_exit_shuts_the_supervisor_down) {
  // Rule: under any_significant, a significant transient child exiting normally stops the others
  // (reverse order) and the supervisor exits with shutdown.
  auto sup =
      supervisor(flags_of(strategy_kind::one_for_one, 10, auto_shutdown::any_significant),
                 {worker("a"), significant(*this, "s", restart_type::transient), worker("c")});
  auto down = watch(sup);
  log->clear();
  make_exit(latest->at("s"), normal_exit());
  auto reason = down();
  BOOST_REQUIRE(reason);
  BOOST_CHECK(*reason == caf::exit_reason::user_shutdown);
  std::vector<std::string> expected{"stop:s:normal", "stop:c:shutdown", "stop:a:shutdown"};
  BOOST_CHECK_EQUAL_COLLECTIONS(log->begin(), log->end(), expected.begin(), expected.end());
}

BOOST_AUTO_TEST_CASE(shutdown_exit_of_a_significant_transient_child_counts_as_normal) {
  // Rule: OTP's shutdown exit (user_shutdown) of a significant transient child also triggers the
  // auto shutdown.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one, 10, auto_shutdown::any_significant),
                        {significant(*this, "s", restart_type::transient)});
  auto down = watch(sup);
  make_exit(latest->at("s"), caf::make_error(caf::exit_reason::user_shutdown));
  BOOST_CHECK(down());
}

BOOST_AUTO_TEST_CASE(significant_transient_abnormal_exit_is_restarted) {
  // Rule: a significant transient child exiting abnormally is restarted; no auto shutdown.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one, 10, auto_shutdown::any_significant),
                        {significant(*this, "s", restart_type::transient)});
  auto down = watch(sup);
  make_exit(latest->at("s"), crash());
  BOOST_CHECK(!down());
  BOOST_CHECK_EQUAL(starts("s"), 2u);
}

BOOST_AUTO_TEST_CASE(significant_temporary_child_shuts_down_for_any_reason) {
  // Rule: a significant temporary child triggers the auto shutdown whatever its exit reason.
  for (auto reason : {normal_exit(), crash(), caf::make_error(caf::exit_reason::kill)}) {
    fixture fx;
    auto sup =
        fx.supervisor(flags_of(strategy_kind::one_for_one, 10, auto_shutdown::any_significant),
                      {fx.worker("a"), significant(fx, "t", restart_type::temporary)});
    auto down = fx.watch(sup);
    fx.make_exit(fx.latest->at("t"), reason);
    auto got = down();
    BOOST_REQUIRE_MESSAGE(got, "no shutdown after " << show(reason));
    BOOST_CHECK(*got == caf::exit_reason::user_shutdown);
    BOOST_CHECK_EQUAL(fx.entries("stop:a").size(), 1u);
  }
}

BOOST_AUTO_TEST_CASE(all_significant_waits_for_the_last_significant_child) {
  // Rule: under all_significant, the supervisor shuts down only when no significant child runs any
  // more.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one, 10, auto_shutdown::all_significant),
                        {significant(*this, "s1", restart_type::transient),
                         significant(*this, "s2", restart_type::temporary), worker("w")});
  auto down = watch(sup);
  make_exit(latest->at("s1"), normal_exit());
  BOOST_CHECK(!down());
  make_exit(latest->at("w"), crash());  // not significant: restarted, no effect
  BOOST_CHECK(!down());
  make_exit(latest->at("s2"), normal_exit());
  auto reason = down();
  BOOST_REQUIRE(reason);
  BOOST_CHECK(*reason == caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(child_stopped_by_the_supervisor_does_not_trigger_auto_shutdown) {
  // Rule: terminate_child of a significant child is not an exit "by itself": the supervisor stays.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one, 10, auto_shutdown::any_significant),
                        {significant(*this, "s", restart_type::transient), worker("w")});
  auto down = watch(sup);
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"s"}));
  BOOST_CHECK(!down());
  BOOST_CHECK_EQUAL(counts(sup).active, 1u);
}

BOOST_AUTO_TEST_CASE(non_significant_normal_exit_does_not_trigger_auto_shutdown) {
  // Rule: only significant children count; a transient worker ending normally just stays undefined.
  auto sup = supervisor(
      flags_of(strategy_kind::one_for_one, 10, auto_shutdown::any_significant),
      {significant(*this, "s", restart_type::transient), worker("t", restart_type::transient)});
  auto down = watch(sup);
  make_exit(latest->at("t"), normal_exit());
  BOOST_CHECK(!down());
}

BOOST_AUTO_TEST_CASE(start_child_checks_significant_against_the_flags) {
  // Rule: start_child and adopt refuse a significant child under auto_shutdown never, and a
  // permanent significant child, with bad_combination.
  auto never = supervisor(flags_of(strategy_kind::one_for_one), {});
  auto res = ask<caf::actor>(never, start_child_atom::value,
                             significant(*this, "s", restart_type::transient));
  BOOST_CHECK(sup_code(res) == sup_errc::bad_combination);
  auto any =
      supervisor(flags_of(strategy_kind::one_for_one, 10, auto_shutdown::any_significant), {});
  res = ask<caf::actor>(any, start_child_atom::value,
                        significant(*this, "p", restart_type::permanent));
  BOOST_CHECK(sup_code(res) == sup_errc::bad_combination);
  res = ask<caf::actor>(any, start_child_atom::value,
                        significant(*this, "s", restart_type::transient));
  BOOST_CHECK(res);
  auto adopted = ask<caf::ok_atom>(never, adopt_atom::value, spawn_scripted("z"),
                                   significant(*this, "z", restart_type::temporary));
  BOOST_CHECK(sup_code(adopted) == sup_errc::bad_combination);
  BOOST_CHECK(entries("start:s").size() == 1u);  // refused specs started nothing
}

BOOST_AUTO_TEST_CASE(auto_shutdown_of_a_subtree_is_a_normal_exit_for_its_parent) {
  // Rule: a supervisor shutting itself down exits with shutdown, so a transient parent entry is not
  // restarted.
  child_spec mid;
  mid.id = "mid";
  mid.kind = child_kind::supervisor;
  mid.restart = restart_type::transient;
  mid.start =
      supervisor_starter(flags_of(strategy_kind::one_for_one, 10, auto_shutdown::any_significant),
                         {significant(*this, "job", restart_type::transient)});
  auto root = supervisor(flags_of(strategy_kind::one_for_one), {mid, worker("other")});
  auto down = watch(root);
  auto mid1 = handle_of(root, "mid");
  BOOST_REQUIRE(mid1);
  spawned->push_back(mid1);
  make_exit(latest->at("job"), normal_exit());
  BOOST_CHECK(!down());
  auto row = info_of(root, "mid");
  BOOST_REQUIRE(row);
  BOOST_CHECK(row->state == child_state::undefined);
  BOOST_CHECK_EQUAL(starts("job"), 1u);
  BOOST_CHECK_EQUAL(starts("other"), 1u);
}

BOOST_AUTO_TEST_SUITE_END()
