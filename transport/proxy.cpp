#include <wsnova/transport/proxy.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace wsnova {

namespace {

failure bad_proxy_url(std::string_view why) {
  return {errc::invalid_argument, "proxy URL: " + std::string{why}};
}

std::string lowercase(std::string_view text) {
  std::string result{text};
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

std::optional<std::uint16_t> parse_port(std::string_view digits) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
      value > 65535)
    return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::string basic_credentials(const std::string& user, const std::string& password) {
  namespace base64 = boost::beast::detail::base64;
  auto plain = user + ":" + password;
  std::string encoded(base64::encoded_size(plain.size()), '\0');
  encoded.resize(base64::encode(encoded.data(), plain.data(), plain.size()));
  return "Basic " + encoded;
}

/// Returns the IP address in `text`, or nothing for a host name.
std::optional<boost::asio::ip::address> ip_address(const std::string& text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return address;
}

/// One `no_proxy` entry: a host (name or address, lower case) and an optional port.
struct bypass_entry {
  std::string host;
  std::optional<std::uint16_t> port;
};

/// Splits "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address; nothing for an
/// entry that is none of these (it then matches nothing).
std::optional<bypass_entry> parse_bypass_entry(std::string_view entry) {
  bypass_entry result;
  std::string_view port;
  if (entry.front() == '[') {
    auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    result.host = entry.substr(1, close - 1);
    auto rest = entry.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || (port = rest.substr(1)).empty()))
      return std::nullopt;
  } else if (auto colon = entry.find(':');
             colon != std::string_view::npos && entry.find(':', colon + 1) == entry.npos) {
    result.host = entry.substr(0, colon);
    port = entry.substr(colon + 1);
  } else {
    result.host = entry;  // a host name, or an IPv6 address without brackets
  }
  if (!port.empty() && !(result.port = parse_port(port))) return std::nullopt;
  result.host = lowercase(result.host);
  return result;
}

bool matches(const bypass_entry& entry, const ws_url& target) {
  if (entry.port && *entry.port != target.port) return false;
  auto host = lowercase(target.host);
  auto target_ip = ip_address(host);
  auto entry_ip = ip_address(entry.host);
  if (target_ip || entry_ip) return target_ip && entry_ip && *target_ip == *entry_ip;
  std::string_view name = entry.host;
  if (name.starts_with("*.")) name.remove_prefix(2);
  while (name.starts_with(".")) name.remove_prefix(1);
  if (name.empty()) return false;
  if (host == name) return true;
  return host.size() > name.size() && host.ends_with(name) &&
         host[host.size() - name.size() - 1] == '.';
}

}  // namespace

proxy_environment proxy_environment::read(
    const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  auto either = [&](const std::string& lower, const std::string& upper) {
    if (auto value = lookup(lower); value && !value->empty()) return *value;
    return lookup(upper).value_or(std::string{});
  };
  return {either("http_proxy", "HTTP_PROXY"), either("https_proxy", "HTTPS_PROXY"),
          either("no_proxy", "NO_PROXY")};
}

proxy_environment proxy_environment::from_process() {
  return read([](const std::string& name) -> std::optional<std::string> {
    // getenv only reads; wsnova never changes the environment.
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string{value};
  });
}

std::string proxy_endpoint::name() const {
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

result<proxy_endpoint> parse_proxy_url(std::string_view text) {
  if (text.empty()) return bad_proxy_url("empty");
  // "proxy.example:3128", as environment variables often say, means http://.
  std::string with_scheme{text};
  if (text.find("://") == std::string_view::npos) with_scheme = "http://" + with_scheme;
  auto parsed = boost::urls::parse_uri(with_scheme);
  if (!parsed) return bad_proxy_url("not a URL (" + parsed.error().message() + ")");
  const boost::urls::url_view& url = *parsed;
  if (lowercase(url.scheme()) != "http")
    return bad_proxy_url("unsupported scheme '" + std::string{url.scheme()} +
                         "' (only http:// proxies)");
  if (!url.has_authority() || url.encoded_host().empty()) return bad_proxy_url("missing host");
  if (!url.encoded_path().empty() && url.encoded_path() != "/")
    return bad_proxy_url("a proxy URL has no path");
  if (url.has_query() || url.has_fragment())
    return bad_proxy_url("a proxy URL has no query or fragment");
  proxy_endpoint result;
  switch (url.host_type()) {
    case boost::urls::host_type::ipv6:
      result.ipv6 = true;
      result.host = url.host_ipv6_address().to_string();
      break;
    case boost::urls::host_type::ipvfuture:
      return bad_proxy_url("IPvFuture hosts are not supported");
    default:
      result.host = url.host();
      break;
  }
  if (url.has_port()) {
    auto port = parse_port(url.port());
    if (!port) return bad_proxy_url("bad port '" + std::string{url.port()} + "'");
    result.port = *port;
  }
  if (url.has_userinfo()) result.authorization = basic_credentials(url.user(), url.password());
  return result;
}

bool bypasses_proxy(const ws_url& target, std::string_view no_proxy) {
  while (!no_proxy.empty()) {
    auto end = no_proxy.find_first_of(", \t");
    auto entry = no_proxy.substr(0, end);
    no_proxy.remove_prefix(end == std::string_view::npos ? no_proxy.size() : end + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (auto parsed = parse_bypass_entry(entry); parsed && matches(*parsed, target)) return true;
  }
  return false;
}

result<std::optional<proxy_endpoint>> select_proxy(const proxy_options& options,
                                                   const ws_url& target,
                                                   const proxy_environment& env) {
  std::string_view url = options.url;
  std::string_view no_proxy = options.no_proxy;
  if (options.from_environment) {
    if (url.empty()) url = target.secure ? env.https_proxy : env.http_proxy;
    if (no_proxy.empty()) no_proxy = env.no_proxy;
  }
  if (url.empty() || bypasses_proxy(target, no_proxy)) return std::optional<proxy_endpoint>{};
  auto endpoint = parse_proxy_url(url);
  if (!endpoint) return endpoint.error();
  return std::optional<proxy_endpoint>{std::move(*endpoint)};
}

}  // namespace wsnova
