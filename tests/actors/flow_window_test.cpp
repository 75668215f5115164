// Tests of <wsnova/actors/detail/flow_window.hpp>: receive credit, held messages and the
// pause/resume signals (Gun's flow control), without an actor.
#include <wsnova/actors/detail/flow_window.hpp>

#define BOOST_TEST_MODULE flow_window
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace wsnova;
using namespace wsnova::detail;

namespace {

ws_message text(std::string payload) { return ws_message{message_kind::text, std::move(payload)}; }

/// Offers `payloads` in order; returns the ones admitted at once.
std::vector<std::string> offer(flow_window& window, std::initializer_list<const char*> payloads) {
  std::vector<std::string> admitted;
  for (auto p : payloads) {
    auto message = text(p);
    if (window.admit(message)) admitted.push_back(message.payload);
  }
  return admitted;
}

/// Grants `n`; returns the released payloads and whether reading should resume.
std::pair<std::vector<std::string>, bool> grant(flow_window& window, std::uint32_t n) {
  std::vector<std::string> released;
  bool resume = window.grant(n, [&](ws_message&& m) { released.push_back(std::move(m.payload)); });
  return {released, resume};
}

using strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(unlimited)

// Rule: a window of 0 limits nothing: every message goes through, reading never pauses.
BOOST_AUTO_TEST_CASE(zero_window_admits_everything) {
  flow_window window{0};
  BOOST_TEST(!window.limited());
  BOOST_TEST(offer(window, {"a", "b", "c"}) == (strings{"a", "b", "c"}));
  BOOST_TEST(!window.exhausted());
  BOOST_TEST(window.held() == 0u);
}

// Rule: granting credit to an unlimited window does nothing and asks for no resume.
BOOST_AUTO_TEST_CASE(grant_on_unlimited_window_is_a_no_op) {
  flow_window window{0};
  auto [released, resume] = grant(window, 5);
  BOOST_TEST(released.empty());
  BOOST_TEST(!resume);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(limited)

// Rule: messages go through while credit lasts; the last credit signals a pause.
BOOST_AUTO_TEST_CASE(delivers_while_credit_lasts_then_signals_pause) {
  flow_window window{2};
  auto m1 = text("1");
  BOOST_TEST(window.admit(m1));
  BOOST_TEST(!window.exhausted());
  auto m2 = text("2");
  BOOST_TEST(window.admit(m2));
  BOOST_TEST(window.exhausted());
  BOOST_TEST(window.credit() == 0u);
}

// Rule: messages read after the credit ran out are held, not delivered.
BOOST_AUTO_TEST_CASE(holds_messages_read_after_credit_ran_out) {
  flow_window window{1};
  BOOST_TEST(offer(window, {"a", "b", "c"}) == (strings{"a"}));
  BOOST_TEST(window.held() == 2u);
}

// Rule: held messages go first, in order, when credit comes; leftover credit resumes.
BOOST_AUTO_TEST_CASE(grant_releases_held_messages_in_order_then_resumes) {
  flow_window window{1};
  offer(window, {"a", "b", "c"});
  auto [released, resume] = grant(window, 3);
  BOOST_TEST(released == (strings{"b", "c"}));
  BOOST_TEST(resume);
  BOOST_TEST(window.credit() == 1u);
  BOOST_TEST(window.held() == 0u);
}

// Rule: credit smaller than the held messages releases only that many and keeps reading
// paused; the rest stay held, in order, for the next grant.
BOOST_AUTO_TEST_CASE(small_grant_releases_part_and_stays_paused) {
  flow_window window{1};
  offer(window, {"a", "b", "c", "d"});
  auto [first, resume_first] = grant(window, 2);
  BOOST_TEST(first == (strings{"b", "c"}));
  BOOST_TEST(!resume_first);
  BOOST_TEST(window.exhausted());
  auto [second, resume_second] = grant(window, 1);
  BOOST_TEST(second == (strings{"d"}));
  BOOST_TEST(!resume_second);
}

// Rule: a grant exactly covering the held messages delivers them all but does not resume.
BOOST_AUTO_TEST_CASE(grant_equal_to_held_does_not_resume) {
  flow_window window{1};
  offer(window, {"a", "b"});
  auto [released, resume] = grant(window, 1);
  BOOST_TEST(released == (strings{"b"}));
  BOOST_TEST(!resume);
}

// Rule: new messages after a grant use the fresh credit (nothing held jumps the queue).
BOOST_AUTO_TEST_CASE(credit_accumulates_across_grants) {
  flow_window window{1};
  offer(window, {"a"});
  grant(window, 2);
  grant(window, 3);
  BOOST_TEST(window.credit() == 5u);
  BOOST_TEST(offer(window, {"x", "y"}) == (strings{"x", "y"}));
  BOOST_TEST(window.credit() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
