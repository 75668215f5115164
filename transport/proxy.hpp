#pragma once

/// @file
/// HTTP CONNECT proxies: the options, the proxy URL, the usual environment variables
/// (`https_proxy`, `http_proxy`, `no_proxy`) and the choice of a proxy for a target URL.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <wsnova/core/failure.hpp>
#include <wsnova/transport/url.hpp>

namespace wsnova {

/// How a session reaches its server through an HTTP proxy (a CONNECT tunnel, RFC 9110
/// section 9.3.6), for ws:// and wss:// alike. Default: no proxy, environment ignored.
struct proxy_options {
  /// Proxy URL `http://[user:password@]host[:port]` (port 80 when none; a URL without a
  /// scheme counts as http://). User and password are percent-decoded and sent as Basic
  /// credentials in `Proxy-Authorization`; they never appear in an error or a log. Empty:
  /// no proxy, unless `from_environment`.
  std::string url;
  /// Hosts reached directly, in `no_proxy` syntax (see `bypasses_proxy`). Default none.
  std::string no_proxy;
  /// Opt-in: when `url` is empty, take the proxy from `https_proxy` (wss) or `http_proxy`
  /// (ws), lower case first, and, when `no_proxy` is empty, the bypass list from `no_proxy`
  /// / `NO_PROXY`. Read at every connect. Default false.
  bool from_environment = false;
};

/// The proxy variables of an environment; empty when unset.
struct proxy_environment {
  /// `http_proxy`, else `HTTP_PROXY`: the proxy for ws://.
  std::string http_proxy;
  /// `https_proxy`, else `HTTPS_PROXY`: the proxy for wss://.
  std::string https_proxy;
  /// `no_proxy`, else `NO_PROXY`.
  std::string no_proxy;

  /// Reads the variables through `lookup` (a variable's value, or nothing when unset), the
  /// lower-case spelling first. Pure: tests pass a map, `from_process` passes `getenv`.
  static proxy_environment read(
      const std::function<std::optional<std::string>(const std::string&)>& lookup);

  /// Reads the variables of this process.
  static proxy_environment from_process();
};

/// A proxy to connect through, parsed from a proxy URL.
struct proxy_endpoint {
  /// Host name or IP address, without the brackets of an IPv6 literal.
  std::string host;
  /// True when `host` is an IPv6 literal.
  bool ipv6 = false;
  /// TCP port.
  std::uint16_t port = 80;
  /// Value of the `Proxy-Authorization` header ("Basic ..."), empty without credentials.
  std::string authorization;

  /// Returns "host:port" ("[::1]:port"): how errors name the proxy, without credentials.
  std::string name() const;
};

/// Parses a proxy URL (see `proxy_options::url`). Returns `errc::invalid_argument` for a
/// scheme other than http, a missing host, a bad port, a path, query or fragment; the
/// detail never repeats the URL, which may hold a password.
result<proxy_endpoint> parse_proxy_url(std::string_view text);

/// Returns true if `target` is to be reached directly according to `no_proxy`: a list of
/// entries separated by commas or blanks. A lone asterisk matches every host; an IP address
/// matches that address; a host name matches itself and its subdomains, with or without a
/// leading dot or asterisk-dot (`example.com` and `.example.com` both match
/// `a.example.com`). An entry may end with a colon and a port (`[v6]:port` for IPv6) to
/// match only that port. Case does not matter.
bool bypasses_proxy(const ws_url& target, std::string_view no_proxy);

/// Returns the proxy to use for `target`, or nothing for a direct connection: `options.url`
/// when set, else (with `from_environment`) the variable matching the scheme in `env`;
/// nothing when the chosen bypass list matches. Fails like `parse_proxy_url`.
result<std::optional<proxy_endpoint>> select_proxy(const proxy_options& options,
                                                   const ws_url& target,
                                                   const proxy_environment& env);

}  // namespace wsnova
