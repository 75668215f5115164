#include <wsnova/adapters/deribit_adapter.hpp>

#include <algorithm>
#include <atomic>
#include <memory>

#include <boost/json.hpp>

#include <wsnova/behaviors/behavior_set.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova::deribit {

namespace json = boost::json;

namespace {

/// Ids of the adapter's own calls (`public/set_heartbeat`, `public/test`), far above any id
/// the connection's correlator reaches, and exact in a double (below 2^53), so their answers
/// are recognised and never taken for the user's.
constexpr std::uint64_t own_id_base = std::uint64_t{1} << 52;

/// Numbers the adapter's own calls of one connection.
using own_ids = std::shared_ptr<std::atomic<std::uint64_t>>;

ws_message own_call(const own_ids& ids, std::string_view method, json::object params) {
  json::object call{{"jsonrpc", "2.0"},
                    {"id", own_id_base + ids->fetch_add(1)},
                    {"method", method},
                    {"params", std::move(params)}};
  return {message_kind::text, json::serialize(call)};
}

std::optional<json::object> parse_object(const ws_message& message) {
  if (message.kind != message_kind::text) return std::nullopt;
  boost::system::error_code ec;
  auto value = json::parse(message.payload, ec);
  if (ec || !value.is_object()) return std::nullopt;
  json::object object = std::move(value.as_object());
  return object;
}

std::string_view string_at(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string_view{value->as_string()} : std::string_view{};
}

/// Heartbeats: `test_request` answered with `public/test`, plain heartbeats and the answers
/// to the adapter's own calls consumed; everything else goes on as usual.
directive on_message(const own_ids& ids, const ws_message& message) {
  auto object = parse_object(message);
  if (!object) return directive::ok();
  if (string_at(*object, "method") == "heartbeat") {
    const auto* params = object->if_contains("params");
    if (params && params->is_object() && string_at(params->as_object(), "type") == "test_request")
      return directive::reply(own_call(ids, "public/test", {}));
    return directive::ignore();
  }
  const auto* id = object->if_contains("id");
  const bool own = id && ((id->is_int64() && id->get_int64() >= std::int64_t{own_id_base}) ||
                          (id->is_uint64() && id->get_uint64() >= own_id_base));
  if (own && object->contains("result")) return directive::ignore();
  return directive::ok();  // an error answer to an own call reaches the owner
}

rpc_call auth_request(const credentials& key, const auth_attempt& attempt) {
  if (key.empty()) return {};
  json::object params;
  if (attempt.reason == auth_reason::refresh && !attempt.refresh_token.empty()) {
    params = {{"grant_type", "refresh_token"}, {"refresh_token", attempt.refresh_token}};
  } else {
    params = {{"grant_type", "client_credentials"},
              {"client_id", key.client_id},
              {"client_secret", key.client_secret}};
  }
  return {"public/auth", json::serialize(params)};
}

directive on_error(const caf::error& err, const std::string& where) {
  const auto code = rpc_error_code(err);
  if (where == "auth") {
    // Wrong keys fail the same way every time (a final close; `connect` and the owner's
    // closed_event carry this auth_failed error); anything else (an expired refresh token,
    // a timeout, spent credits) heals with a fresh login after the policy's next delay.
    if (code == error_codes::invalid_credentials)
      return directive::close(close_code::normal, "invalid credentials (13004)");
    return directive::reconnect(caf::timespan{0});
  }
  if (where == "subscribe" && code == error_codes::too_many_requests)
    return directive::reconnect(caf::timespan{0});  // back off, then restore everything
  return directive::ok();
}

}  // namespace

adapter::adapter(adapter_options options) : options_(std::move(options)) {}

std::string adapter::default_url() const {
  return options_.testnet ? "wss://test.deribit.com/ws/api/v2" : "wss://www.deribit.com/ws/api/v2";
}

void adapter::configure(connection_config& config) const {
  auto ids = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto& behaviors = config.behaviors;
  behaviors.auth = auth_behavior::local{}.on(
      auth_req_atom::value, [key = options_.key](handler_context&, const auth_attempt& attempt) {
        return auth_request(key, attempt);
      });
  behaviors.subscription =
      subscription_behavior::local{}
          .on(sub_req_atom::value,
              [](handler_context&, subscription_info& info) {
                return default_subscription_call(info, subscription_method(info.channel, true));
              })
          .on(unsub_req_atom::value, [](handler_context&, subscription_info& info) {
            return default_subscription_call(info, subscription_method(info.channel, false));
          });
  behaviors.message = message_behavior::local{}.on(
      handle_msg_atom::value,
      [ids](handler_context&, const ws_message& m) { return on_message(ids, m); });
  if (options_.heartbeat.count() > 0) {
    // A peer that stops answering is noticed within a few heartbeat intervals, not only
    // after the profile's (longer) WebSocket ping period.
    auto& session = config.session;
    session.ping_interval =
        std::min<std::chrono::milliseconds>(session.ping_interval, options_.heartbeat);
    session.pong_timeout =
        std::min<std::chrono::milliseconds>(session.pong_timeout, options_.heartbeat);
    // Deribit sends a heartbeat every half interval; two intervals of silence mean the
    // service is stuck even if the socket still answers pings.
    session.silence_timeout = 2 * options_.heartbeat;
    behaviors.connection = connection_behavior::local{}.on(
        on_connect_atom::value,
        [ids, interval = options_.heartbeat](handler_context&, connect_info&) {
          return directive::reply(
              own_call(ids, "public/set_heartbeat", {{"interval", interval.count()}}));
        });
  }
  behaviors.error = error_behavior::local{}.on(
      on_error_atom::value, [](handler_context&, const caf::error& err, const std::string& where) {
        return on_error(err, where);
      });
  // Deribit's default credits (Rate Limits article): 50,000 per connection, 500 a request,
  // refilled at 10,000 per second, i.e. bursts of 100 and 20 a second. Five tokens stay
  // unused for the adapter's own heartbeat answers, which do not pass the bucket.
  config.rate_limit = rate_limit_config{95, std::chrono::milliseconds{50}, 1000, {}, 1};
}

const char* subscription_method(std::string_view channel, bool subscribe) {
  const bool private_channel = channel.starts_with("user.");
  if (subscribe) return private_channel ? "private/subscribe" : "public/subscribe";
  return private_channel ? "private/unsubscribe" : "public/unsubscribe";
}

caf::error map_error(const caf::error& err) {
  switch (rpc_error_code(err).value_or(0)) {
    case error_codes::too_many_requests:
      return rewrap(errc::rate_limited, err);
    case error_codes::invalid_credentials:
    case error_codes::unauthorized:
      return rewrap(errc::auth_failed, err);
    default:
      return err;
  }
}

std::optional<notification> read_notification(const ws_message& message) {
  auto object = parse_object(message);
  if (!object || string_at(*object, "method") != "subscription") return std::nullopt;
  const auto* params = object->if_contains("params");
  if (!params || !params->is_object()) return std::nullopt;
  auto channel = string_at(params->as_object(), "channel");
  const auto* data = params->as_object().if_contains("data");
  if (channel.empty() || !data) return std::nullopt;
  return notification{std::string{channel}, json::serialize(*data)};
}

std::string to_json_line(const notification& note) {
  return R"({"channel":)" + json::serialize(json::value(note.channel)) + R"(,"data":)" + note.data +
         "}";
}

}  // namespace wsnova::deribit
