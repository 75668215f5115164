// In-process WebSocket echo server for tests, examples and benchmarks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsnova::test {

/// Options of an `echo_server`; every field has a usable default.
struct server_options {
  /// Serve `wss://` instead of `ws://`. Default false. Needs `cert_file` and `key_file`.
  bool tls = false;

  /// PEM certificate chain presented when `tls` is set (e.g. `make_test_certs(..).server_cert`).
  std::string cert_file;

  /// PEM private key of `cert_file`.
  std::string key_file;

  /// Mutual TLS: when set, require a client certificate issued by the CA certificates in
  /// this PEM file (e.g. `make_test_certs(..).ca_cert`); a client without one fails the
  /// handshake. Default empty: no client certificate asked for.
  std::string client_ca_file;

  /// Accept permessage-deflate (RFC 7692) when the client offers it. Default false.
  bool deflate = false;

  /// Largest incoming message in bytes; bigger ones fail the session with close code 1009.
  /// Default 64 MiB.
  std::size_t max_message = 64u << 20;

  /// Nonzero: answer every upgrade request with this HTTP status (e.g. 403) and close the
  /// connection without upgrading. The request headers are still recorded. Default 0.
  int reject_status = 0;

  /// Accept this subprotocol when the client lists it in `Sec-WebSocket-Protocol`; empty
  /// (default) selects no subprotocol.
  std::string subprotocol;

  /// Number of I/O threads; values below 1 count as 1. Default 1.
  std::size_t threads = 1;

  /// Split long outgoing messages into frames (Beast's auto_fragment), giving up the write
  /// lock between them so a Close may cut a message short. Default true; false sends each
  /// message as one frame.
  bool auto_fragment = true;

  /// When set, each text message that is not a command goes to this function instead of being
  /// echoed, and the texts it returns are sent back in order (none: no answer). Called on the
  /// server's I/O thread: keep it thread-safe when `threads > 1` or when the test reads its
  /// state. Turns the echo server into a scripted peer (a JSON-RPC server, say).
  std::function<std::vector<std::string>(const std::string& text)> respond;
};

/// A close frame the server received from a client.
struct close_record {
  /// Close code (RFC 6455 section 7.4); 0 when the frame carried no payload.
  uint16_t code = 0;

  /// Close reason, possibly empty.
  std::string reason;

  /// True when the frame answered a close the server started (`close_all`, `!close`),
  /// false when the client started the closing handshake.
  bool answered_server_close = false;
};

/// What the server saw of a client's TLS handshake.
struct tls_handshake_record {
  /// The server name the client sent (SNI, RFC 6066 section 3); nothing when it sent none.
  std::optional<std::string> server_name;

  /// True when the handshake resumed an earlier session (ticket or session id).
  bool resumed = false;

  /// True when the client presented a certificate.
  bool client_certificate = false;
};

/// An in-process Boost.Beast WebSocket server on 127.0.0.1 that echoes every message.
///
/// Every message is sent back with the same kind (text or binary), in order. Each session
/// has one writer at a time (outgoing frames are queued), answers pings, completes the
/// closing handshake, and survives misbehaving clients (protocol errors end only that
/// session). Text messages starting with `!` are commands instead of being echoed:
///
/// | command              | effect                                                          |
/// | -------------------- | --------------------------------------------------------------- |
/// | `!close CODE REASON` | server starts the closing handshake with CODE and REASON (REASON
/// optional; any 16-bit CODE is sent as is, so invalid codes can be injected) | | `!stream N` |
/// server sends the text messages "1", "2", ..., "N" as fast as it can, then goes on echoing | |
/// `!ping PAYLOAD`      | server sends a ping with PAYLOAD (at most 125 bytes)             | |
/// `!raw HEX`           | server writes the hex-decoded bytes as they are, in one write to the
/// TCP socket (frames Beast would not send, several frames in one segment); a raw close frame
/// ends the server's sending; ws:// only |
///
/// A malformed command is answered with a text message `!error <what>`; any other text
/// starting with `!` is echoed.
///
/// Thread safety: every member function may be called from any thread. Commands
/// (`close_all`, `ping_all`, `drop_all`) are asynchronous: they are queued to the sessions
/// existing at the time of the call and return at once. Observations (`wait_for_...`) block
/// the caller until the event or the deadline, whichever comes first.
///
/// Lifetime: the destructor stops the I/O threads and closes every socket without a
/// closing handshake; it never waits for a client.
class echo_server {
 public:
  // -- constructors ---------------------------------------------------------------------

  /// Binds 127.0.0.1 on an ephemeral port and starts serving on its own thread(s) before
  /// returning. Throws `std::system_error` (bind) or `std::runtime_error` (TLS files).
  explicit echo_server(server_options opts = {});

  /// Stops serving, closes all sockets forcibly and joins the I/O threads.
  ~echo_server();

  echo_server(const echo_server&) = delete;
  echo_server& operator=(const echo_server&) = delete;

  // -- properties -----------------------------------------------------------------------

  /// Returns the TCP port the server listens on.
  uint16_t port() const;

  /// Returns `ws://127.0.0.1:PORT/path`, or `wss://localhost:PORT/path` when serving TLS
  /// (the test certificates name localhost). A `path` without a leading '/' gets one.
  std::string url(std::string_view path = "/") const;

  /// Returns the options the server was started with.
  const server_options& options() const;

  /// Returns the number of currently open WebSocket sessions (upgraded, not yet ended).
  std::size_t connection_count() const;

  /// Returns the number of data messages (echoes, stream numbers) whose write completed
  /// since start: they are on the wire before any Close the server sends afterwards.
  std::size_t messages_written() const;

  /// Returns the number of upgrades accepted since start.
  std::size_t accepted_count() const;

  /// Returns the latest TLS handshake that completed (the server issues session tickets, so
  /// clients may resume); nothing before the first one or without `tls`.
  std::optional<tls_handshake_record> last_tls_handshake() const;

  /// Returns the number of TLS handshakes completed since start.
  std::size_t tls_handshake_count() const;

  /// Returns the headers of the latest upgrade request (also of rejected ones), names in
  /// lower case; repeated headers are joined with ", ". Empty before the first request.
  std::map<std::string, std::string> last_request_headers() const;

  // -- commands to all current sessions -------------------------------------------------

  /// Starts the closing handshake with `code` and `reason` on every open session, after
  /// the frames already queued for it.
  void close_all(uint16_t code, std::string reason);

  /// Sends a ping with `payload` (at most 125 bytes) on every open session.
  void ping_all(std::string payload);

  /// Sends the text message `text` on every open session, after the frames queued for it.
  void send_all(std::string text);

  /// Closes every session's TCP connection abruptly, without a close frame.
  void drop_all();

  // -- observations ---------------------------------------------------------------------

  /// Returns the next close frame received from any client (in arrival order, each
  /// returned once), or `std::nullopt` when none arrives before `deadline` elapses.
  std::optional<close_record> wait_for_client_close(std::chrono::milliseconds deadline);

  /// Returns the payload of the next pong received from any client (in arrival order, each
  /// returned once), or `std::nullopt` when none arrives before `deadline` elapses.
  std::optional<std::string> wait_for_pong_payload(std::chrono::milliseconds deadline);

  /// Returns how the next session's read loop ended (in order, each returned once): "closed"
  /// after a clean closing handshake, else the error's message (e.g. "Connection reset by
  /// peer"); `std::nullopt` when none ends before `deadline`.
  std::optional<std::string> wait_for_read_end(std::chrono::milliseconds deadline);

  /// Returns true when a pong arrives before `deadline`; consumes it like
  /// `wait_for_pong_payload`.
  bool wait_for_pong(std::chrono::milliseconds deadline);

  /// Returns true as soon as `connection_count() == n`, false if that does not happen
  /// before `deadline` elapses.
  bool wait_for_connections(std::size_t n, std::chrono::milliseconds deadline);

  /// Returns true as soon as `accepted_count() >= n`, false if that does not happen before
  /// `deadline` elapses.
  bool wait_for_accepted(std::size_t n, std::chrono::milliseconds deadline);

  /// Opaque state shared with the sessions (defined in echo_server.cpp).
  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

/// Returns an unmasked server frame (FIN set) with `opcode` and `payload` (under 64 KiB), as
/// hex for the echo server's `!raw` command.
std::string frame_hex(unsigned opcode, std::string_view payload);

}  // namespace wsnova::test
