#pragma once

// The Beast session behind `session::make`: one class template for ws:// and wss://. This
// header declares it; the operations live in transport/impl/ (connect, read, write,
// heartbeat, end), included at the foot, Beast-style. Internal: only session.cpp includes it.

#include <wsnova/transport/session.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <wsnova/transport/detail/classify_error.hpp>
#include <wsnova/transport/detail/cork_stream.hpp>
#include <wsnova/transport/detail/fifo.hpp>
#include <wsnova/transport/detail/message_buffer.hpp>
#include <wsnova/transport/detail/tls_resumption.hpp>
#include <wsnova/transport/proxy.hpp>

namespace wsnova::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

/// Returns true if `host` is an IPv4 or IPv6 literal.
inline bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

/// Close code 1007: a text message was not UTF-8 (RFC 6455 section 7.4.1).
inline constexpr std::uint16_t invalid_payload = 1007;

/// Returns a masked client Close frame (RFC 6455 section 5.5.1) with `code` (none if 0) and
/// up to 123 bytes of `reason`.
inline std::string make_close_frame(std::uint16_t code, std::string_view reason) {
  std::string payload;
  if (code != 0) {
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xff));
    payload.append(reason.substr(0, 123));
  }
  // The masking key must be unpredictable (RFC 6455 section 5.3). OpenSSL's per-thread
  // DRBG: a std::random_device per frame cost ~5 % of a connect (cpuid under a VM).
  std::uint32_t key = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&key), sizeof key);
  std::string frame;
  frame.push_back(static_cast<char>(0x88));                   // FIN + opcode close
  frame.push_back(static_cast<char>(0x80 | payload.size()));  // masked, length <= 125
  for (int i = 0; i < 4; ++i) frame.push_back(static_cast<char>((key >> (8 * i)) & 0xff));
  for (std::size_t i = 0; i < payload.size(); ++i)
    frame.push_back(static_cast<char>(payload[i] ^ frame[2 + i % 4]));
  return frame;
}

/// One queued outgoing operation; writes, pings and the close leave in queue order.
struct outgoing {
  enum class type : std::uint8_t { text, binary, ping, close };
  type kind;
  std::string payload;
  std::uint16_t code = 0;
};
template <bool Secure>
class session_impl final : public session {
 public:
  /// Beast's `tcp_stream` with the io_context's own executor type instead of the
  /// type-erased `any_io_executor`: every composed operation moves its executor (and its
  /// work guard) through the layers several times per frame, and the erased one cost
  /// ≈ 4,500 instructions per 64-byte echo (docs/benchmarks.md, issue 14 third pass).
  using tcp_stream_type =
      beast::basic_stream<tcp, asio::io_context::executor_type, beast::unlimited_rate_policy>;
  using transport_type =
      std::conditional_t<Secure, beast::ssl_stream<tcp_stream_type>, tcp_stream_type>;
  using next_layer_type = detail::cork_stream<transport_type>;
  using ws_stream_type = websocket::stream<next_layer_type>;

  session_impl(asio::io_context& context, ws_url url,
               std::shared_ptr<const session_options> options,
               std::shared_ptr<asio::ssl::context> tls, std::shared_ptr<session_listener> listener,
               std::uint64_t id)
      : session(id),
        context_(context),
        options_(std::move(options)),
        tls_(std::move(tls)),
        listener_(std::move(listener)),
        url_(std::move(url)),
        connecting_(std::make_unique<connecting_state>(context)),
        ws_(make_stream(context, tls_)),
        timer_(context) {}

  void start() override {
    ws_.next_layer().set_owner(weak_from_this());
    ws_.next_layer().set_immediate(!options_->coalesce_writes);
    asio::post(context_, [self = shared()] {
      if (auto bad = check_session_options(*self->options_))
        return self->finish(std::move(bad), close_code::abnormal, {});
      const auto& proxy = self->options_->proxy;
      auto chosen = select_proxy(
          proxy, self->url_,
          proxy.from_environment ? proxy_environment::from_process() : proxy_environment{});
      if (!chosen) return self->finish(chosen.error(), close_code::abnormal, {});
      if (*chosen) self->proxy_ = std::make_unique<const proxy_endpoint>(std::move(**chosen));
      self->do_resolve();
    });
  }

  void send(ws_message message) override {
    auto kind = message.kind == message_kind::text ? outgoing::type::text : outgoing::type::binary;
    count_queued(message.payload.size());
    asio::dispatch(context_,
                   [self = shared(), kind, payload = std::move(message.payload)]() mutable {
                     self->enqueue(outgoing{kind, std::move(payload)});
                   });
  }

  void ping(std::string payload) override {
    asio::dispatch(context_, [self = shared(), payload = std::move(payload)]() mutable {
      self->enqueue(outgoing{outgoing::type::ping, std::move(payload)});
    });
  }

  void close(std::uint16_t code, std::string reason) override {
    asio::dispatch(context_, [self = shared(), code, reason = std::move(reason)]() mutable {
      self->do_close(code, std::move(reason));
    });
  }

  void pause_reading() override {
    asio::dispatch(context_, [self = shared()] { self->reading_paused_ = true; });
  }

  void resume_reading() override {
    asio::dispatch(context_, [self = shared()] {
      self->reading_paused_ = false;
      if (self->open_ && !self->ended_ && !self->read_in_flight_) self->do_read();
    });
  }

  void abort() override {
    asio::dispatch(context_,
                   [self = shared()] { self->finish({}, close_code::abnormal, "aborted"); });
  }

 private:
  static ws_stream_type make_stream(asio::io_context& context,
                                    const std::shared_ptr<asio::ssl::context>& tls) {
    if constexpr (Secure)
      return ws_stream_type{context, *tls};
    else
      return ws_stream_type{context};
  }

  std::shared_ptr<session_impl> shared() {
    return std::static_pointer_cast<session_impl>(shared_from_this());
  }

  tcp_stream_type& tcp_layer() { return beast::get_lowest_layer(ws_); }

  // -- connecting ---------------------------------------------------------------

  /// Sets the deadline of a connecting phase; on expiry the pending operation is cancelled
  /// and reported as a timeout.
  void arm_deadline(std::chrono::milliseconds duration);
  /// Reports a failure while connecting, as a timeout if the deadline caused it.
  void fail_connecting(boost::system::error_code ec, session_phase phase);
  void do_resolve();
  /// Connects to the first of `endpoints` (resolver results, or the URL's address) that
  /// accepts.
  template <class Endpoints>
  void do_connect(const Endpoints& endpoints);
  /// Asks the proxy for a tunnel to the server (`CONNECT host:port`), still under the connect
  /// deadline; on a 2xx answer the handshakes go on through the tunnel.
  void do_proxy_connect();
  void on_proxy_response(const http::response_parser<http::empty_body>& response);
  /// Arms the handshake deadline and starts the TLS handshake (wss) or the upgrade.
  void do_handshakes();
  /// Returns the time since the previous step ended, and starts the next step.
  std::chrono::microseconds lap();
  void do_tls_handshake() requires Secure;
  void do_upgrade();
  void fail_upgrade(boost::system::error_code ec);

  // -- open connection ----------------------------------------------------------

  void on_open();
  void do_read();
  void on_read(boost::system::error_code ec);
  void on_read_error(boost::system::error_code ec);
  /// Fails the connection where Beast ends the read without a Close frame (corrupt
  /// compressed data): sends our Close with `code` below Beast, then the same teardown as
  /// Beast's (RFC 7692 section 8 and RFC 6455 section 7.1.7: fail, and say why).
  void fail_with_close(std::uint16_t code, std::string reason, failure cause);

  // -- writing ------------------------------------------------------------------

  static bool is_data(const outgoing& item);
  void enqueue(outgoing item);
  /// Starts the next queued operation. One at a time: Beast allows a single write, ping or
  /// close in flight, and queue order is the order the peer sees.
  void write_next();
  void on_written(boost::system::error_code ec);
  void do_close(std::uint16_t code, std::string reason);
  void arm_close_deadline();

  // -- the timer (session_timer.hpp) --------------------------------------------

  /// What the session's one timer is for: the connect or handshake deadline, the close
  /// deadline, or the next heartbeat.
  enum class timer_purpose : std::uint8_t { none, connecting, closing, heartbeat };
  /// Makes `purpose` due at `when`, replacing what was due. A wait already pending that
  /// ends no later is kept: when it ends, it waits again for the rest. So a deadline that
  /// moves later (connect, then handshake, heartbeat, close) costs no timer update.
  void wait_until(timer_purpose purpose, clock_type::time_point when);
  /// Nothing is due any more; a pending wait is cancelled.
  void stop_timer();
  void on_timer();

  // -- heartbeat ----------------------------------------------------------------

  void arm_heartbeat(clock_type::time_point when);
  /// Pings every ping_interval; when nothing at all arrives within pong_timeout of a ping,
  /// the peer is dead (a half-open connection): fail with a timeout and close code 1011.
  void on_heartbeat();

  // -- the end ------------------------------------------------------------------

  /// The one place a session ends: releases the socket, then reports once (`settle`).
  void finish(failure cause, std::uint16_t code, std::string reason);
  /// Reports the end once no write is in flight (the socket is closed, so they finish
  /// soon): only then is it known which frames reached the kernel.
  void settle();
  static ws_message to_message(outgoing item);
  /// Called with the listener's answer to an event: when nobody listens any more, the
  /// session closes itself.
  bool listening(bool answer);

  // -- member variables ---------------------------------------------------------

  asio::io_context& context_;
  /// Read-only and shared with the connection that started the session (and its later
  /// sessions): one copy per connection, not one per session (docs/benchmarks.md, idle memory).
  std::shared_ptr<const session_options> options_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::shared_ptr<session_listener> listener_;
  /// The proxy of this connection, chosen when it starts; none for a direct connection
  /// (a pointer: most sessions have none, and idle memory per connection counts).
  std::unique_ptr<const proxy_endpoint> proxy_;
  /// Kept for the session's life: a wss session's SSL object points at it for session
  /// tickets, which TLS 1.3 sends after the handshake (`prepare_tls_resumption`).
  ws_url url_;
  /// What only connecting needs (the resolver, the upgrade response), dropped once the
  /// connection is open: an idle connection does not hold it (docs/benchmarks.md).
  struct connecting_state {
    explicit connecting_state(asio::io_context& context) : resolver(context) {}
    tcp::resolver resolver;
    websocket::response_type upgrade_response;
  };
  std::unique_ptr<connecting_state> connecting_;
  ws_stream_type ws_;
  /// Connect/handshake deadline while connecting, heartbeat while open, close deadline
  /// (`wait_until`).
  asio::steady_timer timer_;
  /// When `timer_purpose_` is due.
  clock_type::time_point due_at_;
  /// Tells the current wait from one replaced by an earlier deadline.
  std::uint32_t timer_generation_ = 0;
  timer_purpose timer_purpose_ = timer_purpose::none;
  bool timer_waiting_ = false;
  /// The limit of the connecting phase in progress (for the timeout's report).
  std::chrono::milliseconds phase_limit_{0};
  /// Small messages on a busy connection are read here and copied out (also the proxy's
  /// HTTP answer).
  beast::flat_buffer read_buffer_;
  /// A message of at least this size, or one after a quiet spell, is read straight into
  /// the string it is delivered in (`message_buffer`). Smaller ones on a busy connection
  /// go through `read_buffer_`: reading into the string costs one more turn of Beast's
  /// read loop (a posted handler), more than the copy it saves at 64 bytes.
  static constexpr std::size_t direct_read_min = 1536;
  /// A connection whose last message came this long after the one before is quiet: its
  /// next read holds no buffer while it waits (`read_buffer_` is released), so an idle
  /// connection costs 1.5 kB less (docs/benchmarks.md, idle memory). The extra turn of
  /// the read loop is nothing at this rate.
  static constexpr std::chrono::milliseconds quiet_gap{10};
  /// The payload of the message being read directly, reserved at the last message's size
  /// unless the connection was quiet.
  std::string incoming_;
  message_buffer incoming_buffer_{incoming_, false};
  std::size_t last_message_size_ = 0;
  /// The read in flight goes into `incoming_`, not `read_buffer_`.
  bool reading_direct_ = false;
  /// The last message came at least `quiet_gap` after the one before (or none came yet).
  bool quiet_ = true;
  fifo<outgoing> queue_;
  /// A data frame Beast wrote into the cork, ending at byte `end` of the cork's stream.
  struct corked_frame {
    std::uint64_t end;
    outgoing item;
  };
  /// Frames in the cork, not yet known to be handed to the kernel, oldest first.
  fifo<corked_frame> corked_;
  /// What `settle` reports, made by `finish` (an open session holds none).
  std::unique_ptr<session_end> end_;
  std::optional<std::chrono::milliseconds> timed_out_after_;
  clock_type::time_point last_received_;
  /// When the last data message arrived (`session_options::silence_timeout`).
  clock_type::time_point last_message_;
  /// When the current connecting step started (`lap`).
  clock_type::time_point phase_started_;
  clock_type::time_point ping_sent_at_;
  bool open_ = false;
  bool ended_ = false;
  bool reported_ = false;
  bool writing_ = false;
  bool close_queued_ = false;
  bool close_started_ = false;
  bool awaiting_pong_ = false;
  bool reading_paused_ = false;
  bool read_in_flight_ = false;
};

}  // namespace wsnova::detail

#include <wsnova/transport/impl/session_connect.hpp>
#include <wsnova/transport/impl/session_end.hpp>
#include <wsnova/transport/impl/session_heartbeat.hpp>
#include <wsnova/transport/impl/session_proxy.hpp>
#include <wsnova/transport/impl/session_read.hpp>
#include <wsnova/transport/impl/session_timer.hpp>
#include <wsnova/transport/impl/session_write.hpp>
