// Tests of a failed restart inside a group (OTP's restart_multiple_children and
// try_again_restart): the strategy plans the group again from the child that failed to
// start, and every retry counts toward the restart intensity.
#include <wsnova/supervision/supervisor.hpp>

#define BOOST_TEST_MODULE group_restart
#include <boost/test/unit_test.hpp>

#include "fixture.hpp"

using namespace wsnova;
using namespace wsnova::test;

BOOST_FIXTURE_TEST_SUITE(failed_group_restart, fixture)

BOOST_AUTO_TEST_CASE(one_for_all_failed_restart_stops_and_restarts_the_whole_group_again) {
  // Rule: in one_for_all, when a start fails part-way, the siblings already restarted are stopped
  // again (reverse order) and the whole group starts again (OTP's try_again_restart).
  auto sup =
      supervisor(flags_of(strategy_kind::one_for_all), {worker("a"), worker("b"), worker("c")});
  (*scripts)["c"].fail_starts = 1;
  log->clear();
  make_exit(latest->at("b"), crash());
  std::vector<std::string> expected{
      "stop:b:abnormal", "stop:c:shutdown", "stop:a:shutdown",  // the group goes down
      "start:a",         "start:b",         "fail:c",           // c fails to start
      "stop:b:shutdown", "stop:a:shutdown",                     // the group goes down again
      "start:a",         "start:b",         "start:c",          // and starts again
  };
  BOOST_CHECK_EQUAL_COLLECTIONS(log->begin(), log->end(), expected.begin(), expected.end());
  for (auto id : {"a", "b", "c"}) BOOST_CHECK(handle_of(sup, id) == latest->at(id));
  BOOST_CHECK_EQUAL(counts(sup).active, 3u);
}

BOOST_AUTO_TEST_CASE(rest_for_one_failed_restart_retries_from_the_child_that_failed) {
  // Rule: in rest_for_one, the retry splits at the child that failed to start: it and the later
  // children start again, the earlier ones keep running (OTP's split_child at the failed id).
  auto sup = supervisor(flags_of(strategy_kind::rest_for_one),
                        {worker("a"), worker("b"), worker("c"), worker("d")});
  (*scripts)["c"].fail_starts = 1;
  log->clear();
  make_exit(latest->at("b"), crash());
  std::vector<std::string> expected{
      "stop:b:abnormal", "stop:d:shutdown", "stop:c:shutdown", "start:b",
      "fail:c",          "start:c",         "start:d",
  };
  BOOST_CHECK_EQUAL_COLLECTIONS(log->begin(), log->end(), expected.begin(), expected.end());
  BOOST_CHECK_EQUAL(starts("a"), 0u);  // since the log was cleared: never restarted
  BOOST_CHECK_EQUAL(starts("b"), 1u);
  std::vector<std::string> order{"a", "b", "c", "d"};
  BOOST_CHECK(ids(sup) == order);
  BOOST_CHECK_EQUAL(counts(sup).active, 4u);
}

BOOST_AUTO_TEST_CASE(rest_for_one_failure_of_the_crashed_child_restarts_its_tail_again) {
  // Rule: when the crashed child itself fails to start again, rest_for_one retries it and its later
  // siblings, never the earlier ones.
  auto sup =
      supervisor(flags_of(strategy_kind::rest_for_one), {worker("a"), worker("b"), worker("c")});
  (*scripts)["b"].fail_starts = 2;
  log->clear();
  make_exit(latest->at("b"), crash());
  std::vector<std::string> expected{"stop:b:abnormal", "stop:c:shutdown", "fail:b",
                                    "fail:b",          "start:b",         "start:c"};
  BOOST_CHECK_EQUAL_COLLECTIONS(log->begin(), log->end(), expected.begin(), expected.end());
  BOOST_CHECK_EQUAL(starts("a"), 0u);  // since the log was cleared: never restarted
}

BOOST_AUTO_TEST_CASE(group_retry_counts_toward_intensity) {
  // Rule: each retry of a group restart is a restart for the intensity; one too many stops the
  // supervisor, restarted siblings included.
  auto sup =
      supervisor(flags_of(strategy_kind::one_for_all, 1), {worker("a"), worker("b"), worker("c")});
  auto down = watch(sup);
  (*scripts)["c"].fail_starts = 1;
  log->clear();
  make_exit(latest->at("b"), crash());
  auto reason = down();
  BOOST_REQUIRE(reason);
  BOOST_CHECK_MESSAGE(is(*reason, sup_errc::restart_intensity), show(*reason));
  // One group restart (a, b started, c failed), no second attempt; a and b stopped again.
  std::vector<std::string> expected{"stop:b:abnormal", "stop:c:shutdown", "stop:a:shutdown",
                                    "start:a",         "start:b",         "fail:c",
                                    "stop:b:shutdown", "stop:a:shutdown"};
  BOOST_CHECK_EQUAL_COLLECTIONS(log->begin(), log->end(), expected.begin(), expected.end());
}

BOOST_AUTO_TEST_CASE(one_for_one_failed_restart_retries_the_child_alone) {
  // Rule: in one_for_one, the retry restarts the failed child only; its siblings are never touched.
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {worker("a"), worker("b")});
  (*scripts)["a"].fail_starts = 3;
  log->clear();
  make_exit(latest->at("a"), crash());
  std::vector<std::string> expected{"stop:a:abnormal", "fail:a", "fail:a", "fail:a", "start:a"};
  BOOST_CHECK_EQUAL_COLLECTIONS(log->begin(), log->end(), expected.begin(), expected.end());
  BOOST_CHECK_EQUAL(starts("b"), 0u);  // since the log was cleared: never restarted
}

BOOST_AUTO_TEST_CASE(failed_restart_with_backoff_waits_the_next_delay) {
  // Rule: with a backoff, a retry after a failed start waits the failed child's next delay (100 ms,
  // then 200 ms).
  auto spec = worker("a");
  spec.backoff.initial_delay = 100ms;
  spec.backoff.max_delay = 1s;
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {spec});
  (*scripts)["a"].fail_starts = 1;
  make_exit(latest->at("a"), crash());
  BOOST_CHECK(entries("fail:a").empty());
  advance(100ms);
  BOOST_CHECK_EQUAL(entries("fail:a").size(), 1u);
  auto row = info_of(sup, "a");
  BOOST_REQUIRE(row);
  BOOST_CHECK(row->state == child_state::restarting);
  advance(199ms);
  BOOST_CHECK_EQUAL(starts("a"), 1u);
  advance(1ms);
  BOOST_CHECK_EQUAL(starts("a"), 2u);
  BOOST_CHECK(handle_of(sup, "a") == latest->at("a"));
}

BOOST_AUTO_TEST_CASE(restart_child_before_the_retry_starts_the_waiting_siblings_too) {
  // Rule: if restart_child starts the failed child before its retry message arrives, the retry
  // starts the siblings still waiting instead of leaving them undefined.
  auto sup_handle = std::make_shared<caf::actor>();
  auto b = worker("b");
  auto scripted = scripted_start("b");
  b.start = [this, scripted, sup_handle](caf::actor_system& sys,
                                         const caf::message& args) -> start_result {
    bool will_fail = (*scripts)["b"].fail_starts > 0;
    auto res = scripted(sys, args);
    if (will_fail)  // queued before the supervisor's own retry message
      caf::anon_send(caf::actor_cast<supervisor_actor>(*sup_handle), restart_child_atom::value,
                     std::string{"b"});
    return res;
  };
  auto sup = supervisor(flags_of(strategy_kind::one_for_all), {worker("a"), b, worker("c")});
  *sup_handle = caf::actor_cast<caf::actor>(sup);
  (*scripts)["b"].fail_starts = 1;
  log->clear();
  make_exit(latest->at("a"), crash());
  std::vector<std::string> expected{"stop:a:abnormal", "stop:c:shutdown", "stop:b:shutdown",
                                    "start:a",         "fail:b",          "start:b",
                                    "start:c"};
  BOOST_CHECK_EQUAL_COLLECTIONS(log->begin(), log->end(), expected.begin(), expected.end());
  BOOST_CHECK_EQUAL(counts(sup).active, 3u);
}

BOOST_AUTO_TEST_CASE(terminate_child_cancels_a_pending_restart) {
  // Rule: terminating a child that waits for a delayed restart cancels the restart; it stays
  // undefined.
  auto spec = worker("a");
  spec.backoff.initial_delay = 100ms;
  auto sup = supervisor(flags_of(strategy_kind::one_for_one), {spec});
  make_exit(latest->at("a"), crash());
  BOOST_REQUIRE(ask<caf::ok_atom>(sup, terminate_child_atom::value, std::string{"a"}));
  advance(1s);
  BOOST_CHECK_EQUAL(starts("a"), 1u);
  auto row = info_of(sup, "a");
  BOOST_REQUIRE(row);
  BOOST_CHECK(row->state == child_state::undefined);
}

BOOST_AUTO_TEST_SUITE_END()
