// Tests of `start_result::ignore()` (OTP's `ignore` from a start function): the spec is
// kept without an actor and nothing is restarted; ignored temporary children and
// simple_one_for_one instances are not kept.
#include <wsnova/supervision/supervisor.hpp>

#define BOOST_TEST_MODULE ignore
#include <boost/test/unit_test.hpp>

#include "fixture.hpp"

using namespace wsnova;
using namespace wsnova::test;

BOOST_FIXTURE_TEST_SUITE(ignore, fixture)

BOOST_AUTO_TEST_CASE(ignored_initial_child_keeps_its_spec_without_an_actor) {
  // Rule: an initial child answering ignore is kept, undefined, counted as a spec but not active,
  // and can be restarted by request.
  (*scripts)["a"].ignore_starts = 1;
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), worker("b")});
  auto row = info_of(sup, "a");
  BOOST_REQUIRE(row);
  BOOST_CHECK(!row->handle);
  BOOST_CHECK(row->state == child_state::undefined);
  auto c = counts(sup);
  BOOST_CHECK_EQUAL(c.specs, 2u);
  BOOST_CHECK_EQUAL(c.active, 1u);
  auto res = ask<caf::actor>(sup, restart_child_atom::value, std::string{"a"});
  BOOST_REQUIRE(res);
  BOOST_CHECK(*res && *res == latest->at("a"));
}

BOOST_AUTO_TEST_CASE(ignored_temporary_initial_child_is_not_kept) {
  // Rule: a temporary child answering ignore at start is dropped (OTP's start_children).
  (*scripts)["t"].ignore_starts = 1;
  auto sup = supervisor(flags_of(strategy_kind::one_for_one),
                        {worker("a"), worker("t", restart_type::temporary)});
  std::vector<std::string> expected{"a"};
  BOOST_CHECK(ids(sup) == expected);
}

BOOST_AUTO_TEST_CASE(start_child_answering_ignore_replies_no_handle) {
  // Rule: start_child with an ignoring start function replies an invalid handle; the spec is kept
  // unless the child is temporary.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {});
  (*scripts)["b"].ignore_starts = 1;
  (*scripts)["t"].ignore_starts = 1;
  auto b = ask<caf::actor>(sup, start_child_atom::value, worker("b"));
  BOOST_REQUIRE(b);
  BOOST_CHECK(!*b);
  auto t = ask<caf::actor>(sup, start_child_atom::value, worker("t", restart_type::temporary));
  BOOST_REQUIRE(t);
  BOOST_CHECK(!*t);
  std::vector<std::string> expected{"b"};
  BOOST_CHECK(ids(sup) == expected);
  // The kept spec is already present: a second start_child is refused.
  BOOST_CHECK(sup_code(ask<caf::actor>(sup, start_child_atom::value, worker("b"))) ==
              sup_errc::already_present);
}

BOOST_AUTO_TEST_CASE(simple_one_for_one_ignored_instance_is_not_added) {
  // Rule: a simple_one_for_one start answering ignore adds no child and replies an invalid handle.
  auto sup = supervisor(flags_of(strategy_kind::simple_one_for_one), {worker("w")});
  (*scripts)["w:x"].ignore_starts = 1;
  auto res = ask<caf::actor>(sup, start_child_atom::value, caf::make_message(std::string{"x"}));
  BOOST_REQUIRE(res);
  BOOST_CHECK(!*res);
  BOOST_CHECK(which(sup).empty());
  BOOST_CHECK_EQUAL(counts(sup).workers, 0u);
}

BOOST_AUTO_TEST_CASE(restart_answering_ignore_leaves_the_child_undefined) {
  // Rule: a restart answered with ignore leaves the child undefined and is not retried; the
  // supervisor keeps running.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), worker("b")});
  auto down = watch(sup);
  (*scripts)["a"].ignore_starts = 1;
  make_exit(latest->at("a"), crash());
  advance(10s);
  BOOST_CHECK_EQUAL(entries("ignore:a").size(), 1u);
  BOOST_CHECK_EQUAL(starts("a"), 1u);
  auto row = info_of(sup, "a");
  BOOST_REQUIRE(row);
  BOOST_CHECK(row->state == child_state::undefined);
  BOOST_CHECK(!down());
  BOOST_CHECK_EQUAL(counts(sup).active, 1u);
}

BOOST_AUTO_TEST_CASE(ignored_simple_one_for_one_restart_drops_the_instance) {
  // Rule: a simple_one_for_one instance whose restart answers ignore is dropped (OTP's
  // restart(simple_one_for_one)).
  auto sup = supervisor(flags_of(strategy_kind::simple_one_for_one), {worker("w")});
  BOOST_REQUIRE(ask<caf::actor>(sup, start_child_atom::value, caf::make_message(std::string{"x"})));
  (*scripts)["w:x"].ignore_starts = 1;
  make_exit(latest->at("w:x"), crash());
  BOOST_CHECK(which(sup).empty());
}

BOOST_AUTO_TEST_CASE(restart_child_answering_ignore_replies_no_handle) {
  // Rule: restart_child with an ignoring start function replies an invalid handle and leaves the
  // child undefined.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a")});
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"a"}));
  (*scripts)["a"].ignore_starts = 1;
  auto res = ask<caf::actor>(sup, restart_child_atom::value, std::string{"a"});
  BOOST_REQUIRE(res);
  BOOST_CHECK(!*res);
  auto row = info_of(sup, "a");
  BOOST_REQUIRE(row);
  BOOST_CHECK(row->state == child_state::undefined);
}

BOOST_AUTO_TEST_CASE(start_with_adapts_an_ignoring_callable) {
  // Rule: start_with passes a start_result through, so a callable may answer ignore.
  auto spec = worker("a");
  spec.start = start_with([](caf::actor_system&) { return start_result::ignore(); });
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {spec});
  auto row = info_of(sup, "a");
  BOOST_REQUIRE(row);
  BOOST_CHECK(row->state == child_state::undefined);
}

BOOST_AUTO_TEST_SUITE_END()
