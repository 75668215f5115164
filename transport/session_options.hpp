#pragma once

/// @file
/// Options of one WebSocket transport session: handshake, limits, timeouts, heartbeat, TLS,
/// proxy.

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <wsnova/core/failure.hpp>
#include <wsnova/transport/proxy.hpp>
#include <wsnova/transport/tls.hpp>

namespace wsnova {

/// Options of a transport session. Every field has a working default; they are read when a
/// session starts, so a change applies to the next (re)connect.
struct session_options {
  /// Extra HTTP headers on the upgrade request, in order. Default none.
  std::vector<std::pair<std::string, std::string>> headers;
  /// Subprotocols offered in Sec-WebSocket-Protocol, in order of preference. Default none.
  std::vector<std::string> subprotocols;
  /// Offer permessage-deflate (RFC 7692). Default false: compression costs CPU and latency.
  bool compress = false;
  /// Largest message accepted from the peer, in bytes; a bigger one fails the connection with
  /// close code 1009 and `errc::message_too_big`. Default 16 MiB (Beast's default).
  std::size_t max_message_size = 16u << 20;
  /// Deadline for DNS resolution plus the TCP connect, and the proxy's CONNECT exchange when
  /// a proxy is used. Default 10 s.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Deadline for the TLS handshake plus the HTTP upgrade, and for the close handshake.
  /// Default 10 s.
  std::chrono::milliseconds handshake_timeout{10'000};
  /// Interval of client heartbeat pings; zero turns heartbeats off. Default 20 s, like
  /// Python websockets: a half-open connection is found within ping_interval + pong_timeout.
  std::chrono::milliseconds ping_interval{20'000};
  /// How long to wait for any frame after a heartbeat ping before the peer is declared dead
  /// (close 1011, `errc::timeout`). Default 20 s.
  std::chrono::milliseconds pong_timeout{20'000};
  /// Declare the peer dead (close 1011, `errc::timeout`) when no data message arrived for
  /// this long, even though it answers pings: for platforms with heartbeats of their own
  /// (Deribit's `test_request`), whose silence means the service, not the socket, is stuck.
  /// Checked at each heartbeat ping, so it needs `ping_interval`; zero turns it off.
  /// Default 0.
  std::chrono::milliseconds silence_timeout{0};
  /// Gather the frames written during one I/O round into one socket write, flushed when two
  /// handler rounds pass without new bytes. Default true: fewer system calls and less CPU per
  /// message (docs/benchmarks.md), at the price of a few microseconds on a lone message;
  /// false writes each frame as it comes (the `financial` profile).
  bool coalesce_writes = true;
  /// Size of the buffer a client masks outgoing frames in (Beast's `write_buffer_bytes`),
  /// at least 8. A message larger than it is masked and handed to the socket in pieces of
  /// this size, each a write of its own. Default 64 KiB, not Beast's 4 KiB: a 16 KiB
  /// message goes out in one pass, not four (each a handler round and, without coalescing,
  /// a system call; docs/benchmarks.md). Allocated once per connection.
  std::size_t write_buffer_bytes = std::size_t{64} * 1024;
  /// Disable Nagle's algorithm. Default true: WebSocket messages are latency-sensitive.
  bool tcp_nodelay = true;
  /// Local IP address to connect from (the socket is bound to it, port chosen by the
  /// kernel). Default empty: the kernel chooses. Each (local address, server address, port)
  /// has its own ephemeral port range, so spreading connections to one server over several
  /// local addresses (127.0.0.2, 127.0.0.3, ... on loopback) takes a process past the ~28,000
  /// connections one range allows (docs/scale.md). Of the server's resolved addresses, the
  /// first of the same family (IPv4 or IPv6) is tried.
  std::string local_address;
  /// User-Agent header; empty sends none. Default "wsnova/0.1".
  std::string user_agent = "wsnova/0.1";
  /// TLS settings for wss:// (verification on by default).
  tls_options tls;
  /// HTTP CONNECT proxy for ws:// and wss://. Default none (the environment is ignored).
  proxy_options proxy;
};

/// Returns an `invalid_argument` failure naming the first bad field, or no failure: header
/// names must be HTTP tokens (RFC 9110 section 5.6.2), header values and subprotocols must
/// not contain CR, LF or NUL (they would inject headers into the upgrade request), and
/// subprotocols must be tokens too (RFC 6455 section 4.1); a proxy URL must parse
/// (`parse_proxy_url`); a local address must be an IP address.
failure check_session_options(const session_options& options);

}  // namespace wsnova
