#include <wsnova/behaviors/json_rpc.hpp>

#include <cstdint>
#include <limits>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <wsnova/core/error.hpp>

namespace wsnova {

namespace json = boost::json;

namespace {

/// "request 3 (public/auth)": how failures name a request.
std::string request_name(std::uint64_t id, const std::string& method) {
  return "JSON-RPC request " + std::to_string(id) + " (" + method + ")";
}

/// The value as one of our ids (a non-negative integer), if it is one.
std::optional<std::uint64_t> as_id(const json::value& v) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
  return std::nullopt;
}

/// The value as a signed integer, if it is an integer that fits.
std::optional<std::int64_t> as_int64(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() &&
      v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return static_cast<std::int64_t>(v.get_uint64());
  return std::nullopt;
}

/// True for an id JSON-RPC allows: a string, a number or null.
bool valid_id(const json::value& v) { return v.is_string() || v.is_number() || v.is_null(); }

/// True if `v` is an object with a "jsonrpc" member: a JSON-RPC message, valid or not.
bool claims_json_rpc(const json::value& v) {
  const auto* obj = v.if_object();
  return obj != nullptr && obj->contains("jsonrpc");
}

rpc_event classify_notification(const json::object& obj, const json::value& method) {
  if (!method.is_string()) return rpc_malformed{"method is not a string"};
  if (obj.contains("result") || obj.contains("error"))
    return rpc_malformed{"message has a method and a result or error"};
  rpc_notification note;
  note.method = std::string{method.get_string()};
  if (const auto* params = obj.if_contains("params")) {
    if (!params->is_object() && !params->is_array())
      return rpc_malformed{"params is neither an object nor an array"};
    note.params = *params;
    if (const auto* fields = params->if_object()) {
      if (const auto* channel = fields->if_contains("channel")) {
        note.channel =
            channel->is_string() ? std::string{channel->get_string()} : json::serialize(*channel);
      }
    }
  }
  if (const auto* id = obj.if_contains("id")) {
    if (!valid_id(*id)) return rpc_malformed{"id is neither a string, a number nor null"};
    note.id = *id;
  }
  return note;
}

}  // namespace

caf::expected<rpc_outgoing> rpc_correlator::make_request(std::string_view method,
                                                         json::value params, caf::timespan timeout,
                                                         time_point now) {
  if (method.empty()) return make_error(errc::invalid_argument, "JSON-RPC method is empty");
  if (!params.is_null() && !params.is_object() && !params.is_array())
    return make_error(
        errc::invalid_argument,
        "JSON-RPC params must be an object or an array (method " + std::string{method} + ")");
  rpc_outgoing out;
  out.id = next_id_++;
  json::object request;
  request["jsonrpc"] = "2.0";
  request["id"] = out.id;
  request["method"] = method;
  if (!params.is_null()) request["params"] = std::move(params);
  out.text = json::serialize(request);
  // Saturate instead of overflowing for "no timeout" (timespan::max()).
  auto deadline = timeout >= time_point::max() - now ? time_point::max() : now + timeout;
  pending_.emplace(out.id, pending{std::string{method}, now, deadline});
  deadlines_.emplace(deadline, out.id);
  return out;
}

std::optional<rpc_correlator::pending> rpc_correlator::take(std::uint64_t id) {
  auto i = pending_.find(id);
  if (i == pending_.end()) return std::nullopt;
  auto result = std::move(i->second);
  pending_.erase(i);
  deadlines_.erase({result.deadline, id});
  return result;
}

rpc_event rpc_correlator::on_message(std::string_view text, time_point now) {
  json::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec) return rpc_passthrough{"not JSON: " + ec.message()};
  if (const auto* batch = parsed.if_array()) {
    for (const auto& element : *batch)
      if (claims_json_rpc(element))
        return rpc_malformed{"batch of JSON-RPC messages: this client never sends batches"};
    return rpc_passthrough{"JSON array without JSON-RPC messages"};
  }
  const auto* obj = parsed.if_object();
  if (obj == nullptr) return rpc_passthrough{"JSON but not an object"};
  const auto* version = obj->if_contains("jsonrpc");
  if (version == nullptr) return rpc_passthrough{"no jsonrpc member"};
  if (!version->is_string() || version->get_string() != "2.0")
    return rpc_malformed{"jsonrpc is not \"2.0\""};
  if (const auto* method = obj->if_contains("method")) return classify_notification(*obj, *method);
  const auto* result = obj->if_contains("result");
  const auto* error = obj->if_contains("error");
  if (result != nullptr && error != nullptr)
    return rpc_malformed{"response has both result and error"};
  if (result == nullptr && error == nullptr)
    return rpc_malformed{"neither a method, a result nor an error"};
  const auto* id = obj->if_contains("id");
  if (id == nullptr) return rpc_malformed{"response without id"};
  if (!valid_id(*id)) return rpc_malformed{"id is neither a string, a number nor null"};
  if (error != nullptr) {
    const auto* fields = error->if_object();
    if (fields == nullptr) return rpc_malformed{"error is not an object"};
    const auto* code = fields->if_contains("code");
    const auto* message = fields->if_contains("message");
    auto number_code = code != nullptr ? as_int64(*code) : std::nullopt;
    if (!number_code) return rpc_malformed{"error.code is not an integer"};
    if (message == nullptr || !message->is_string())
      return rpc_malformed{"error.message is not a string"};
    rpc_error out;
    out.code = *number_code;
    out.message = std::string{message->get_string()};
    if (const auto* data = fields->if_contains("data")) out.data = *data;
    if (id->is_null()) return out;
    auto number = as_id(*id);
    auto request = number ? take(*number) : std::nullopt;
    if (!request) return rpc_unmatched{*id, parsed};
    out.id = *number;
    out.method = std::move(request->method);
    return out;
  }
  auto number = as_id(*id);
  auto request = number ? take(*number) : std::nullopt;
  if (!request) return rpc_unmatched{*id, parsed};
  return rpc_result{*number, std::move(request->method), *result, now - request->sent_at};
}

std::vector<rpc_failure> rpc_correlator::expire(time_point now) {
  std::vector<rpc_failure> result;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    auto id = deadlines_.begin()->second;
    auto request = take(id);
    if (!request) continue;  // cannot happen: both tables change together
    auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(request->deadline - request->sent_at);
    result.push_back(rpc_failure{
        id, request->method,
        make_error(errc::timeout, request_name(id, request->method) + ": no response within " +
                                      std::to_string(waited.count()) + " ms")});
  }
  return result;
}

std::vector<rpc_failure> rpc_correlator::fail_all(const caf::error& reason) {
  std::vector<rpc_failure> result;
  auto code = code_of(reason);
  if (code == errc::none) code = errc::connection_lost;
  for (auto& [id, request] : pending_) {
    result.push_back(rpc_failure{
        id, request.method,
        make_error(code, request_name(id, request.method) +
                             " failed with the connection, not sent again: " + describe(reason))});
  }
  pending_.clear();
  deadlines_.clear();
  return result;
}

std::optional<rpc_correlator::time_point> rpc_correlator::next_deadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

}  // namespace wsnova
