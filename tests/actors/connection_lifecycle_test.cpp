// Tests of <wsnova/actors/detail/connection_lifecycle.hpp>: the connection's transition
// table, checked for every (state, event) pair, and the stop cause.
#include <wsnova/actors/detail/connection_lifecycle.hpp>

#define BOOST_TEST_MODULE connection_lifecycle
#include <boost/test/unit_test.hpp>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>

using namespace wsnova;
using namespace wsnova::detail;

namespace {

using cs = connection_state;
using ev = lifecycle_event;

constexpr std::array all_states{cs::idle,         cs::connecting, cs::connected, cs::disconnected,
                                cs::reconnecting, cs::closing,    cs::closed};
constexpr std::array all_events{ev::connect, ev::open, ev::retry, ev::close, ev::drop, ev::finish};

/// The documented table: every valid (state, event) pair and where it leads. Every pair not
/// listed must be rejected.
const std::map<std::pair<cs, ev>, cs>& table() {
  static const std::map<std::pair<cs, ev>, cs> valid{
      {{cs::idle, ev::connect}, cs::connecting},
      {{cs::idle, ev::finish}, cs::closed},
      {{cs::connecting, ev::open}, cs::connected},
      {{cs::connecting, ev::close}, cs::closing},
      {{cs::connecting, ev::drop}, cs::disconnected},
      {{cs::connecting, ev::retry}, cs::reconnecting},
      {{cs::connecting, ev::finish}, cs::closed},
      {{cs::connected, ev::close}, cs::closing},
      {{cs::connected, ev::drop}, cs::disconnected},
      {{cs::connected, ev::retry}, cs::reconnecting},
      {{cs::connected, ev::finish}, cs::closed},
      {{cs::disconnected, ev::retry}, cs::reconnecting},
      {{cs::disconnected, ev::finish}, cs::closed},
      {{cs::reconnecting, ev::connect}, cs::connecting},
      {{cs::reconnecting, ev::retry}, cs::reconnecting},
      {{cs::reconnecting, ev::finish}, cs::closed},
      {{cs::closing, ev::close}, cs::closing},
      {{cs::closing, ev::drop}, cs::disconnected},
      {{cs::closing, ev::finish}, cs::closed},
  };
  return valid;
}

/// A lifecycle driven through `events` from idle (each must be valid).
connection_lifecycle driven(std::initializer_list<ev> events) {
  connection_lifecycle lc;
  for (auto e : events) BOOST_REQUIRE_MESSAGE(lc.advance(e), "event " << to_string(e));
  return lc;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transition_table)

// Rule: next_state answers exactly the documented table; every other pair is rejected.
BOOST_AUTO_TEST_CASE(every_state_event_pair_matches_the_table) {
  std::size_t valid = 0;
  for (auto s : all_states) {
    for (auto e : all_events) {
      BOOST_TEST_CONTEXT(to_string(s) << " + " << to_string(e)) {
        auto expected = table().find({s, e});
        auto next = next_state(s, e);
        if (expected == table().end()) {
          BOOST_TEST(!next.has_value());
        } else {
          ++valid;
          BOOST_TEST_REQUIRE(next.has_value());
          BOOST_TEST(to_string(*next) == to_string(expected->second));
        }
      }
    }
  }
  BOOST_TEST(valid == table().size());
}

// Rule: closed is final: no event leaves it.
BOOST_AUTO_TEST_CASE(closed_accepts_no_event) {
  for (auto e : all_events) BOOST_TEST(!next_state(cs::closed, e).has_value(), to_string(e));
}

// Rule: finish reaches closed from every other state (a connection can always give up).
BOOST_AUTO_TEST_CASE(finish_reaches_closed_from_every_open_state) {
  for (auto s : all_states)
    if (s != cs::closed) BOOST_TEST((next_state(s, ev::finish) == cs::closed), to_string(s));
}

// Rule: a connection closing for good never schedules a reconnect.
BOOST_AUTO_TEST_CASE(closing_cannot_retry) {
  BOOST_TEST(!next_state(cs::closing, ev::retry).has_value());
  BOOST_TEST(!next_state(cs::closing, ev::open).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(advancing)

// Rule: a new lifecycle is idle and not stopping.
BOOST_AUTO_TEST_CASE(starts_idle_and_not_stopping) {
  connection_lifecycle lc;
  BOOST_TEST(lc.is(cs::idle));
  BOOST_TEST(!lc.stopping());
  BOOST_TEST((lc.cause() == stop_cause::none));
}

// Rule: advance follows the table through a whole life: connect, drop, reconnect, close.
BOOST_AUTO_TEST_CASE(walks_a_whole_life) {
  connection_lifecycle lc;
  const std::pair<ev, cs> steps[] = {
      {ev::connect, cs::connecting}, {ev::open, cs::connected},     {ev::drop, cs::disconnected},
      {ev::retry, cs::reconnecting}, {ev::connect, cs::connecting}, {ev::open, cs::connected},
      {ev::close, cs::closing},      {ev::drop, cs::disconnected},  {ev::finish, cs::closed},
  };
  for (auto [e, expected] : steps) {
    BOOST_TEST_REQUIRE(lc.advance(e), to_string(e));
    BOOST_TEST(to_string(lc.state()) == to_string(expected));
  }
}

// Rule: a connect that fails before the upgrade can retry straight away.
BOOST_AUTO_TEST_CASE(failed_connect_retries) {
  auto lc = driven({ev::connect, ev::drop, ev::retry, ev::connect});
  BOOST_TEST(lc.is(cs::connecting));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stop_causes)

// Rule: the first stop cause is recorded and a close request does not replace it.
BOOST_AUTO_TEST_CASE(first_cause_is_kept) {
  connection_lifecycle lc;
  lc.stop(stop_cause::close_requested);
  BOOST_TEST(lc.stopping());
  lc.stop(stop_cause::close_requested);
  BOOST_TEST((lc.cause() == stop_cause::close_requested));
}

// Rule: the owner's death supersedes a close request (no one is left to report to).
BOOST_AUTO_TEST_CASE(owner_gone_supersedes_close_requested) {
  connection_lifecycle lc;
  lc.stop(stop_cause::close_requested);
  lc.stop(stop_cause::owner_gone);
  BOOST_TEST((lc.cause() == stop_cause::owner_gone));
}

// Rule: once the owner is gone, a later close request keeps the cause owner_gone.
BOOST_AUTO_TEST_CASE(close_request_after_owner_gone_keeps_owner_gone) {
  connection_lifecycle lc;
  lc.stop(stop_cause::owner_gone);
  lc.stop(stop_cause::close_requested);
  BOOST_TEST((lc.cause() == stop_cause::owner_gone));
}

// Rule: a cause is never cleared.
BOOST_AUTO_TEST_CASE(cause_is_never_cleared) {
  connection_lifecycle lc;
  lc.stop(stop_cause::close_requested);
  lc.stop(stop_cause::none);
  BOOST_TEST(lc.stopping());
}

// Rule: the stop cause does not move the state; the state machine does.
BOOST_AUTO_TEST_CASE(stopping_leaves_the_state_alone) {
  auto lc = driven({ev::connect, ev::open});
  lc.stop(stop_cause::close_requested);
  BOOST_TEST(lc.is(cs::connected));
}

BOOST_AUTO_TEST_SUITE_END()
