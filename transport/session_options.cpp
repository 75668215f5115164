#include <wsnova/transport/session_options.hpp>

#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

namespace wsnova {

namespace {

/// Returns true for RFC 9110 `tchar`.
bool is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view{"!#$%&'*+-.^_`|~"}.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned char c : text)
    if (!is_tchar(c)) return false;
  return true;
}

/// Returns true if `text` holds CR, LF or NUL.
bool breaks_lines(std::string_view text) {
  return text.find_first_of(std::string_view{"\r\n\0", 3}) != std::string_view::npos;
}

/// Returns `text` with control characters escaped, for a readable detail.
std::string printable(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string result;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      result += "\\x";
      result += hex[c >> 4];
      result += hex[c & 0xf];
    } else {
      result += static_cast<char>(c);
    }
  }
  return result;
}

failure invalid(std::string what) { return {errc::invalid_argument, std::move(what)}; }

}  // namespace

failure check_session_options(const session_options& options) {
  for (const auto& [name, value] : options.headers) {
    if (!is_token(name))
      return invalid("header name '" + printable(name) + "' is not an HTTP token");
    if (breaks_lines(value))
      return invalid("header '" + name + "' has CR, LF or NUL in its value '" + printable(value) +
                     "'");
  }
  for (const auto& protocol : options.subprotocols)
    if (!is_token(protocol))
      return invalid("subprotocol '" + printable(protocol) + "' is not an HTTP token");
  if (breaks_lines(options.user_agent))
    return invalid("user agent '" + printable(options.user_agent) + "' has CR, LF or NUL");
  if (options.write_buffer_bytes < 8)
    return invalid("write buffer of " + std::to_string(options.write_buffer_bytes) +
                   " bytes is below Beast's minimum of 8");
  if (!options.proxy.url.empty())
    if (auto proxy = parse_proxy_url(options.proxy.url); !proxy) return proxy.error();
  if (!options.local_address.empty()) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(options.local_address, ec);
    if (ec)
      return invalid("local address '" + printable(options.local_address) +
                     "' is not an IP address");
  }
  return {};
}

}  // namespace wsnova
