// Tests of the queries of <wsnova/supervision/supervisor_actor.hpp>: count_children,
// which_children and get_childspec, as OTP's.
#include <wsnova/supervision/supervisor_actor.hpp>

#define BOOST_TEST_MODULE queries
#include <boost/test/unit_test.hpp>

#include "fixture.hpp"

using namespace wsnova;
using namespace wsnova::test;

BOOST_FIXTURE_TEST_SUITE(queries, fixture)

BOOST_AUTO_TEST_CASE(count_children_counts_specs_active_supervisors_and_workers) {
  // Rule: specs counts every spec, active the running children, supervisors and workers every spec
  // of that kind, running or not.
  child_spec mid;
  mid.id = "mid";
  mid.kind = child_kind::supervisor;
  mid.start = supervisor_starter(flags_of(strategy_kind::one_for_one), {worker("leaf")});
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), mid, worker("b")});
  spawned->push_back(handle_of(sup, "mid"));
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"b"}));
  auto c = counts(sup);
  BOOST_CHECK_EQUAL(c.specs, 3u);
  BOOST_CHECK_EQUAL(c.active, 2u);
  BOOST_CHECK_EQUAL(c.supervisors, 1u);
  BOOST_CHECK_EQUAL(c.workers, 2u);
}

BOOST_AUTO_TEST_CASE(simple_one_for_one_counts_the_template_as_one_spec) {
  // Rule: as OTP, a simple_one_for_one supervisor reports one spec and counts its instances by
  // kind.
  auto sup = supervisor(flags_of(strategy_kind::simple_one_for_one), {worker("w")});
  BOOST_CHECK_EQUAL(counts(sup).specs, 1u);
  for (auto arg : {"x", "y", "z"})
    BOOST_REQUIRE(
        ask<caf::actor>(sup, start_child_atom::value, caf::make_message(std::string{arg})));
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, terminate_child_atom::value, latest->at("w:y")));
  auto c = counts(sup);
  BOOST_CHECK_EQUAL(c.specs, 1u);
  BOOST_CHECK_EQUAL(c.active, 2u);
  BOOST_CHECK_EQUAL(c.workers, 2u);
  BOOST_CHECK_EQUAL(c.supervisors, 0u);
}

BOOST_AUTO_TEST_CASE(which_children_reports_running_restarting_and_undefined) {
  // Rule: each row carries id, handle, kind, restart type and state (OTP's pid | restarting |
  // undefined), in start order.
  auto b = worker("b", restart_type::transient);
  b.backoff.initial_delay = 100ms;
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), b, worker("c")});
  make_exit(latest->at("b"), crash());
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"c"}));
  auto rows = which(sup);
  BOOST_REQUIRE_EQUAL(rows.size(), 3u);
  BOOST_CHECK_EQUAL(rows[0].id, "a");
  BOOST_CHECK(rows[0].state == child_state::running);
  BOOST_CHECK(rows[0].handle == latest->at("a"));
  BOOST_CHECK(rows[0].kind == child_kind::worker);
  BOOST_CHECK(rows[1].state == child_state::restarting);
  BOOST_CHECK(!rows[1].handle);
  BOOST_CHECK(rows[1].restart == restart_type::transient);
  BOOST_CHECK(rows[2].state == child_state::undefined);
  BOOST_CHECK(!rows[2].handle);
  advance(100ms);
  BOOST_CHECK(info_of(sup, "b")->state == child_state::running);
  BOOST_CHECK_EQUAL(to_string(child_state::restarting), "restarting");
}

BOOST_AUTO_TEST_CASE(which_children_counts_restarts_per_child_id) {
  // Rule: restarts counts the starts of an id after its first one (by the strategy or by
  // restart_child), per id; a sibling's crashes do not count for it.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), worker("b")});
  BOOST_CHECK_EQUAL(info_of(sup, "a")->restarts, 0u);
  make_exit(latest->at("a"), crash());
  BOOST_CHECK_EQUAL(info_of(sup, "a")->restarts, 1u);
  make_exit(latest->at("a"), caf::exit_reason::kill);
  auto a = info_of(sup, "a");
  BOOST_CHECK_EQUAL(a->restarts, 2u);
  BOOST_CHECK(a->state == child_state::running);
  BOOST_CHECK_EQUAL(info_of(sup, "b")->restarts, 0u);
  // A manual restart counts too; a terminate does not.
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"b"}));
  BOOST_CHECK_EQUAL(info_of(sup, "b")->restarts, 0u);
  BOOST_REQUIRE(ask<caf::actor>(sup, restart_child_atom::value, std::string{"b"}));
  BOOST_CHECK_EQUAL(info_of(sup, "b")->restarts, 1u);
  BOOST_CHECK_EQUAL(info_of(sup, "a")->restarts, 2u);
}

BOOST_AUTO_TEST_CASE(simple_one_for_one_instances_count_their_own_restarts) {
  // Rule: each simple_one_for_one instance has its own count.
  auto sup = supervisor(flags_of(strategy_kind::simple_one_for_one), {worker("w")});
  for (auto arg : {"x", "y"})
    BOOST_REQUIRE(
        ask<caf::actor>(sup, start_child_atom::value, caf::make_message(std::string{arg})));
  make_exit(latest->at("w:x"), crash());
  auto rows = which(sup);
  BOOST_REQUIRE_EQUAL(rows.size(), 2u);
  BOOST_CHECK_EQUAL(rows[0].id, "w#1");
  BOOST_CHECK_EQUAL(rows[0].restarts, 1u);
  BOOST_CHECK(rows[0].handle == latest->at("w:x"));
  BOOST_CHECK_EQUAL(rows[1].restarts, 0u);
}

BOOST_AUTO_TEST_CASE(get_childspec_returns_the_spec_with_defaults_filled_in) {
  // Rule: get_childspec by id or by handle replies the child's spec with defaults filled in; an
  // unknown child is unknown_child.
  auto spec = worker("a", restart_type::transient);
  spec.kind = child_kind::supervisor;  // only the default shutdown depends on it here
  spec.start = scripted_start("a");
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {spec});
  auto by_id = ask<child_spec>(sup, get_childspec_atom::value, std::string{"a"});
  BOOST_REQUIRE(by_id);
  BOOST_CHECK_EQUAL(by_id->id, "a");
  BOOST_CHECK(by_id->restart == restart_type::transient);
  BOOST_REQUIRE(by_id->shutdown);
  BOOST_CHECK(*by_id->shutdown == shutdown_spec::infinity());
  auto by_handle = ask<child_spec>(sup, get_childspec_atom::value, latest->at("a"));
  BOOST_REQUIRE(by_handle);
  BOOST_CHECK_EQUAL(by_handle->id, "a");
  BOOST_CHECK(sup_code(ask<child_spec>(sup, get_childspec_atom::value, std::string{"x"})) ==
              sup_errc::unknown_child);
  BOOST_CHECK(sup_code(ask<child_spec>(sup, get_childspec_atom::value, spawn_scripted("x"))) ==
              sup_errc::unknown_child);
}

BOOST_AUTO_TEST_CASE(get_childspec_of_a_dynamic_instance_is_the_template) {
  // Rule: for a simple_one_for_one instance, get_childspec replies the template (OTP).
  auto sup = supervisor(flags_of(strategy_kind::simple_one_for_one), {worker("w")});
  auto hdl = ask<caf::actor>(sup, start_child_atom::value, caf::make_message(std::string{"x"}));
  BOOST_REQUIRE(hdl && *hdl);
  auto spec = ask<child_spec>(sup, get_childspec_atom::value, *hdl);
  BOOST_REQUIRE(spec);
  BOOST_CHECK_EQUAL(spec->id, "w");
}

BOOST_AUTO_TEST_CASE(a_spec_from_get_childspec_starts_the_child_elsewhere) {
  // Rule: locally the reply keeps the start function, so the spec can start the same child under
  // another supervisor.
  auto one = supervisor(flags_of(strategy_kind::one_for_one), {worker("a")});
  auto two = supervisor(flags_of(strategy_kind::one_for_one), {});
  auto spec = ask<child_spec>(one, get_childspec_atom::value, std::string{"a"});
  BOOST_REQUIRE(spec);
  auto res = ask<caf::actor>(two, start_child_atom::value, *spec);
  BOOST_REQUIRE(res);
  BOOST_CHECK(*res == latest->at("a"));
  BOOST_CHECK_EQUAL(starts("a"), 2u);
}

BOOST_AUTO_TEST_CASE(supervision_errors_render_through_the_registered_category) {
  // Rule: add_supervision_message_types registers the wsnova_sup renderer, so the actor system
  // renders a supervision error like describe().
  auto err = ask<child_spec>(supervisor(flags_of(strategy_kind::one_for_one), {}),
                             get_childspec_atom::value, std::string{"x"});
  BOOST_REQUIRE(!err);
  BOOST_CHECK_EQUAL(sys.render(err.error()), describe(err.error()));
  BOOST_CHECK(sys.render(err.error()).rfind("wsnova_sup: unknown_child", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
