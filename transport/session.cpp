#include <wsnova/transport/session.hpp>

#include <chrono>
#include <deque>
#include <optional>
#include <random>
#include <type_traits>
#include <vector>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <wsnova/transport/detail/classify_error.hpp>
#include <wsnova/transport/detail/cork_stream.hpp>

namespace wsnova {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using detail::classify_error;
using detail::session_phase;

/// Returns true if `host` is an IPv4 or IPv6 literal.
bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

/// Close code 1007: a text message was not UTF-8 (RFC 6455 section 7.4.1).
constexpr std::uint16_t invalid_payload = 1007;

/// Returns a masked client Close frame (RFC 6455 section 5.5.1) with `code` (none if 0) and
/// up to 123 bytes of `reason`.
std::string make_close_frame(std::uint16_t code, std::string_view reason) {
  std::string payload;
  if (code != 0) {
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xff));
    payload.append(reason.substr(0, 123));
  }
  std::random_device random;
  std::uint32_t key = random();
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
  using transport_type =
      std::conditional_t<Secure, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;
  using next_layer_type = detail::cork_stream<transport_type>;
  using ws_stream_type = websocket::stream<next_layer_type>;

  session_impl(asio::io_context& context, ws_url url, session_options options,
               std::shared_ptr<asio::ssl::context> tls, std::shared_ptr<session_listener> listener,
               std::uint64_t id)
      : session(id),
        context_(context),
        url_(std::move(url)),
        options_(std::move(options)),
        tls_(std::move(tls)),
        listener_(std::move(listener)),
        resolver_(context),
        ws_(make_stream(context, tls_)),
        timer_(context) {}

  void start() override {
    ws_.next_layer().set_owner(weak_from_this());
    ws_.next_layer().set_immediate(!options_.coalesce_writes);
    asio::post(context_, [self = shared()] {
      if (auto bad = check_session_options(self->options_))
        return self->finish(std::move(bad), close_code::abnormal, {});
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

  beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(ws_); }

  // -- connecting ---------------------------------------------------------------

  /// Arms the deadline of a connecting phase; on expiry the pending operation is cancelled
  /// and reported as a timeout.
  void arm_deadline(std::chrono::milliseconds duration) {
    timer_.expires_after(duration);
    timer_.async_wait([self = shared(), duration](boost::system::error_code ec) {
      if (ec || self->open_ || self->ended_) return;
      self->timed_out_after_ = duration;
      self->resolver_.cancel();
      boost::system::error_code ignored;
      self->tcp_layer().socket().close(ignored);
    });
  }

  /// Reports a failure while connecting, as a timeout if the deadline caused it.
  void fail_connecting(boost::system::error_code ec, session_phase phase) {
    if (timed_out_after_) {
      auto what = phase == session_phase::resolve || phase == session_phase::connect ? "connect"
                                                                                     : "handshake";
      finish({errc::timeout, std::string{what} + " timed out after " +
                                 std::to_string(timed_out_after_->count()) + " ms"},
             close_code::abnormal, {});
      return;
    }
    finish(classify_error(ec, phase), close_code::abnormal, {});
  }

  void do_resolve() {
    if (ended_) return;
    arm_deadline(options_.connect_timeout);
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        [self = shared()](boost::system::error_code ec, tcp::resolver::results_type results) {
          if (self->ended_) return;
          if (ec) return self->fail_connecting(ec, session_phase::resolve);
          self->do_connect(std::move(results));
        });
  }

  void do_connect(tcp::resolver::results_type results) {
    tcp_layer().async_connect(
        results, [self = shared()](boost::system::error_code ec, const tcp::endpoint&) {
          if (self->ended_) return;
          if (ec) return self->fail_connecting(ec, session_phase::connect);
          if (self->options_.tcp_nodelay) {
            boost::system::error_code ignored;
            self->tcp_layer().socket().set_option(tcp::no_delay{true}, ignored);
          }
          self->arm_deadline(self->options_.handshake_timeout);
          if constexpr (Secure)
            self->do_tls_handshake();
          else
            self->do_upgrade();
        });
  }

  void do_tls_handshake() requires Secure {
    SSL* ssl = ws_.next_layer().next_layer().native_handle();
    const bool ip_host = is_ip_literal(url_.host);
    // SNI is for host names only (RFC 6066 section 3).
    if (!ip_host) SSL_set_tlsext_host_name(ssl, url_.host.c_str());
    if (!options_.tls.insecure) {
      // Let OpenSSL check the name, so a mismatch reports X509_V_ERR_HOSTNAME_MISMATCH.
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      if (ip_host)
        X509_VERIFY_PARAM_set1_ip_asc(param, url_.host.c_str());
      else
        X509_VERIFY_PARAM_set1_host(param, url_.host.c_str(), url_.host.size());
    }
    ws_.next_layer().next_layer().async_handshake(
        asio::ssl::stream_base::client, [self = shared()](boost::system::error_code ec) {
          if (self->ended_) return;
          if (ec) {
            long verify =
                SSL_get_verify_result(self->ws_.next_layer().next_layer().native_handle());
            if (verify != X509_V_OK && !self->timed_out_after_) {
              return self->finish({errc::tls_verify_failed, X509_verify_cert_error_string(verify)},
                                  close_code::abnormal, {});
            }
            return self->fail_connecting(ec, session_phase::tls);
          }
          self->do_upgrade();
        });
  }

  void do_upgrade() {
    ws_.set_option(websocket::stream_base::timeout{options_.handshake_timeout,
                                                   websocket::stream_base::none(), false});
    websocket::permessage_deflate deflate;
    deflate.client_enable = options_.compress;
    ws_.set_option(deflate);
    ws_.read_message_max(options_.max_message_size);
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator([this](websocket::request_type& request) {
      if (!options_.user_agent.empty()) request.set(http::field::user_agent, options_.user_agent);
      if (!options_.subprotocols.empty()) {
        std::string offered;
        for (const auto& protocol : options_.subprotocols)
          offered += (offered.empty() ? "" : ", ") + protocol;
        request.set(http::field::sec_websocket_protocol, offered);
      }
      for (const auto& [name, value] : options_.headers) request.insert(name, value);
    }));
    ws_.async_handshake(upgrade_response_, url_.host_header(), url_.target,
                        [self = shared()](boost::system::error_code ec) {
                          if (self->ended_) return;
                          if (ec) return self->fail_upgrade(ec);
                          self->on_open();
                        });
  }

  void fail_upgrade(boost::system::error_code ec) {
    if (ec == websocket::error::upgrade_declined) {
      auto status = upgrade_response_.result_int();
      auto detail =
          "HTTP " + std::to_string(status) + " " + std::string{upgrade_response_.reason()};
      finish({errc::upgrade_rejected, std::move(detail), static_cast<std::uint16_t>(status)},
             close_code::abnormal, {});
      return;
    }
    fail_connecting(ec, session_phase::upgrade);
  }

  // -- open connection ----------------------------------------------------------

  void on_open() {
    open_ = true;
    timer_.cancel();
    last_received_ = clock_type::now();
    auto subprotocol = std::string{upgrade_response_[http::field::sec_websocket_protocol]};
    auto extensions = upgrade_response_[http::field::sec_websocket_extensions];
    bool compressed = extensions.find("permessage-deflate") != beast::string_view::npos;
    upgrade_response_ = {};  // free the headers
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
      last_received_ = clock_type::now();
      if (ended_ || kind == websocket::frame_type::close) return;
      listening(listener_->on_control(
          id(), kind == websocket::frame_type::ping ? control_kind::ping : control_kind::pong,
          std::string{payload}));
    });
    if (!listening(listener_->on_open(id(), std::move(subprotocol), compressed))) return;
    do_read();
    if (options_.ping_interval.count() > 0)
      arm_heartbeat(clock_type::now() + options_.ping_interval);
    write_next();
  }

  void do_read() {
    if (reading_paused_) return;
    read_in_flight_ = true;
    ws_.async_read(read_buffer_, [self = shared()](boost::system::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(boost::system::error_code ec) {
    read_in_flight_ = false;
    if (ended_) return;
    if (ec) return on_read_error(ec);
    last_received_ = clock_type::now();
    ws_message message{ws_.got_text() ? message_kind::text : message_kind::binary,
                       beast::buffers_to_string(read_buffer_.data())};
    read_buffer_.consume(read_buffer_.size());
    if (!listening(listener_->on_message(id(), std::move(message)))) return;
    do_read();
  }

  void on_read_error(boost::system::error_code ec) {
    // An empty Close frame has no code: RFC 6455 section 7.1.5 reports it as 1005.
    std::uint16_t code = ws_.reason().code;
    if (code == 0) code = close_code::no_status;
    auto reason = std::string{ws_.reason().reason.c_str()};
    if (ec == websocket::error::closed) {
      // The peer's Close arrived and Beast tore the connection down (waiting for the
      // server's FIN): clean if we closed first, a peer close otherwise.
      if (close_started_) return finish({}, code, std::move(reason));
      auto detail = "code " + std::to_string(code) + (reason.empty() ? "" : " '" + reason + "'");
      return finish({errc::closed_by_peer, std::move(detail)}, code, std::move(reason));
    }
    if (ec == websocket::error::message_too_big)
      return finish({errc::message_too_big,
                     "message larger than " + std::to_string(options_.max_message_size) + " bytes"},
                    close_code::too_big, "message too big");
    // Beast failed the connection with a Close frame of its own (then waited for the
    // peer's answer): report the code it sent, not 1006.
    auto sent = close_code::abnormal;
    if (ec == websocket::error::bad_frame_payload)
      sent = invalid_payload;
    else if (ec == websocket::condition::protocol_violation)
      sent = close_code::protocol_error;
    finish(classify_error(ec, session_phase::open), sent, {});
  }

  // -- writing ------------------------------------------------------------------

  static bool is_data(const outgoing& item) {
    return item.kind == outgoing::type::text || item.kind == outgoing::type::binary;
  }

  void enqueue(outgoing item) {
    if (ended_ && !reported_ && is_data(item)) {
      queue_.push_back(std::move(item));  // comes back in on_end's unsent
      return;
    }
    if (ended_ || (close_queued_ && item.kind != outgoing::type::close)) {
      if (is_data(item)) count_done(item.payload.size());
      return;
    }
    queue_.push_back(std::move(item));
    if (open_ && !writing_) write_next();
  }

  /// Starts the next queued operation. One at a time: Beast allows a single write, ping or
  /// close in flight, and queue order is the order the peer sees.
  void write_next() {
    if (writing_ || ended_) return;
    if (queue_.empty()) return;  // the cork flushes at the end of the round
    writing_ = true;
    auto& item = queue_.front();
    auto on_done = [self = shared()](boost::system::error_code ec, std::size_t = 0) {
      self->on_written(ec);
    };
    switch (item.kind) {
      case outgoing::type::text:
      case outgoing::type::binary:
        ws_.text(item.kind == outgoing::type::text);
        ws_.async_write(asio::buffer(item.payload), on_done);
        break;
      case outgoing::type::ping:
        ws_.async_ping(websocket::ping_data{item.payload.substr(0, 125)}, on_done);
        break;
      case outgoing::type::close:
        // Not Beast's async_close: it reads and discards until the peer's Close, so what
        // the peer sent meanwhile would be lost. The Close goes out through the cork, which
        // then drops Beast's own automatic replies; the read loop keeps delivering until
        // the peer's Close (docs/architecture.md, "Closing").
        close_started_ = true;
        writing_ = false;
        ws_.next_layer().write_last(make_close_frame(item.code, item.payload));
        queue_.pop_front();
        return;
    }
  }

  void on_written(boost::system::error_code ec) {
    writing_ = false;
    auto& item = queue_.front();
    if (!ec && is_data(item)) {
      // Beast wrote it into the cork; it counts as written once the cork hands the
      // bytes up to this offset to the kernel.
      count_done(item.payload.size());
      corked_.push_back({ws_.next_layer().bytes_accepted(), std::move(item)});
      queue_.pop_front();
      auto written = ws_.next_layer().bytes_written();
      while (!corked_.empty() && corked_.front().end <= written) corked_.pop_front();
    } else if (!ec) {
      queue_.pop_front();
    }
    if (ended_) return settle();
    if (ec) {
      // A write fails when the read side failed the connection (it reports, after
      // tearing down politely) or when the socket broke (the read fails too). Closing the
      // socket here would reset the connection under Beast's teardown.
      if (read_in_flight_) return;
      return finish(classify_error(ec, session_phase::open), close_code::abnormal, {});
    }
    write_next();
  }

  void do_close(std::uint16_t code, std::string reason) {
    if (ended_ || close_queued_) return;
    if (!open_) return finish({}, code, std::move(reason));  // nothing to close yet
    close_queued_ = true;
    // The peer's Close must be read even if the consumer paused reading.
    if (reading_paused_) {
      reading_paused_ = false;
      if (!read_in_flight_) do_read();
    }
    enqueue(outgoing{outgoing::type::close, std::move(reason), code});
    // Bound the whole close, including the queued sends before it.
    arm_close_deadline();
  }

  void arm_close_deadline() {
    timer_.expires_after(options_.handshake_timeout);
    timer_.async_wait([self = shared()](boost::system::error_code ec) {
      if (ec || self->ended_) return;
      self->finish({errc::timeout, "close handshake timed out"}, close_code::abnormal, {});
    });
  }

  // -- heartbeat ----------------------------------------------------------------

  void arm_heartbeat(clock_type::time_point when) {
    timer_.expires_at(when);
    timer_.async_wait([self = shared()](boost::system::error_code ec) {
      if (!ec) self->on_heartbeat();
    });
  }

  /// Pings every ping_interval; when nothing at all arrives within pong_timeout of a ping,
  /// the peer is dead (a half-open connection): fail with a timeout and close code 1011.
  void on_heartbeat() {
    if (ended_ || close_queued_) return;
    auto now = clock_type::now();
    if (reading_paused_) {
      // Unread frames wait in the kernel: silence proves nothing while we do not read.
      awaiting_pong_ = false;
      return arm_heartbeat(now + options_.ping_interval);
    }
    if (awaiting_pong_) {
      if (last_received_ < ping_sent_at_)
        return finish(
            {errc::timeout, "no answer within " + std::to_string(options_.pong_timeout.count()) +
                                " ms of a heartbeat ping"},
            close_code::internal_error, "peer not responding");
      awaiting_pong_ = false;
      auto next = ping_sent_at_ + options_.ping_interval;
      if (next > now) return arm_heartbeat(next);
    }
    enqueue(outgoing{outgoing::type::ping, "wsnova-heartbeat"});
    awaiting_pong_ = true;
    ping_sent_at_ = now;
    arm_heartbeat(now + options_.pong_timeout);
  }

  // -- the end ------------------------------------------------------------------

  /// The one place a session ends: releases the socket, then reports once (`settle`).
  void finish(failure cause, std::uint16_t code, std::string reason) {
    if (ended_) return;
    ended_ = true;
    timer_.cancel();
    resolver_.cancel();
    boost::system::error_code ignored;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_layer().socket().close(ignored);
    end_ = session_end{std::move(cause), code, std::move(reason), {}};
    ws_.next_layer().when_drained([self = shared()] { self->settle(); });
  }

  /// Reports the end once no write is in flight (the socket is closed, so they finish
  /// soon): only then is it known which frames reached the kernel.
  void settle() {
    if (reported_ || writing_ || ws_.next_layer().writing()) return;
    reported_ = true;
    auto written = ws_.next_layer().bytes_written();
    auto& unsent = end_.unsent;
    for (auto& frame : corked_)
      if (frame.end > written) unsent.push_back(to_message(std::move(frame.item)));
    corked_.clear();
    for (auto& item : queue_) {
      if (!is_data(item)) continue;
      count_done(item.payload.size());
      unsent.push_back(to_message(std::move(item)));
    }
    queue_.clear();
    listener_->on_end(id(), std::move(end_));
  }

  static ws_message to_message(outgoing item) {
    return {item.kind == outgoing::type::text ? message_kind::text : message_kind::binary,
            std::move(item.payload)};
  }

  /// Called with the listener's answer to an event: when nobody listens any more, the
  /// session closes itself.
  bool listening(bool answer) {
    if (!answer && !ended_) finish({}, close_code::going_away, {});
    return answer && !ended_;
  }

  // -- member variables ---------------------------------------------------------

  asio::io_context& context_;
  ws_url url_;
  session_options options_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::shared_ptr<session_listener> listener_;
  tcp::resolver resolver_;
  ws_stream_type ws_;
  /// Connect/handshake deadline while connecting, heartbeat while open, close deadline.
  asio::steady_timer timer_;
  websocket::response_type upgrade_response_;
  beast::flat_buffer read_buffer_;
  std::deque<outgoing> queue_;
  /// A data frame Beast wrote into the cork, ending at byte `end` of the cork's stream.
  struct corked_frame {
    std::uint64_t end;
    outgoing item;
  };
  /// Frames in the cork, not yet known to be handed to the kernel, oldest first.
  std::deque<corked_frame> corked_;
  /// What `settle` reports.
  session_end end_;
  std::optional<std::chrono::milliseconds> timed_out_after_;
  clock_type::time_point last_received_;
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

}  // namespace

session::~session() = default;

std::shared_ptr<session> session::make(asio::io_context& context, ws_url url,
                                       session_options options,
                                       std::shared_ptr<asio::ssl::context> tls,
                                       std::shared_ptr<session_listener> listener,
                                       std::uint64_t id) {
  if (url.secure)
    return std::make_shared<session_impl<true>>(context, std::move(url), std::move(options),
                                                std::move(tls), std::move(listener), id);
  return std::make_shared<session_impl<false>>(context, std::move(url), std::move(options), nullptr,
                                               std::move(listener), id);
}

}  // namespace wsnova
