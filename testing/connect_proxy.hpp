// In-process HTTP CONNECT proxy for tests of proxied ws:// and wss:// connections.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace wsnova::test {

/// Options of a `connect_proxy`; every field has a usable default.
struct connect_proxy_options {
  /// Basic credentials the proxy requires, as "user:password" (before base64); a CONNECT
  /// without exactly these is answered 407 with `Proxy-Authenticate`. Empty (default):
  /// no credentials required.
  std::string credentials;

  /// Nonzero: answer every (authorised) CONNECT with this HTTP status instead of opening
  /// the tunnel, e.g. 403 or 502. Default 0.
  int refuse_status = 0;
};

/// One CONNECT request the proxy received.
struct connect_record {
  /// The request target, e.g. "localhost:4433" or "[::1]:80".
  std::string target;

  /// The Host header.
  std::string host;

  /// The `Proxy-Authorization` header, empty when none was sent.
  std::string authorization;

  /// The HTTP status the proxy answered.
  int status = 0;
};

/// An HTTP/1.1 CONNECT proxy (RFC 9110 section 9.3.6) on 127.0.0.1, one I/O thread, Beast.
///
/// Each connection carries one CONNECT request. The proxy checks the credentials, connects
/// to the target — loopback addresses only; any other target is answered 403 — answers
/// `200 Connection established` and then relays bytes both ways until both sides have
/// finished (a half-close is passed on). A target that refuses the connection is answered
/// 502, a method other than CONNECT 405.
///
/// Thread safety: every member function may be called from any thread. Lifetime: the
/// destructor stops the thread and closes every socket at once.
class connect_proxy {
 public:
  /// Binds 127.0.0.1 on an ephemeral port and serves on its own thread before returning.
  explicit connect_proxy(connect_proxy_options options = {});

  /// Stops serving and closes every tunnel.
  ~connect_proxy();

  connect_proxy(const connect_proxy&) = delete;
  connect_proxy& operator=(const connect_proxy&) = delete;

  /// Returns the TCP port the proxy listens on.
  std::uint16_t port() const;

  /// Returns "http://127.0.0.1:PORT", or "http://USERINFO@127.0.0.1:PORT" with a
  /// (percent-encoded) `userinfo` such as "user:pa%40ss".
  std::string url(const std::string& userinfo = {}) const;

  /// Returns the number of CONNECT requests received since start.
  std::size_t request_count() const;

  /// Returns the number of tunnels opened (answered 200) since start.
  std::size_t tunnel_count() const;

  /// Returns the latest CONNECT request; nothing before the first.
  std::optional<connect_record> last_request() const;

  /// Returns true as soon as `request_count() >= n`, false if that does not happen before
  /// `deadline` elapses.
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds deadline);

  /// Opaque state shared with the tunnels (defined in connect_proxy.cpp).
  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace wsnova::test
