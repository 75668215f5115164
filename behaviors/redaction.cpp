#include <wsnova/behaviors/redaction.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace wsnova {

namespace {

std::string lower(std::string_view text) {
  std::string result{text};
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

bool contains_any(std::string_view name, std::initializer_list<std::string_view> needles) {
  const auto lowered = lower(name);
  return std::any_of(needles.begin(), needles.end(), [&](std::string_view needle) {
    return lowered.find(needle) != std::string::npos;
  });
}

bool is_secret_query_key(std::string_view key) {
  static constexpr std::array<std::string_view, 8> exact{
      "token", "access_token", "api_key", "key", "secret", "signature", "password", "auth"};
  const auto lowered = lower(key);
  return std::find(exact.begin(), exact.end(), lowered) != exact.end() ||
         contains_any(key, {"token", "secret", "signature", "password"});
}

bool is_secret_member(std::string_view name) {
  return contains_any(
      name, {"secret", "password", "token", "signature", "api_key", "apikey", "credential"});
}

void redact_value(boost::json::value& value) {
  if (auto* object = value.if_object()) {
    for (auto& member : *object) {
      if (is_secret_member(member.key()))
        member.value() = boost::json::string{redacted};
      else
        redact_value(member.value());
    }
  } else if (auto* array = value.if_array()) {
    for (auto& element : *array) redact_value(element);
  }
}

}  // namespace

std::string redact_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri_reference(url);
  if (!parsed) return std::string{redacted};
  boost::urls::url result{*parsed};
  if (result.has_userinfo()) result.remove_userinfo();
  for (auto param : result.params()) {
    if (param.has_value && is_secret_query_key(param.key)) {
      // Rebuilt below: a params view cannot be changed while iterated.
      auto copy = result.params();
      for (auto it = copy.begin(); it != copy.end(); ++it)
        if ((*it).has_value && is_secret_query_key((*it).key))
          it = copy.replace(it, {(*it).key, redacted});
      break;
    }
  }
  return std::string{result.buffer()};
}

bool is_secret_header(std::string_view name) {
  const auto lowered = lower(name);
  return lowered == "authorization" || lowered == "proxy-authorization" || lowered == "cookie" ||
         lowered == "set-cookie" || contains_any(name, {"token", "secret", "api-key", "signature"});
}

std::vector<std::pair<std::string, std::string>> redact_headers(
    std::vector<std::pair<std::string, std::string>> headers) {
  for (auto& [name, value] : headers)
    if (is_secret_header(name)) value = std::string{redacted};
  return headers;
}

std::string redact_json(std::string_view json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  if (ec) return std::string{redacted};
  redact_value(value);
  return boost::json::serialize(value);
}

}  // namespace wsnova
