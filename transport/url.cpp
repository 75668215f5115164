#include <wsnova/transport/url.hpp>

#include <algorithm>
#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace wsnova {

namespace {

/// `text` without the user info of its authority ("user:password@"): errors are logged and
/// shown, credentials must not be.
std::string without_user_info(std::string_view text) {
  std::string result{text};
  auto start = result.find("://");
  if (start == std::string::npos) return result;
  start += 3;
  const auto end = result.find_first_of("/?#", start);
  const auto at = result.rfind('@', end == std::string::npos ? end : end - 1);
  if (at != std::string::npos && at >= start) result.erase(start, at + 1 - start);
  return result;
}

failure bad_url(std::string_view text, std::string_view why) {
  return {errc::bad_url, std::string{why} + ": '" + without_user_info(text) + "'"};
}

std::string lowercase(std::string_view text) {
  std::string result{text};
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

}  // namespace

std::string ws_url::host_header() const {
  std::string result = ipv6 ? "[" + host + "]" : host;
  if (port != (secure ? 443 : 80)) result += ":" + std::to_string(port);
  return result;
}

std::string ws_url::to_string() const {
  std::string result = secure ? "wss://" : "ws://";
  result += ipv6 ? "[" + host + "]" : host;
  result += ":" + std::to_string(port);
  result += target;
  return result;
}

result<ws_url> parse_ws_url(std::string_view text) {
  if (text.empty()) return bad_url(text, "empty URL");
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return bad_url(text, "not a URL (" + parsed.error().message() + ")");
  const boost::urls::url_view& url = *parsed;
  ws_url result;
  auto scheme = lowercase(url.scheme());
  if (scheme == "wss") {
    result.secure = true;
  } else if (scheme != "ws") {
    return bad_url(text,
                   "unsupported scheme '" + std::string{url.scheme()} + "' (only ws and wss)");
  }
  if (!url.has_authority() || url.encoded_host().empty()) return bad_url(text, "missing host");
  if (url.has_userinfo()) return bad_url(text, "user info in URL is not supported");
  if (url.has_fragment()) return bad_url(text, "fragments are not allowed in WebSocket URLs");
  switch (url.host_type()) {
    case boost::urls::host_type::ipv6:
      result.ipv6 = true;
      result.host = url.host_ipv6_address().to_string();
      break;
    case boost::urls::host_type::ipvfuture:
      return bad_url(text, "IPvFuture hosts are not supported");
    default:
      result.host = url.host();
      break;
  }
  result.port = result.secure ? 443 : 80;
  if (url.has_port()) {
    auto digits = url.port();
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
        value > 65535)
      return bad_url(text, "bad port '" + std::string{digits} + "'");
    result.port = static_cast<std::uint16_t>(value);
  }
  result.target = url.encoded_path().empty() ? "/" : std::string{url.encoded_path()};
  if (result.target.front() != '/') result.target.insert(0, 1, '/');
  if (url.has_query()) result.target += "?" + std::string{url.encoded_query()};
  return result;
}

}  // namespace wsnova
