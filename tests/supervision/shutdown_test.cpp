// Tests of child shutdown and supervisor shutdown (OTP's shutdown/2 and terminate):
// ask, await the down message, kill at the deadline; stop in reverse start order.
#include <wsnova/supervision/supervisor.hpp>

#define BOOST_TEST_MODULE shutdown
#include <boost/test/unit_test.hpp>

#include "fixture.hpp"

using namespace wsnova;
using namespace wsnova::test;

// -- shutdown ----------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(shutdown, fixture)

BOOST_AUTO_TEST_CASE(shutdown_timeout_expires_into_kill) {
  // Rule: a child ignoring user_shutdown is killed when its shutdown timeout expires.
  (*scripts)["a"].ignore_shutdown = true;
  auto spec = worker("a");
  spec.shutdown = shutdown_spec::after(1000ms);
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {spec});
  auto reply = ask_later<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"a"});
  BOOST_CHECK(!reply());
  advance(999ms);
  BOOST_CHECK(!reply());
  BOOST_CHECK(entries("stop:a").empty());
  advance(1ms);
  BOOST_CHECK(reply());
  BOOST_REQUIRE_EQUAL(entries("stop:a").size(), 1u);
  BOOST_CHECK_EQUAL(entries("stop:a").front(), "stop:a:killed");
  BOOST_CHECK(!handle_of(sup, "a"));
}

BOOST_AUTO_TEST_CASE(obedient_child_stops_with_shutdown_before_timeout) {
  // Rule: a child obeying user_shutdown ends with shutdown, no kill and no waiting.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a")});
  auto res = ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"a"});
  BOOST_CHECK(res);
  BOOST_CHECK_EQUAL(entries("stop:a").front(), "stop:a:shutdown");
  // The stale timer firing later has no effect.
  advance(10s);
  BOOST_CHECK_EQUAL(starts("a"), 1u);
}

BOOST_AUTO_TEST_CASE(brutal_kill_kills_at_once) {
  // Rule: brutal_kill sends kill without asking first.
  (*scripts)["a"].ignore_shutdown = true;
  auto spec = worker("a");
  spec.shutdown = shutdown_spec::brutal_kill();
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {spec});
  auto res = ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"a"});
  BOOST_CHECK(res);
  BOOST_CHECK_EQUAL(entries("stop:a").front(), "stop:a:killed");
}

BOOST_AUTO_TEST_CASE(infinity_waits_without_deadline) {
  // Rule: shutdown infinity never kills; the supervisor waits for the down message.
  (*scripts)["a"].ignore_shutdown = true;
  auto spec = worker("a");
  spec.shutdown = shutdown_spec::infinity();
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {spec});
  auto reply = ask_later<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"a"});
  advance(std::chrono::hours(24));
  BOOST_CHECK(!reply());
  BOOST_CHECK(entries("stop:a").empty());
  make_exit(latest->at("a"), caf::make_error(caf::exit_reason::user_shutdown));
  BOOST_CHECK(reply());
}

BOOST_AUTO_TEST_CASE(stop_order_is_reverse_start_order) {
  // Rule: a supervisor asked to exit stops its children right to left, then exits with that reason.
  auto sup =
      supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), worker("b"), worker("c")});
  auto down = watch(sup);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  run();
  std::vector<std::string> expected{"stop:c:shutdown", "stop:b:shutdown", "stop:a:shutdown"};
  BOOST_CHECK(entries("stop:") == expected);
  auto reason = down();
  BOOST_REQUIRE(reason);
  BOOST_CHECK(*reason == caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(child_dying_during_supervisor_shutdown_is_not_restarted) {
  // Rule: once the supervisor shuts down, no child is restarted.
  (*scripts)["c"].ignore_shutdown = true;
  auto c = worker("c");
  c.shutdown = shutdown_spec::after(1000ms);
  auto sup = supervisor(flags_of(strategy_kind::one_for_all), {worker("a"), worker("b"), c});
  auto down = watch(sup);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  run();  // waits for c
  make_exit(latest->at("a"), crash());
  advance(1000ms);
  BOOST_CHECK(down());
  BOOST_CHECK_EQUAL(starts("a"), 1u);
  BOOST_CHECK_EQUAL(starts("b"), 1u);
  BOOST_CHECK_EQUAL(starts("c"), 1u);
}

BOOST_AUTO_TEST_CASE(killed_supervisor_kills_its_children) {
  // Rule: a supervisor killed (untrappable) takes its running children with it.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), worker("b")});
  caf::anon_send_exit(sup, caf::exit_reason::kill);
  run();
  BOOST_CHECK_EQUAL(entries("stop:").size(), 2u);
  BOOST_CHECK_EQUAL(entries("stop:a").front(), "stop:a:killed");
}

BOOST_AUTO_TEST_SUITE_END()
