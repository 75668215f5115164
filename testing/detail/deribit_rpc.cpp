#include <wsnova/testing/detail/deribit_rpc.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

#include <wsnova/testing/detail/deribit_channels.hpp>

namespace wsnova::test::detail {

namespace json = boost::json;

namespace {

// Deribit's error codes and short messages ("RPC Error Codes" in the API v2 reference).
constexpr std::int64_t unauthorized = 13009;  // "unauthorized": wrong or expired token
constexpr std::int64_t invalid_credentials = 13004;
constexpr std::int64_t too_many_requests = 10028;
constexpr std::int64_t bad_request = 11050;        // "bad_request": not parsed properly
constexpr std::int64_t invalid_params = -32602;    // JSON-RPC "Invalid params"
constexpr std::int64_t method_not_found = -32601;  // JSON-RPC "Method not found"
constexpr std::int64_t parse_error = -32700;       // JSON-RPC "Parse error"
constexpr std::int64_t too_large = -32600;         // Deribit: "request entity too large"

std::int64_t micros_since_epoch() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

/// A response under construction: the envelope of every Deribit answer.
class response {
 public:
  explicit response(json::value id) : id_(std::move(id)), us_in_(micros_since_epoch()) {}

  std::string result(json::value value) {
    json::object out = envelope();
    out["result"] = std::move(value);
    return finish(std::move(out));
  }

  std::string error(std::int64_t code, std::string_view message, std::string_view reason = {},
                    std::string_view param = {}) {
    json::object err{{"code", code}, {"message", message}};
    if (!reason.empty()) {
      json::object data{{"reason", reason}};
      if (!param.empty()) data["param"] = param;
      err["data"] = std::move(data);
    }
    json::object out = envelope();
    out["error"] = std::move(err);
    return finish(std::move(out));
  }

 private:
  json::object envelope() const { return {{"jsonrpc", "2.0"}, {"id", id_}}; }

  std::string finish(json::object out) const {
    auto us_out = micros_since_epoch();
    out["usIn"] = us_in_;
    out["usOut"] = us_out;
    out["usDiff"] = us_out - us_in_;
    out["testnet"] = true;
    return json::serialize(out);
  }

  json::value id_;
  std::int64_t us_in_;
};

namespace {

std::string_view string_param(const json::object& params, std::string_view name) {
  auto* v = params.if_contains(name);
  if (v == nullptr || !v->is_string()) return {};
  return v->get_string();
}

}  // namespace

rpc_handler::rpc_handler(exchange_state& state, std::uint64_t id)
    : state_(state),
      id_(id),
      credits_(static_cast<double>(state.options().credit_max)),
      refilled_at_(clock::now()) {
  // nop
}

bool rpc_handler::take_credits(clock::time_point now) {
  auto opts = state_.options();
  std::chrono::duration<double> elapsed = now - refilled_at_;
  refilled_at_ = now;
  credits_ =
      std::min(static_cast<double>(opts.credit_max),
               credits_ + elapsed.count() * static_cast<double>(opts.credit_refill_per_second));
  if (credits_ < static_cast<double>(opts.request_cost)) return false;
  credits_ -= static_cast<double>(opts.request_cost);
  return true;
}

rpc_outcome rpc_handler::handle(std::string_view text, clock::time_point now) {
  rpc_outcome out;
  if (text.size() > max_request_size) {
    out.reply = response{nullptr}.error(too_large, "request entity too large");
    return out;
  }
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec) {
    out.reply = response{nullptr}.error(parse_error, "Parse error", ec.message());
    return out;
  }
  auto* request = parsed.if_object();
  json::value id = nullptr;
  if (request != nullptr)
    if (auto* v = request->if_contains("id")) id = *v;
  response resp{id};
  auto* method_value = request != nullptr ? request->if_contains("method") : nullptr;
  if (method_value == nullptr || !method_value->is_string()) {
    out.reply = resp.error(bad_request, "bad_request", "no method", "method");
    return out;
  }
  std::string_view method = method_value->get_string();
  static const json::object no_params;
  const json::object* params = &no_params;
  if (auto* p = request->if_contains("params")) {
    if (!p->is_object()) {
      out.reply =
          resp.error(invalid_params, "Invalid params", "params must be an object", "params");
      return out;
    }
    params = &p->get_object();
  }

  if (state_.take_injected_rate_limit() || !take_credits(now)) {
    state_.count([](exchange_stats& s) { ++s.rate_limited; });
    out.reply = resp.error(too_many_requests, "too_many_requests");
    out.close_after_reply = state_.options().close_on_rate_limit;
    return out;
  }

  // Every private method needs a token: the parameter, or the connection's last auth.
  bool is_private = method.substr(0, 8) == "private/";
  if (is_private) {
    auto token = string_param(*params, "access_token");
    if (token.empty()) token = connection_token_;
    if (token.empty() || !state_.token_valid(token)) {
      state_.count([](exchange_stats& s) { ++s.unauthorized; });
      out.reply = resp.error(unauthorized, "unauthorized",
                             token.empty() ? "no access token" : "invalid or expired token",
                             "access_token");
      return out;
    }
  }

  std::string_view name;  // without "public/" or "private/"
  if (is_private)
    name = method.substr(8);
  else if (method.substr(0, 7) == "public/")
    name = method.substr(7);
  if (name == "auth" && !is_private) {
    out.reply = auth(*params, resp);
  } else if (name == "subscribe" || name == "unsubscribe") {
    out.reply = change_subscriptions(*params, resp, name == "subscribe", is_private);
  } else if (name == "unsubscribe_all") {
    state_.unsubscribe_all(id_);
    state_.count([](exchange_stats& s) { ++s.unsubscribe_calls; });
    out.reply = resp.result("ok");
  } else if (method == "public/set_heartbeat") {
    auto* interval = params->if_contains("interval");
    double seconds =
        interval != nullptr && interval->is_number() ? interval->to_number<double>() : 0;
    auto minimum = state_.options().min_heartbeat_interval;
    if (seconds < minimum) {
      out.reply = resp.error(
          invalid_params, "Invalid params",
          "interval must be a number of seconds, at least " + json::serialize(json::value(minimum)),
          "interval");
    } else {
      out.heartbeat_interval = seconds;
      out.reply = resp.result("ok");
    }
  } else if (method == "public/disable_heartbeat") {
    out.heartbeat_interval = 0.0;
    out.reply = resp.result("ok");
  } else if (method == "public/test" || method == "public/hello") {
    out.answers_test_request = method == "public/test";
    out.reply = resp.result(json::object{{"version", state_.options().version}});
  } else if (method == "public/get_time") {
    out.reply = resp.result(micros_since_epoch() / 1000);
  } else {
    out.reply = resp.error(method_not_found, "Method not found", method, "method");
  }
  return out;
}

std::string rpc_handler::auth(const json::object& params, response& resp) {
  auto grant_type = string_param(params, "grant_type");
  std::optional<exchange_state::grant> grant;
  if (grant_type == "client_credentials") {
    auto client_id = string_param(params, "client_id");
    auto secret = string_param(params, "client_secret");
    if (client_id.empty() || secret.empty())
      return resp.error(invalid_params, "Invalid params", "client_id and client_secret required",
                        client_id.empty() ? "client_id" : "client_secret");
    grant = state_.auth_client_credentials(client_id, secret);
    if (!grant) return resp.error(invalid_credentials, "invalid_credentials");
  } else if (grant_type == "refresh_token") {
    auto token = string_param(params, "refresh_token");
    if (token.empty())
      return resp.error(invalid_params, "Invalid params", "refresh_token required",
                        "refresh_token");
    grant = state_.auth_refresh(token);
    if (!grant)
      return resp.error(unauthorized, "unauthorized", "invalid or used refresh token",
                        "refresh_token");
  } else {
    return resp.error(invalid_params, "Invalid params",
                      "grant_type must be client_credentials or refresh_token", "grant_type");
  }
  connection_token_ = grant->access_token;
  return resp.result(json::object{{"access_token", grant->access_token},
                                  {"expires_in", grant->expires_in.count()},
                                  {"refresh_token", grant->refresh_token},
                                  {"scope", "connection mainaccount"},
                                  {"enabled_features", json::array{}},
                                  {"token_type", "bearer"}});
}

std::string rpc_handler::change_subscriptions(const json::object& params, response& resp,
                                              bool subscribe, bool is_private) {
  auto* channels = params.if_contains("channels");
  if (channels == nullptr || !channels->is_array())
    return resp.error(invalid_params, "Invalid params", "channels must be an array", "channels");
  // Deribit answers with the channels it did (un)subscribe; invalid names, and private
  // channels asked for through public/subscribe, are left out of that list.
  json::array changed;
  for (const auto& c : channels->get_array()) {
    if (!c.is_string()) continue;
    std::string name{c.get_string()};
    if (subscribe) {
      auto info = parse_channel(name);
      if (!info || (info->is_private && !is_private)) continue;
      state_.subscribe(id_, name);
    } else if (!state_.unsubscribe(id_, name)) {
      continue;
    }
    changed.emplace_back(name);
  }
  if (subscribe)
    state_.count([](exchange_stats& s) { ++s.subscribe_calls; });
  else
    state_.count([](exchange_stats& s) { ++s.unsubscribe_calls; });
  return resp.result(std::move(changed));
}

}  // namespace wsnova::test::detail
