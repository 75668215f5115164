// Tests of <wsnova/behaviors/json_rpc.hpp>: JSON-RPC 2.0 ids, the classification of incoming
// messages, timeouts and failures at a disconnect, on an injected clock.
#include <wsnova/behaviors/json_rpc.hpp>

#define BOOST_TEST_MODULE json_rpc
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <caf/sec.hpp>

#include <wsnova/core/error.hpp>

using namespace wsnova;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

using time_point = rpc_correlator::time_point;

const time_point t0{std::chrono::hours{1}};

/// Makes a request that must succeed and returns it.
rpc_outgoing request(rpc_correlator& rpc, const char* method, json::value params = nullptr,
                     caf::timespan timeout = 5s, time_point now = t0) {
  auto out = rpc.make_request(method, std::move(params), timeout, now);
  BOOST_REQUIRE(out);
  return *out;
}

/// A response text for id `id`.
std::string result_for(std::uint64_t id, const char* result) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"result":)" + result + "}";
}

/// The event as a `T` (a copy, so it may be taken from a temporary); fails the test if it is
/// another kind.
template <class T>
T as(const rpc_event& event) {
  BOOST_REQUIRE_MESSAGE(std::holds_alternative<T>(event),
                        "unexpected event kind, index " << event.index());
  return std::get<T>(event);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(requests)

// Rule: ids are unique and increasing, and the encoded text is a JSON-RPC 2.0 request.
BOOST_AUTO_TEST_CASE(ids_are_unique_and_text_is_json_rpc) {
  rpc_correlator rpc;
  std::set<std::uint64_t> ids;
  std::uint64_t last = 0;
  for (int i = 0; i < 100; ++i) {
    auto out = request(rpc, "public/test");
    BOOST_TEST(out.id > last);
    last = out.id;
    ids.insert(out.id);
  }
  BOOST_TEST(ids.size() == 100u);
  BOOST_TEST(rpc.in_flight() == 100u);
  auto out = request(rpc, "public/get", json::parse(R"({"channel":"x","depth":5})"));
  auto parsed = json::parse(out.text);
  BOOST_TEST(parsed.at("jsonrpc").as_string() == "2.0");
  BOOST_TEST(parsed.at("id").to_number<std::uint64_t>() == out.id);
  BOOST_TEST(parsed.at("method").as_string() == "public/get");
  BOOST_TEST(parsed.at("params").at("depth").to_number<int>() == 5);
  BOOST_TEST(!request(rpc, "ping").text.empty());
  BOOST_TEST(json::parse(request(rpc, "ping").text).as_object().count("params") == 0u);
}

// Rule: ids keep counting after every request ended, so a late response never matches a new
// request.
BOOST_AUTO_TEST_CASE(ids_are_never_reused_after_failures) {
  rpc_correlator rpc;
  auto first = request(rpc, "a");
  rpc.fail_all(make_error(errc::connection_lost, "reset"));
  auto second = request(rpc, "b");
  BOOST_TEST(second.id > first.id);
  auto late = rpc.on_message(result_for(first.id, "true"), t0);
  as<rpc_unmatched>(late);
  BOOST_TEST(rpc.has(second.id));
}

// Rule: params must be an object, an array or nothing; the method must not be empty.
BOOST_AUTO_TEST_CASE(bad_params_or_method_are_invalid_argument) {
  rpc_correlator rpc;
  auto scalar = rpc.make_request("m", json::value(42), 1s, t0);
  BOOST_REQUIRE(!scalar);
  BOOST_TEST(is(scalar.error(), errc::invalid_argument));
  auto empty = rpc.make_request("", nullptr, 1s, t0);
  BOOST_REQUIRE(!empty);
  BOOST_TEST(is(empty.error(), errc::invalid_argument));
  BOOST_TEST(rpc.in_flight() == 0u);
  BOOST_TEST(static_cast<bool>(rpc.make_request("m", json::array{1, 2}, 1s, t0)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(responses)

// Rule: a result completes its request and names the method and the round trip.
BOOST_AUTO_TEST_CASE(result_completes_the_request) {
  rpc_correlator rpc;
  auto out = request(rpc, "public/auth");
  auto event = rpc.on_message(result_for(out.id, R"({"token":"t"})"), t0 + 120ms);
  const auto& r = as<rpc_result>(event);
  BOOST_TEST(r.id == out.id);
  BOOST_TEST(r.method == "public/auth");
  BOOST_TEST(r.result.at("token").as_string() == "t");
  BOOST_TEST((r.round_trip == 120ms));
  BOOST_TEST(!rpc.has(out.id));
  BOOST_TEST(rpc.in_flight() == 0u);
}

// Rule: an error response completes its request with code, message and data.
BOOST_AUTO_TEST_CASE(error_response_completes_the_request) {
  rpc_correlator rpc;
  auto out = request(rpc, "private/buy");
  auto text = R"({"jsonrpc":"2.0","id":)" + std::to_string(out.id) +
              R"(,"error":{"code":-32602,"message":"Invalid params","data":{"param":"amount"}}})";
  auto event = rpc.on_message(text, t0);
  const auto& e = as<rpc_error>(event);
  BOOST_REQUIRE(e.id.has_value());
  BOOST_TEST(*e.id == out.id);
  BOOST_TEST(e.method == "private/buy");
  BOOST_TEST(e.code == -32602);
  BOOST_TEST(e.message == "Invalid params");
  BOOST_TEST(e.data.at("param").as_string() == "amount");
  BOOST_TEST(rpc.in_flight() == 0u);
}

// Rule: an error with a null id (the server could not read the request) completes nothing.
BOOST_AUTO_TEST_CASE(error_with_null_id_completes_nothing) {
  rpc_correlator rpc;
  auto out = request(rpc, "m");
  auto event = rpc.on_message(
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})", t0);
  const auto& e = as<rpc_error>(event);
  BOOST_TEST(!e.id.has_value());
  BOOST_TEST(e.code == -32700);
  BOOST_TEST(e.data.is_null());
  BOOST_TEST(rpc.has(out.id));
}

// Rule: a response to an id not in flight (unknown, answered twice, a string id) is
// reported as unmatched and touches no request in flight.
BOOST_AUTO_TEST_CASE(responses_to_unknown_ids_are_unmatched) {
  rpc_correlator rpc;
  auto out = request(rpc, "m");
  const auto& unknown = as<rpc_unmatched>(rpc.on_message(result_for(999, "1"), t0));
  BOOST_TEST(unknown.id.to_number<int>() == 999);
  BOOST_TEST(unknown.message.at("result").to_number<int>() == 1);
  as<rpc_unmatched>(rpc.on_message(R"({"jsonrpc":"2.0","id":"1","result":1})", t0));
  as<rpc_unmatched>(
      rpc.on_message(R"({"jsonrpc":"2.0","id":-1,"error":{"code":1,"message":"x"}})", t0));
  BOOST_TEST(rpc.has(out.id));
  as<rpc_result>(rpc.on_message(result_for(out.id, "1"), t0));
  as<rpc_unmatched>(rpc.on_message(result_for(out.id, "1"), t0));  // a second answer
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(notifications)

// Rule: a notification carries its method, params and the channel when params has one.
BOOST_AUTO_TEST_CASE(notification_with_channel_is_routable) {
  rpc_correlator rpc;
  auto event = rpc.on_message(
      R"({"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC","data":[1]}})",
      t0);
  const auto& n = as<rpc_notification>(event);
  BOOST_TEST(n.method == "subscription");
  BOOST_REQUIRE(n.channel.has_value());
  BOOST_TEST(*n.channel == "trades.BTC");
  BOOST_TEST(n.params.at("data").as_array().size() == 1u);
  BOOST_TEST(n.id.is_null());
}

// Rule: no params.channel → no channel; a non-string channel is given as its JSON text; a
// request of the peer keeps its id.
BOOST_AUTO_TEST_CASE(channel_absent_or_not_a_string) {
  rpc_correlator rpc;
  const auto& plain = as<rpc_notification>(
      rpc.on_message(R"({"jsonrpc":"2.0","method":"heartbeat","params":[1,2]})", t0));
  BOOST_TEST(!plain.channel.has_value());
  const auto& numeric = as<rpc_notification>(
      rpc.on_message(R"({"jsonrpc":"2.0","method":"s","params":{"channel":7}})", t0));
  BOOST_REQUIRE(numeric.channel.has_value());
  BOOST_TEST(*numeric.channel == "7");
  const auto& asked = as<rpc_notification>(
      rpc.on_message(R"({"jsonrpc":"2.0","method":"test_request","id":"srv-1"})", t0));
  BOOST_TEST(asked.id.as_string() == "srv-1");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bad_input)

// Rule: text that is not JSON-RPC at all passes through for ordinary handling.
BOOST_AUTO_TEST_CASE(non_json_rpc_passes_through) {
  rpc_correlator rpc;
  for (const char* text : {"pong", "", "{\"type\":\"ticker\"}", "[1,2,3]", "42", "\"x\"",
                           "{\"jsonrpc\":", "{\"a\":1} trailing"}) {
    auto event = rpc.on_message(text, t0);
    BOOST_TEST_INFO("input: " << text);
    BOOST_TEST(std::holds_alternative<rpc_passthrough>(event));
    if (auto* p = std::get_if<rpc_passthrough>(&event)) BOOST_TEST(!p->reason.empty());
  }
}

// Rule: messages that claim JSON-RPC 2.0 but break it are malformed, with a reason, never an
// exception; a batch is malformed too (we never send one).
BOOST_AUTO_TEST_CASE(broken_json_rpc_is_malformed_not_thrown) {
  rpc_correlator rpc;
  auto out = request(rpc, "m");
  auto id = std::to_string(out.id);
  const std::vector<std::pair<std::string, std::string>> cases{
      {R"({"jsonrpc":"1.0","id":1,"result":1})", "jsonrpc"},
      {R"({"jsonrpc":2,"id":1,"result":1})", "jsonrpc"},
      {R"({"jsonrpc":"2.0","id":)" + id + R"(,"result":1,"error":{"code":1,"message":"x"}})",
       "both"},
      {R"({"jsonrpc":"2.0","id":)" + id + "}", "neither"},
      {R"({"jsonrpc":"2.0","result":1})", "without id"},
      {R"({"jsonrpc":"2.0","id":{},"result":1})", "id"},
      {R"({"jsonrpc":"2.0","id":)" + id + R"(,"error":"boom"})", "error is not an object"},
      {R"({"jsonrpc":"2.0","id":)" + id + R"(,"error":{"code":"x","message":"m"}})", "error.code"},
      {R"({"jsonrpc":"2.0","id":)" + id + R"(,"error":{"code":1.5,"message":"m"}})", "error.code"},
      {R"({"jsonrpc":"2.0","id":)" + id + R"(,"error":{"code":1}})", "error.message"},
      {R"({"jsonrpc":"2.0","method":5})", "method"},
      {R"({"jsonrpc":"2.0","method":"m","params":3})", "params"},
      {R"({"jsonrpc":"2.0","method":"m","result":3})", "method and a result"},
      {R"([{"jsonrpc":"2.0","id":1,"result":1}])", "batch"},
  };
  for (const auto& [text, why] : cases) {
    BOOST_TEST_INFO("input: " << text);
    rpc_event event = rpc_passthrough{};
    BOOST_CHECK_NO_THROW(event = rpc.on_message(text, t0));
    auto* m = std::get_if<rpc_malformed>(&event);
    BOOST_TEST_INFO("input: " << text);
    BOOST_TEST(m != nullptr);
    if (m) BOOST_TEST(m->reason.find(why) != std::string::npos, m->reason << " lacks " << why);
  }
  BOOST_TEST(rpc.has(out.id));  // none of them completed the request
}

// Rule: deeply nested input is refused by the parser (depth limit), not a crash.
BOOST_AUTO_TEST_CASE(deep_nesting_does_not_crash) {
  rpc_correlator rpc;
  std::string deep(100000, '[');
  BOOST_CHECK_NO_THROW(as<rpc_passthrough>(rpc.on_message(deep, t0)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(deadlines)

// Rule: expire returns exactly the requests past their deadline, earliest first, as
// timeout errors naming method and id; next_deadline follows.
BOOST_AUTO_TEST_CASE(expire_times_out_past_deadlines) {
  rpc_correlator rpc;
  auto slow = request(rpc, "slow", nullptr, 3s);
  auto fast = request(rpc, "fast", nullptr, 1s);
  auto mid = request(rpc, "mid", nullptr, 2s);
  BOOST_REQUIRE(rpc.next_deadline());
  BOOST_TEST((*rpc.next_deadline() == t0 + 1s));
  BOOST_TEST(rpc.expire(t0 + 999ms).empty());
  auto expired = rpc.expire(t0 + 2s);
  BOOST_REQUIRE(expired.size() == 2u);
  BOOST_TEST(expired[0].id == fast.id);
  BOOST_TEST(expired[1].id == mid.id);
  BOOST_TEST(expired[0].method == "fast");
  BOOST_TEST(is(expired[0].error, errc::timeout));
  auto text = describe(expired[0].error);
  BOOST_TEST(text.find("fast") != std::string::npos);
  BOOST_TEST(text.find("request " + std::to_string(fast.id)) != std::string::npos);
  BOOST_TEST(text.find("1000 ms") != std::string::npos);
  BOOST_TEST(rpc.has(slow.id));
  BOOST_TEST((*rpc.next_deadline() == t0 + 3s));
  // The late response to a timed-out request is unmatched, not a result.
  as<rpc_unmatched>(rpc.on_message(result_for(fast.id, "1"), t0 + 2s));
}

// Rule: a completed request no longer has a deadline.
BOOST_AUTO_TEST_CASE(completed_request_does_not_expire) {
  rpc_correlator rpc;
  auto out = request(rpc, "m", nullptr, 1s);
  as<rpc_result>(rpc.on_message(result_for(out.id, "1"), t0));
  BOOST_TEST(!rpc.next_deadline());
  BOOST_TEST(rpc.expire(t0 + 1h).empty());
}

// Rule: a huge timeout saturates instead of overflowing into the past.
BOOST_AUTO_TEST_CASE(huge_timeout_never_expires) {
  rpc_correlator rpc;
  request(rpc, "m", nullptr, caf::timespan::max());
  BOOST_TEST(rpc.expire(t0 + 24h * 365).empty());
  BOOST_TEST(rpc.in_flight() == 1u);
}

// Rule: fail_all fails every request in flight at once, oldest first, with the reason's
// code and a detail naming each; nothing stays in flight to be replayed.
BOOST_AUTO_TEST_CASE(fail_all_fails_everything_in_flight) {
  rpc_correlator rpc;
  auto a = request(rpc, "a");
  auto b = request(rpc, "b");
  auto failed = rpc.fail_all(make_error(errc::closed_by_peer, "1001 going away"));
  BOOST_REQUIRE(failed.size() == 2u);
  BOOST_TEST(failed[0].id == a.id);
  BOOST_TEST(failed[1].id == b.id);
  BOOST_TEST(is(failed[1].error, errc::closed_by_peer));
  auto text = describe(failed[1].error);
  BOOST_TEST(text.find("(b)") != std::string::npos);
  BOOST_TEST(text.find("not sent again") != std::string::npos);
  BOOST_TEST(text.find("going away") != std::string::npos);
  BOOST_TEST(rpc.in_flight() == 0u);
  BOOST_TEST(!rpc.next_deadline());
  BOOST_TEST(rpc.fail_all(make_error(errc::closed)).empty());
  // A reason of another category still yields a wsnova error.
  request(rpc, "c");
  auto other = rpc.fail_all(caf::make_error(caf::sec::unexpected_message));
  BOOST_REQUIRE(other.size() == 1u);
  BOOST_TEST(is(other[0].error, errc::connection_lost));
}

BOOST_AUTO_TEST_SUITE_END()
