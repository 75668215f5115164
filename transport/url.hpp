#pragma once

/// @file
/// WebSocket URLs (RFC 6455 section 3), parsed with Boost.URL.

#include <cstdint>
#include <string>
#include <string_view>

#include <wsnova/core/failure.hpp>

namespace wsnova {

/// A parsed ws:// or wss:// URL.
struct ws_url {
  /// True for wss:// (TLS).
  bool secure = false;
  /// Host name or IP address, without the brackets of an IPv6 literal.
  std::string host;
  /// True when the host is an IPv6 literal (the Host header then needs brackets).
  bool ipv6 = false;
  /// Port; 80 for ws:// and 443 for wss:// when the URL names none.
  std::uint16_t port = 80;
  /// Path and query sent in the request line; "/" when the URL has no path.
  std::string target = "/";

  /// Returns the value of the HTTP Host header ("host", "host:port", "[::1]:port").
  std::string host_header() const;
  /// Returns the URL in canonical form, e.g. "wss://example.com:8443/feed?x=1".
  std::string to_string() const;
};

/// Parses a WebSocket URL. Accepts the schemes ws and wss (any case) only.
/// Returns `errc::bad_url` with a detail naming the problem: unsupported scheme, missing host,
/// bad or zero port, user info (credentials do not belong in a URL), or a fragment
/// (RFC 6455 section 3 forbids fragments).
result<ws_url> parse_ws_url(std::string_view text);

}  // namespace wsnova
