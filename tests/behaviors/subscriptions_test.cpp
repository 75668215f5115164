// Tests of <wsnova/behaviors/subscriptions.hpp>: every state transition of a subscription,
// confirmation deadlines and the restore order after a reconnect, on an injected clock.
#include <wsnova/behaviors/subscriptions.hpp>

#define BOOST_TEST_MODULE subscriptions
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include <wsnova/core/error.hpp>

using namespace wsnova;
using namespace std::chrono_literals;

namespace {

using time_point = subscription_table::time_point;
using strings = std::vector<std::string>;

const time_point t0{std::chrono::hours{1}};

std::uint64_t add(subscription_table& table, const std::string& channel, caf::timespan timeout = 5s,
                  time_point now = t0) {
  auto id = table.subscribe(channel, boost::json::parse(R"({"depth":1})"), timeout, now);
  BOOST_REQUIRE(id);
  return *id;
}

std::string state(const subscription_table& table, std::uint64_t id) {
  auto* entry = table.find(id);
  return entry ? to_string(entry->state) : "missing";
}

strings channels(const std::vector<subscription>& list) {
  strings result;
  for (auto& s : list) result.push_back(s.channel);
  return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transitions)

// Rule: a new subscription is pending, with its channel, params and deadline.
BOOST_AUTO_TEST_CASE(subscribe_starts_pending) {
  subscription_table table;
  auto id = add(table, "trades", 2s);
  BOOST_TEST(id == 1u);
  BOOST_TEST(state(table, id) == "pending");
  auto* entry = table.find(id);
  BOOST_REQUIRE(entry);
  BOOST_TEST(entry->channel == "trades");
  BOOST_TEST(entry->params.at("depth").to_number<int>() == 1);
  BOOST_TEST((entry->deadline == t0 + 2s));
  BOOST_TEST((*table.next_deadline() == t0 + 2s));
}

// Rule: pending → confirmed; a second confirmation changes nothing; confirmed has no
// deadline any more.
BOOST_AUTO_TEST_CASE(pending_to_confirmed) {
  subscription_table table;
  auto id = add(table, "trades");
  BOOST_TEST(!table.confirm(id));
  BOOST_TEST(state(table, id) == "confirmed");
  BOOST_TEST(!table.confirm(id));
  BOOST_TEST(state(table, id) == "confirmed");
  BOOST_TEST(!table.next_deadline());
  BOOST_TEST(table.expire(t0 + 1h).empty());
}

// Rule: pending → failed and confirmed → failed (revoked), with the reason kept.
BOOST_AUTO_TEST_CASE(pending_or_confirmed_to_failed) {
  subscription_table table;
  auto a = add(table, "a");
  auto b = add(table, "b");
  BOOST_TEST(!table.confirm(b));
  BOOST_TEST(!table.fail(a, make_error(errc::not_allowed, "no such channel")));
  BOOST_TEST(!table.fail(b, make_error(errc::closed_by_peer, "revoked")));
  BOOST_TEST(state(table, a) == "failed");
  BOOST_TEST(state(table, b) == "failed");
  BOOST_TEST(is(table.find(a)->error, errc::not_allowed));
  BOOST_TEST(is(table.find(b)->error, errc::closed_by_peer));
}

// Rule: pending → unsubscribed and confirmed → unsubscribed.
BOOST_AUTO_TEST_CASE(pending_or_confirmed_to_unsubscribed) {
  subscription_table table;
  auto a = add(table, "a");
  auto b = add(table, "b");
  BOOST_TEST(!table.confirm(b));
  BOOST_TEST(!table.unsubscribe(a));
  BOOST_TEST(!table.unsubscribe(b));
  BOOST_TEST(state(table, a) == "unsubscribed");
  BOOST_TEST(state(table, b) == "unsubscribed");
  BOOST_TEST(!table.next_deadline());
}

// Rule: pending → expired at the deadline (not before), with a timeout error; confirmed
// ones never expire.
BOOST_AUTO_TEST_CASE(pending_to_expired_at_deadline) {
  subscription_table table;
  auto a = add(table, "a", 1s);
  auto b = add(table, "b", 3s);
  auto c = add(table, "c", 1s);
  BOOST_TEST(!table.confirm(c));
  BOOST_TEST(table.expire(t0 + 999ms).empty());
  auto expired = table.expire(t0 + 1s);
  BOOST_REQUIRE(expired.size() == 1u);
  BOOST_TEST(expired[0].id == a);
  BOOST_TEST(to_string(expired[0].state) == std::string{"expired"});
  BOOST_TEST(is(expired[0].error, errc::timeout));
  BOOST_TEST(describe(expired[0].error).find("(a)") != std::string::npos);
  BOOST_TEST(state(table, a) == "expired");
  BOOST_TEST(state(table, b) == "pending");
  BOOST_TEST(state(table, c) == "confirmed");
  BOOST_TEST((*table.next_deadline() == t0 + 3s));
  BOOST_TEST(table.expire(t0 + 1s).empty());  // expired only once
}

// Rule: final states are final: confirm, fail and unsubscribe of a final subscription are
// not_allowed and change nothing; unknown ids are unknown_id.
BOOST_AUTO_TEST_CASE(final_states_are_final) {
  subscription_table table;
  auto expired = add(table, "e", 1s);
  table.expire(t0 + 1s);
  auto failed = add(table, "f");
  BOOST_TEST(!table.fail(failed, make_error(errc::not_allowed)));
  auto gone = add(table, "u");
  BOOST_TEST(!table.unsubscribe(gone));
  for (auto id : {expired, failed, gone}) {
    auto before = state(table, id);
    BOOST_TEST(is(table.confirm(id), errc::not_allowed));  // a late confirmation
    BOOST_TEST(is(table.fail(id, make_error(errc::timeout)), errc::not_allowed));
    BOOST_TEST(is(table.unsubscribe(id), errc::not_allowed));
    BOOST_TEST(state(table, id) == before);
  }
  BOOST_TEST(describe(table.confirm(expired)).find("it is expired") != std::string::npos);
  BOOST_TEST(is(table.confirm(42), errc::unknown_id));
  BOOST_TEST(is(table.unsubscribe(42), errc::unknown_id));
  BOOST_TEST(is(table.fail(42, {}), errc::unknown_id));
}

// Rule: one active subscription per channel; after it ended the channel may be subscribed
// again (a new id). An empty channel is invalid.
BOOST_AUTO_TEST_CASE(one_active_subscription_per_channel) {
  subscription_table table;
  auto first = add(table, "trades");
  auto dup = table.subscribe("trades", nullptr, 1s, t0);
  BOOST_REQUIRE(!dup);
  BOOST_TEST(is(dup.error(), errc::not_allowed));
  BOOST_TEST(!table.unsubscribe(first));
  auto again = add(table, "trades");
  BOOST_TEST(again > first);
  BOOST_TEST(table.find_channel("trades")->id == again);
  BOOST_TEST(!table.find_channel("other"));
  auto empty = table.subscribe("", nullptr, 1s, t0);
  BOOST_REQUIRE(!empty);
  BOOST_TEST(is(empty.error(), errc::invalid_argument));
}

// Rule: forget_finished drops final entries only.
BOOST_AUTO_TEST_CASE(forget_finished_keeps_active_ones) {
  subscription_table table;
  auto a = add(table, "a");
  auto b = add(table, "b");
  auto c = add(table, "c");
  BOOST_TEST(!table.unsubscribe(b));
  BOOST_TEST(!table.confirm(c));
  BOOST_TEST(table.forget_finished() == 1u);
  BOOST_TEST(table.size() == 2u);
  BOOST_TEST(table.find(a) != nullptr);
  BOOST_TEST(table.find(b) == nullptr);
  BOOST_TEST(table.find(c) != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(restore)

// Rule: the restore list holds the confirmed and pending subscriptions in the order they
// were first made (not the order they were confirmed), without the final ones.
BOOST_AUTO_TEST_CASE(restore_list_in_first_made_order) {
  subscription_table table;
  auto a = add(table, "a");
  auto b = add(table, "b");
  auto c = add(table, "c", 1s);
  auto d = add(table, "d");
  auto e = add(table, "e");
  auto f = add(table, "f");
  BOOST_TEST(!table.confirm(e));  // confirmed out of order
  BOOST_TEST(!table.confirm(a));
  BOOST_TEST(!table.unsubscribe(b));
  table.expire(t0 + 1s);  // c expires
  BOOST_TEST(!table.fail(f, make_error(errc::not_allowed)));
  BOOST_TEST(channels(table.restore_list()) == (strings{"a", "d", "e"}));
  (void)c;
  (void)d;
}

// Rule: after a reconnect every restored subscription is pending again with a fresh
// deadline (its own timeout from the reconnect); final ones stay final.
BOOST_AUTO_TEST_CASE(on_reconnect_puts_them_back_to_pending) {
  subscription_table table;
  auto a = add(table, "a", 2s);
  auto b = add(table, "b", 5s);
  auto c = add(table, "c", 5s);
  BOOST_TEST(!table.confirm(a));
  BOOST_TEST(!table.unsubscribe(c));
  auto later = t0 + 1min;
  auto restored = table.on_reconnect(later);
  BOOST_TEST(channels(restored) == (strings{"a", "b"}));
  BOOST_TEST(state(table, a) == "pending");
  BOOST_TEST(state(table, b) == "pending");
  BOOST_TEST(state(table, c) == "unsubscribed");
  BOOST_TEST((table.find(a)->deadline == later + 2s));
  BOOST_TEST((table.find(b)->deadline == later + 5s));
  BOOST_TEST((*table.next_deadline() == later + 2s));
  // The same restore list again (nothing confirmed yet) after a second drop.
  BOOST_TEST(channels(table.on_reconnect(later + 1s)) == (strings{"a", "b"}));
  // Unconfirmed after the reconnect: they expire from the new deadline, not the old one.
  BOOST_TEST(table.expire(later + 2s).empty());
  BOOST_TEST(table.expire(later + 3s).size() == 1u);
  BOOST_TEST(state(table, a) == "expired");
}

BOOST_AUTO_TEST_SUITE_END()
