// The Deribit adapter without sockets: channel routing, error mapping, notification
// reading and printing, and the configuration `make_config` builds on a profile (including
// what its in-process handlers answer when the connection calls them).
#define BOOST_TEST_MODULE deribit_adapter
#include <wsnova/adapters/deribit_adapter.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include <caf/sec.hpp>

#include <wsnova/actors/profiles.hpp>
#include <wsnova/adapters/adapter.hpp>
#include <wsnova/core/error.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
namespace json = boost::json;

namespace {

ws_message text(std::string payload) { return {message_kind::text, std::move(payload)}; }

deribit::adapter_options with_key(std::chrono::seconds heartbeat = 10s) {
  deribit::adapter_options options;
  options.key = {"id", "secret"};
  options.heartbeat = heartbeat;
  return options;
}

/// The connection as the adapter's handlers see it; they use none of it.
class no_context : public handler_context {
 public:
  const std::string& connection_id() const override { return id_; }
  const std::string& url() const override { return id_; }
  void send(ws_message) override {}
  void apply(directive) override {}
  const reconnect_policy& reconnection() const override { return policy_; }

 private:
  std::string id_ = "test";
  reconnect_policy policy_;
};

/// The value of a handler's answer; fails the test on an error.
template <class T>
T value_of(caf::expected<T> answer) {
  if (!answer) BOOST_FAIL("handler failed: " << describe(answer.error()));
  return std::move(*answer);
}

/// Runs the configured Message behaviour on `message`.
directive handle(const connection_config& config, std::string message) {
  const auto* fn = config.behaviors.message.find(handle_msg_atom::value);
  BOOST_REQUIRE(fn != nullptr);
  no_context ctx;
  auto m = text(std::move(message));
  return value_of((*fn)(ctx, m));
}

/// Runs the configured Auth behaviour's request for `attempt`.
rpc_call auth_call(const connection_config& config, auth_attempt attempt) {
  const auto* fn = config.behaviors.auth.find(auth_req_atom::value);
  BOOST_REQUIRE(fn != nullptr);
  no_context ctx;
  return value_of((*fn)(ctx, attempt));
}

/// Runs the configured Error behaviour on `err` from `where`.
directive on_error(const connection_config& config, caf::error err, std::string where) {
  const auto* fn = config.behaviors.error.find(on_error_atom::value);
  BOOST_REQUIRE(fn != nullptr);
  no_context ctx;
  return value_of((*fn)(ctx, err, where));
}

}  // namespace

BOOST_AUTO_TEST_CASE(subscription_method_routes_user_channels_to_private) {
  BOOST_CHECK_EQUAL(deribit::subscription_method("ticker.BTC-PERPETUAL.100ms"), "public/subscribe");
  BOOST_CHECK_EQUAL(deribit::subscription_method("user.orders.BTC-PERPETUAL.raw"),
                    "private/subscribe");
  BOOST_CHECK_EQUAL(deribit::subscription_method("ticker.BTC-PERPETUAL.100ms", false),
                    "public/unsubscribe");
  BOOST_CHECK_EQUAL(deribit::subscription_method("user.orders.BTC-PERPETUAL.raw", false),
                    "private/unsubscribe");
  // Only the "user." prefix makes a channel private.
  BOOST_CHECK_EQUAL(deribit::subscription_method("users.x"), "public/subscribe");
  BOOST_CHECK_EQUAL(deribit::subscription_method("trades.user.x"), "public/subscribe");
}

BOOST_AUTO_TEST_CASE(map_error_maps_deribit_codes_and_keeps_the_rpc_code) {
  auto rate = deribit::map_error(make_rpc_error(errc::rpc_error, 10028, "too_many_requests"));
  BOOST_CHECK(is(rate, errc::rate_limited));
  BOOST_CHECK_EQUAL(rpc_error_code(rate).value_or(0), 10028);

  for (std::int64_t code :
       {deribit::error_codes::invalid_credentials, deribit::error_codes::unauthorized}) {
    auto auth = deribit::map_error(make_rpc_error(errc::rpc_error, code, "refused"));
    BOOST_CHECK(is(auth, errc::auth_failed));
    BOOST_CHECK_EQUAL(rpc_error_code(auth).value_or(0), code);
    // Already an auth failure (the connection's own rewrap): stays one, code kept.
    auto twice = deribit::map_error(rewrap(errc::auth_failed, auth));
    BOOST_CHECK(is(twice, errc::auth_failed));
    BOOST_CHECK_EQUAL(rpc_error_code(twice).value_or(0), code);
  }
  // A subscription refused with 13009 becomes an auth failure, code kept.
  auto refused =
      rewrap(errc::subscription_failed, make_rpc_error(errc::rpc_error, 13009, "unauthorized"));
  BOOST_CHECK(is(deribit::map_error(refused), errc::auth_failed));

  // Anything else is returned unchanged.
  auto other_rpc = make_rpc_error(errc::rpc_error, -32601, "Method not found");
  BOOST_CHECK(deribit::map_error(other_rpc) == other_rpc);
  BOOST_CHECK_EQUAL(rpc_error_code(deribit::map_error(other_rpc)).value_or(0), -32601);
  auto timeout = make_error(errc::timeout, "no answer");
  BOOST_CHECK(deribit::map_error(timeout) == timeout);
  caf::error foreign = caf::sec::request_timeout;
  BOOST_CHECK(deribit::map_error(foreign) == foreign);
  BOOST_CHECK(!deribit::map_error(caf::error{}));
}

BOOST_AUTO_TEST_CASE(read_notification_reads_subscription_notifications_only) {
  auto note = deribit::read_notification(text(
      R"({"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-PERPETUAL.100ms","data":{"sequence":7,"last_price":1.5}}})"));
  BOOST_REQUIRE(note);
  BOOST_CHECK_EQUAL(note->channel, "ticker.BTC-PERPETUAL.100ms");
  auto data = json::parse(note->data);
  BOOST_CHECK_EQUAL(data.at("sequence").as_int64(), 7);
  BOOST_CHECK_EQUAL(data.at("last_price").as_double(), 1.5);

  // An array as data (trades) is kept as an array.
  auto trades = deribit::read_notification(text(
      R"({"method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":[{"trade_seq":1}]}})"));
  BOOST_REQUIRE(trades);
  BOOST_CHECK(json::parse(trades->data).is_array());

  // Not notifications: a response, a heartbeat, a test_request, malformed or partial JSON,
  // a binary frame with the right text, a notification without channel or data.
  const char* not_notifications[] = {
      R"({"jsonrpc":"2.0","id":1,"result":["ticker.BTC-PERPETUAL.100ms"]})",
      R"({"jsonrpc":"2.0","method":"heartbeat","params":{"type":"heartbeat"}})",
      R"({"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}})",
      R"({"method":"subscription","params":{"channel":"x","data":)",
      "not json at all",
      R"(["subscription"])",
      R"({"method":"subscription","params":{"data":{}}})",
      R"({"method":"subscription","params":{"channel":"x"}})",
      R"({"method":"subscription","params":"x"})",
      R"({"method":7,"params":{"channel":"x","data":{}}})",
  };
  for (const char* payload : not_notifications)
    BOOST_CHECK_MESSAGE(!deribit::read_notification(text(payload)), payload);
  ws_message binary{message_kind::binary,
                    R"({"method":"subscription","params":{"channel":"x","data":{}}})"};
  BOOST_CHECK(!deribit::read_notification(binary));
}

BOOST_AUTO_TEST_CASE(to_json_line_escapes_the_channel_and_keeps_data_verbatim) {
  deribit::notification note{"odd\"chan\\nel\n", R"({"b": 1,  "a":[2, 3]})"};
  auto line = deribit::to_json_line(note);
  BOOST_CHECK_EQUAL(line, R"({"channel":"odd\"chan\\nel\n","data":{"b": 1,  "a":[2, 3]}})");
  BOOST_CHECK(line.find('\n') == std::string::npos);
  auto parsed = json::parse(line);
  BOOST_CHECK_EQUAL(parsed.at("channel").as_string(), note.channel);
  BOOST_CHECK_EQUAL(parsed.at("data").at("a").as_array().size(), 2u);

  // What read_notification returns prints back as the same channel and data.
  auto read = deribit::read_notification(text(
      R"({"method":"subscription","params":{"channel":"book.X.raw","data":{"change_id":3}}})"));
  BOOST_REQUIRE(read);
  BOOST_CHECK_EQUAL(deribit::to_json_line(*read),
                    R"({"channel":"book.X.raw","data":{"change_id":3}})");
}

BOOST_AUTO_TEST_CASE(default_url_is_testnet_unless_told) {
  auto config = make_config(deribit::adapter{}, profile::financial, "");
  BOOST_CHECK_EQUAL(config.url, "wss://test.deribit.com/ws/api/v2");
  deribit::adapter_options live;
  live.testnet = false;
  BOOST_CHECK_EQUAL(make_config(deribit::adapter{live}, profile::financial, "").url,
                    "wss://www.deribit.com/ws/api/v2");
  BOOST_CHECK_EQUAL(make_config(deribit::adapter{}, profile::financial, "ws://127.0.0.1:1/x").url,
                    "ws://127.0.0.1:1/x");
  BOOST_CHECK_EQUAL(deribit::adapter{}.name(), "deribit");
  static_assert(wsnova::adapter<deribit::adapter>);
}

BOOST_AUTO_TEST_CASE(make_config_sets_behaviours_rate_limit_and_heartbeat_timing) {
  const auto profile_only = make_profile(profile::financial, "wss://test.deribit.com/ws/api/v2");
  auto config = make_config(deribit::adapter{with_key()}, profile::financial, "");
  const auto& b = config.behaviors;
  BOOST_CHECK(!b.auth.is_default());
  BOOST_CHECK(!b.subscription.is_default());
  BOOST_CHECK(!b.message.is_default());
  BOOST_CHECK(!b.error.is_default());
  BOOST_CHECK(!b.connection.is_default());
  // The profile's choices the adapter does not own stay as they were.
  BOOST_CHECK(b.rate_limit.is_default());
  BOOST_CHECK(b.logging.is_default());
  BOOST_CHECK(b.metrics.is_default());
  BOOST_CHECK(config.reconnect.kind == profile_only.reconnect.kind);
  BOOST_CHECK_EQUAL(config.reconnect.jitter, profile_only.reconnect.jitter);
  BOOST_CHECK(config.sending.when_disconnected == profile_only.sending.when_disconnected);

  // Deribit's credits: a burst of 95 (5 kept for heartbeat answers), one token per 50 ms.
  BOOST_REQUIRE(config.rate_limit);
  BOOST_CHECK_EQUAL(config.rate_limit->capacity, 95u);
  BOOST_CHECK(config.rate_limit->refill_interval == caf::timespan{50ms});
  BOOST_CHECK_EQUAL(config.rate_limit->max_queued, 1000u);
  BOOST_CHECK(config.rate_limit->costs.empty());
  BOOST_CHECK_EQUAL(config.rate_limit->default_cost, 1u);

  // Heartbeat 10 s: silence after two intervals; ping lowered from the profile's 15 s, the
  // profile's shorter pong timeout kept.
  BOOST_CHECK(profile_only.session.ping_interval > 10s);
  BOOST_CHECK(config.session.silence_timeout == 20s);
  BOOST_CHECK(config.session.ping_interval == 10s);
  BOOST_CHECK(config.session.pong_timeout == profile_only.session.pong_timeout);

  auto fast = make_config(deribit::adapter{with_key(1s)}, profile::financial, "");
  BOOST_CHECK(fast.session.silence_timeout == 2s);
  BOOST_CHECK(fast.session.ping_interval == 1s);
  BOOST_CHECK(fast.session.pong_timeout == 1s);
}

BOOST_AUTO_TEST_CASE(without_heartbeat_the_connection_slot_and_timing_stay_the_profiles) {
  const auto profile_only = make_profile(profile::financial, "wss://test.deribit.com/ws/api/v2");
  auto config = make_config(deribit::adapter{with_key(0s)}, profile::financial, "");
  BOOST_CHECK(config.behaviors.connection.is_default());
  BOOST_CHECK(config.session.silence_timeout == 0ms);
  BOOST_CHECK(config.session.ping_interval == profile_only.session.ping_interval);
  BOOST_CHECK(config.session.pong_timeout == profile_only.session.pong_timeout);
  BOOST_CHECK(!config.behaviors.message.is_default());  // test_request still answered
}

BOOST_AUTO_TEST_CASE(handlers_answer_heartbeats_and_pass_everything_else) {
  auto config = make_config(deribit::adapter{with_key()}, profile::financial, "");
  auto test_request =
      handle(config, R"({"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}})");
  BOOST_REQUIRE(test_request.kind == directive_kind::reply);
  BOOST_REQUIRE_EQUAL(test_request.frames.size(), 1u);
  auto answer = json::parse(test_request.frames.front().payload);
  BOOST_CHECK_EQUAL(answer.at("method").as_string(), "public/test");
  // Its id is one of the adapter's own, and the answer to it is consumed.
  auto own_id = json::serialize(answer.at("id"));
  BOOST_CHECK(handle(config, R"({"jsonrpc":"2.0","id":)" + own_id + R"(,"result":{}})").kind ==
              directive_kind::ignore);

  BOOST_CHECK(handle(config, R"({"method":"heartbeat","params":{"type":"heartbeat"}})").kind ==
              directive_kind::ignore);
  // The user's answers, notifications, non-JSON and an error answer to an own call go on.
  BOOST_CHECK(handle(config, R"({"jsonrpc":"2.0","id":3,"result":"ok"})").kind ==
              directive_kind::ok);
  BOOST_CHECK(
      handle(config, R"({"method":"subscription","params":{"channel":"x","data":{}}})").kind ==
      directive_kind::ok);
  BOOST_CHECK(handle(config, "not json").kind == directive_kind::ok);
  BOOST_CHECK(handle(config, R"({"jsonrpc":"2.0","id":)" + own_id +
                                 R"(,"error":{"code":10028,"message":"too_many_requests"}})")
                  .kind == directive_kind::ok);
}

BOOST_AUTO_TEST_CASE(auth_uses_client_credentials_then_the_refresh_token) {
  auto config = make_config(deribit::adapter{with_key()}, profile::financial, "");
  auto login = auth_call(config, {auth_reason::connect, {}});
  BOOST_CHECK_EQUAL(login.method, "public/auth");
  auto params = json::parse(login.params);
  BOOST_CHECK_EQUAL(params.at("grant_type").as_string(), "client_credentials");
  BOOST_CHECK_EQUAL(params.at("client_id").as_string(), "id");
  BOOST_CHECK_EQUAL(params.at("client_secret").as_string(), "secret");

  auto refresh = json::parse(auth_call(config, {auth_reason::refresh, "r1"}).params);
  BOOST_CHECK_EQUAL(refresh.at("grant_type").as_string(), "refresh_token");
  BOOST_CHECK_EQUAL(refresh.at("refresh_token").as_string(), "r1");
  // A refresh without a token logs in again.
  auto again = json::parse(auth_call(config, {auth_reason::refresh, {}}).params);
  BOOST_CHECK_EQUAL(again.at("grant_type").as_string(), "client_credentials");

  // No key: no call (public channels only).
  auto anonymous = make_config(deribit::adapter{}, profile::financial, "");
  BOOST_CHECK(auth_call(anonymous, {auth_reason::connect, {}}).method.empty());
}

BOOST_AUTO_TEST_CASE(errors_close_on_bad_keys_and_reconnect_otherwise) {
  auto config = make_config(deribit::adapter{with_key()}, profile::financial, "");
  auto bad_key = make_rpc_error(errc::rpc_error, 13004, "invalid_credentials");
  // Final (the connection keeps the error as the close's cause: deribit_live_test checks
  // what client::connect returns).
  auto closed = on_error(config, rewrap(errc::auth_failed, bad_key), "auth");
  BOOST_CHECK(closed.kind == directive_kind::close);
  BOOST_CHECK_EQUAL(closed.code, close_code::normal);
  auto expired = make_rpc_error(errc::rpc_error, 13009, "unauthorized");
  BOOST_CHECK(on_error(config, expired, "auth").kind == directive_kind::reconnect);
  auto rate = make_rpc_error(errc::rpc_error, 10028, "too_many_requests");
  BOOST_CHECK(on_error(config, rate, "subscribe").kind == directive_kind::reconnect);
  BOOST_CHECK(on_error(config, expired, "subscribe").kind == directive_kind::ok);
  BOOST_CHECK(on_error(config, make_error(errc::timeout), "transport").kind == directive_kind::ok);
}
