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
  json::object no_params;
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

  auto authorised = [&] {
    auto token = string_param(*params, "access_token");
    if (token.empty()) token = connection_token_;
    return !token.empty() && state_.token_valid(token);
  };
  auto refuse = [&](std::string_view reason) {
    state_.count([](exchange_stats& s) { ++s.unauthorized; });
    return resp.error(unauthorized, "unauthorized", reason, "access_token");
  };
  bool is_private = method.substr(0, 8) == "private/";

  if (method == "public/auth") {
    auto grant_type = string_param(*params, "grant_type");
    std::optional<exchange_state::grant> grant;
    if (grant_type == "client_credentials") {
      auto client_id = string_param(*params, "client_id");
      auto secret = string_param(*params, "client_secret");
      if (client_id.empty() || secret.empty()) {
        out.reply =
            resp.error(invalid_params, "Invalid params", "client_id and client_secret required",
                       client_id.empty() ? "client_id" : "client_secret");
        return out;
      }
      grant = state_.auth_client_credentials(client_id, secret);
      if (!grant) {
        out.reply = resp.error(invalid_credentials, "invalid_credentials");
        return out;
      }
    } else if (grant_type == "refresh_token") {
      auto token = string_param(*params, "refresh_token");
      if (token.empty()) {
        out.reply =
            resp.error(invalid_params, "Invalid params", "refresh_token required", "refresh_token");
        return out;
      }
      grant = state_.auth_refresh(token);
      if (!grant) {
        out.reply = resp.error(unauthorized, "unauthorized", "invalid or used refresh token",
                               "refresh_token");
        return out;
      }
    } else {
      out.reply =
          resp.error(invalid_params, "Invalid params",
                     "grant_type must be client_credentials or refresh_token", "grant_type");
      return out;
    }
    connection_token_ = grant->access_token;
    out.reply = resp.result(json::object{{"access_token", grant->access_token},
                                         {"expires_in", grant->expires_in.count()},
                                         {"refresh_token", grant->refresh_token},
                                         {"scope", "connection mainaccount"},
                                         {"enabled_features", json::array{}},
                                         {"token_type", "bearer"}});
    return out;
  }

  if (method == "public/subscribe" || method == "private/subscribe") {
    if (is_private && !authorised()) {
      out.reply = refuse("private/subscribe needs a valid access token");
      return out;
    }
    auto* channels = params->if_contains("channels");
    if (channels == nullptr || !channels->is_array()) {
      out.reply =
          resp.error(invalid_params, "Invalid params", "channels must be an array", "channels");
      return out;
    }
    // Deribit answers with the channels it did subscribe; invalid names and private channels
    // asked for through public/subscribe are left out of that list.
    json::array subscribed;
    for (const auto& c : channels->get_array()) {
      if (!c.is_string()) continue;
      std::string name{c.get_string()};
      auto info = parse_channel(name);
      if (!info || (info->is_private && !is_private)) continue;
      state_.subscribe(id_, name);
      subscribed.emplace_back(name);
    }
    state_.count([](exchange_stats& s) { ++s.subscribe_calls; });
    out.reply = resp.result(std::move(subscribed));
    return out;
  }

  if (method == "public/unsubscribe" || method == "private/unsubscribe") {
    if (is_private && !authorised()) {
      out.reply = refuse("private/unsubscribe needs a valid access token");
      return out;
    }
    auto* channels = params->if_contains("channels");
    if (channels == nullptr || !channels->is_array()) {
      out.reply =
          resp.error(invalid_params, "Invalid params", "channels must be an array", "channels");
      return out;
    }
    json::array removed;
    for (const auto& c : channels->get_array())
      if (c.is_string() && state_.unsubscribe(id_, std::string{c.get_string()}))
        removed.emplace_back(c.get_string());
    state_.count([](exchange_stats& s) { ++s.unsubscribe_calls; });
    out.reply = resp.result(std::move(removed));
    return out;
  }

  if (method == "public/unsubscribe_all" || method == "private/unsubscribe_all") {
    if (is_private && !authorised()) {
      out.reply = refuse("private/unsubscribe_all needs a valid access token");
      return out;
    }
    state_.unsubscribe_all(id_);
    state_.count([](exchange_stats& s) { ++s.unsubscribe_calls; });
    out.reply = resp.result("ok");
    return out;
  }

  if (method == "public/set_heartbeat") {
    auto* interval = params->if_contains("interval");
    double seconds =
        interval != nullptr && interval->is_number() ? interval->to_number<double>() : 0;
    auto minimum = state_.options().min_heartbeat_interval;
    if (seconds < minimum) {
      out.reply = resp.error(
          invalid_params, "Invalid params",
          "interval must be a number of seconds, at least " + json::serialize(json::value(minimum)),
          "interval");
      return out;
    }
    out.heartbeat_interval = seconds;
    out.reply = resp.result("ok");
    return out;
  }

  if (method == "public/disable_heartbeat") {
    out.heartbeat_interval = 0.0;
    out.reply = resp.result("ok");
    return out;
  }

  if (method == "public/test" || method == "public/hello") {
    out.answers_test_request = method == "public/test";
    out.reply = resp.result(json::object{{"version", state_.options().version}});
    return out;
  }

  if (method == "public/get_time") {
    out.reply = resp.result(micros_since_epoch() / 1000);
    return out;
  }

  out.reply = resp.error(method_not_found, "Method not found", std::string{method}, "method");
  return out;
}

}  // namespace wsnova::test::detail
