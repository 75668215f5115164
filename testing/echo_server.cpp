#include <wsnova/testing/echo_server.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace wsnova::test {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

/// Deadline for the TCP, TLS and HTTP part of the upgrade.
constexpr auto handshake_timeout = std::chrono::seconds(10);

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Returns true if the comma-separated token list `list` contains `token`.
bool list_contains(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = trim(list.substr(0, comma));
    if (item == token) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<unsigned> parse_int_base16(std::string_view s) {
  unsigned value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

template <class Int>
std::optional<Int> parse_int(std::string_view s) {
  Int value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

/// Returns the bytes of an even-length hex string, or nothing if it is not one.
std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    auto byte = parse_int_base16(hex.substr(i, 2));
    if (!byte) return std::nullopt;
    out.push_back(static_cast<char>(*byte));
  }
  return out;
}

/// Interface through which the server commands a session of either stream type.
class session_base {
 public:
  virtual ~session_base() = default;
  virtual void close(uint16_t code, std::string reason) = 0;
  virtual void ping(std::string payload) = 0;
  virtual void drop() = 0;
  virtual void send_text(std::string text) = 0;
};

}  // namespace

/// State shared by the server object and all sessions. Declaration order matters: the
/// io_context is destroyed before the TLS context and the shared state, because destroying
/// it destroys the pending handlers and with them the sessions, which touch both.
struct echo_server::impl {
  // -- construction ---------------------------------------------------------------------

  explicit impl(server_options opts);
  ~impl();

  // -- called by sessions (any I/O thread) ----------------------------------------------

  std::uint64_t on_accepted(std::weak_ptr<session_base> s);
  void on_ended(std::uint64_t id);
  void on_client_close(close_record rec);
  void on_pong(std::string payload);
  void on_message_written();
  void on_read_end(std::string what);
  void on_request_headers(std::map<std::string, std::string> headers);
  void on_tls_handshake(tls_handshake_record record);

  /// Returns strong references to the sessions open right now.
  std::vector<std::shared_ptr<session_base>> sessions_snapshot();

  // -- accepting ------------------------------------------------------------------------

  void do_accept();

  // -- member variables -----------------------------------------------------------------

  server_options opts;

  mutable std::mutex mtx;                                         // guards every field up to `cv`
  std::map<std::uint64_t, std::weak_ptr<session_base>> sessions;  // open sessions by id
  std::uint64_t next_id = 1;                          // id for the next accepted session
  std::size_t written = 0;                            // data messages written since start
  std::size_t accepted = 0;                           // upgrades accepted since start
  std::deque<close_record> closes;                    // close frames not yet waited for
  std::deque<std::string> pongs;                      // pong payloads not yet waited for
  std::deque<std::string> read_ends;                  // read-loop end causes not yet waited for
  std::map<std::string, std::string> headers;         // latest upgrade request headers
  std::optional<tls_handshake_record> tls_handshake;  // latest completed TLS handshake
  std::size_t tls_handshakes = 0;                     // TLS handshakes completed since start
  std::condition_variable cv;                         // signalled on every change above

  std::optional<ssl::context> ssl_ctx;  // set when opts.tls
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  tcp::acceptor acceptor{ioc};
  uint16_t port = 0;
  std::vector<std::thread> threads;
};

namespace {

/// One WebSocket connection; `Stream` is `websocket::stream<beast::tcp_stream>` or
/// `websocket::stream<beast::ssl_stream<beast::tcp_stream>>`. All handlers run on the
/// stream's strand; public commands are posted there.
template <class Stream>
class session : public session_base, public std::enable_shared_from_this<session<Stream>> {
 public:
  template <class... Args>
  session(echo_server::impl& srv, Args&&... args) : srv_(srv), ws_(std::forward<Args>(args)...) {
    // nop
  }

  ~session() override { end(); }

  /// Starts the upgrade: TLS handshake if any, then the HTTP request.
  void start() {
    beast::get_lowest_layer(ws_).expires_after(handshake_timeout);
    if constexpr (is_tls) {
      ws_.next_layer().async_handshake(ssl::stream_base::server,
                                       [self = this->shared_from_this()](error_code ec) {
                                         if (ec) return;
                                         self->record_tls_handshake();
                                         self->read_request();
                                       });
    } else {
      read_request();
    }
  }

  // -- commands (any thread) ------------------------------------------------------------

  void close(uint16_t code, std::string reason) override {
    net::post(ws_.get_executor(),
              [self = this->shared_from_this(), code, reason = std::move(reason)]() mutable {
                self->enqueue_close(code, std::move(reason));
              });
  }

  void send_text(std::string text) override {
    net::post(ws_.get_executor(),
              [self = this->shared_from_this(), text = std::move(text)]() mutable {
                self->enqueue({kind::text, std::move(text)});
              });
  }

  void ping(std::string payload) override {
    net::post(ws_.get_executor(),
              [self = this->shared_from_this(), payload = std::move(payload)]() mutable {
                if (payload.size() > 125) payload.resize(125);  // RFC 6455 control frame limit
                self->enqueue({kind::ping, std::move(payload)});
              });
  }

  void drop() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(self->ws_).close();
      self->end();
    });
  }

 private:
  static constexpr bool is_tls = !std::is_same_v<Stream, websocket::stream<beast::tcp_stream>>;

  /// What the writer sends next.
  enum class kind { text, binary, ping, close, stream, raw };

  /// One queued outgoing item.
  struct outgoing {
    kind what;
    std::string data;        // message payload, ping payload or close reason
    uint16_t code = 0;       // close code
    std::uint64_t next = 0;  // stream: next number to send
    std::uint64_t last = 0;  // stream: last number to send
  };

  // -- upgrade --------------------------------------------------------------------------

  void record_tls_handshake() {
    if constexpr (is_tls) {
      SSL* ssl = ws_.next_layer().native_handle();
      tls_handshake_record record;
      if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name))
        record.server_name = name;
      record.resumed = SSL_session_reused(ssl) == 1;
      X509* peer = SSL_get1_peer_certificate(ssl);
      record.client_certificate = peer != nullptr;
      X509_free(peer);
      srv_.on_tls_handshake(std::move(record));
    }
  }

  void read_request() {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(16 * 1024);
    http::async_read(ws_.next_layer(), buffer_, *parser_,
                     [self = this->shared_from_this()](error_code ec, std::size_t) {
                       if (!ec) self->on_request();
                     });
  }

  void on_request() {
    auto req = parser_->release();
    std::map<std::string, std::string> hdrs;
    for (const auto& field : req) {
      auto name = to_lower(field.name_string());
      auto [it, fresh] = hdrs.try_emplace(name, field.value());
      if (!fresh) it->second.append(", ").append(field.value());
    }
    srv_.on_request_headers(std::move(hdrs));
    const auto& opts = srv_.opts;
    if (opts.reject_status != 0 || !websocket::is_upgrade(req)) {
      auto status = opts.reject_status != 0 ? static_cast<http::status>(opts.reject_status)
                                            : http::status::upgrade_required;
      auto res = std::make_shared<http::response<http::string_body>>(status, req.version());
      res->set(http::field::server, "wsnova-test-echo");
      res->set(http::field::content_type, "text/plain");
      res->body() = "rejected by wsnova test server\n";
      res->keep_alive(false);
      res->prepare_payload();
      http::async_write(ws_.next_layer(), *res,
                        [self = this->shared_from_this(), res](error_code, std::size_t) {
                          error_code ignored;
                          auto& sock = beast::get_lowest_layer(self->ws_).socket();
                          sock.shutdown(tcp::socket::shutdown_both, ignored);
                          sock.close(ignored);
                        });
      return;
    }
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    if (opts.deflate) {
      websocket::permessage_deflate pmd;
      pmd.server_enable = true;
      ws_.set_option(pmd);
    }
    ws_.read_message_max(opts.max_message);
    ws_.auto_fragment(opts.auto_fragment);
    std::string selected;
    if (!opts.subprotocol.empty()) {
      if (auto it = req.find(http::field::sec_websocket_protocol);
          it != req.end() && list_contains(it->value(), opts.subprotocol))
        selected = opts.subprotocol;
    }
    ws_.set_option(websocket::stream_base::decorator([selected](websocket::response_type& res) {
      res.set(http::field::server, "wsnova-test-echo");
      if (!selected.empty()) res.set(http::field::sec_websocket_protocol, selected);
    }));
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
      if (kind == websocket::frame_type::pong) {
        srv_.on_pong(std::string(payload));
      } else if (kind == websocket::frame_type::close) {
        record_close();
      }
    });
    ws_.async_accept(req, [self = this->shared_from_this()](error_code ec) {
      if (ec) return;
      self->id_ = self->srv_.on_accepted(self);
      self->buffer_.clear();
      self->do_read();
    });
  }

  // -- reading --------------------------------------------------------------------------

  void do_read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(error_code ec) {
    if (ec) {
      // Closed by the peer (the control callback recorded the frame), aborted by
      // drop(), or a protocol/transport error: this session is over.
      if (!ended_) srv_.on_read_end(ec == websocket::error::closed ? "closed" : ec.message());
      end();
      return;
    }
    std::string msg = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (ws_.got_text() && !msg.empty() && msg.front() == '!') {
      on_command(msg);
    } else if (ws_.got_text() && srv_.opts.respond) {
      for (auto& reply : srv_.opts.respond(msg)) enqueue({kind::text, std::move(reply)});
    } else {
      enqueue({ws_.got_text() ? kind::text : kind::binary, std::move(msg)});
    }
    do_read();
  }

  void on_command(const std::string& msg) {
    std::string_view line(msg);
    auto space = line.find(' ');
    auto name = line.substr(0, space);
    auto args = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    if (name == "!close") {
      auto sp = args.find(' ');
      auto code = parse_int<uint16_t>(args.substr(0, sp));
      if (!code) return enqueue({kind::text, "!error usage: !close CODE [REASON]"});
      auto reason = sp == std::string_view::npos ? std::string{} : std::string(args.substr(sp + 1));
      if (reason.size() > 123) return enqueue({kind::text, "!error close reason too long"});
      enqueue_close(*code, std::move(reason));
    } else if (name == "!stream") {
      auto n = parse_int<std::uint64_t>(args);
      if (!n) return enqueue({kind::text, "!error usage: !stream N"});
      if (*n > 0) enqueue({kind::stream, {}, 0, 1, *n});
    } else if (name == "!raw") {
      auto bytes = from_hex(args);
      if (!bytes) return enqueue({kind::text, "!error usage: !raw HEX"});
      if constexpr (!std::is_same_v<Stream, websocket::stream<beast::tcp_stream>>)
        return enqueue({kind::text, "!error !raw is for ws:// only"});
      enqueue({kind::raw, std::move(*bytes)});
    } else if (name == "!ping") {
      if (args.size() > 125) return enqueue({kind::text, "!error ping payload too long"});
      enqueue({kind::ping, std::string(args)});
    } else {
      enqueue({kind::text, msg});
    }
  }

  /// Records the close frame just read (called from the control callback or after our own
  /// close completed); only the first call per session counts.
  void record_close() {
    if (close_recorded_) return;
    const auto& cr = ws_.reason();
    close_recorded_ = true;
    srv_.on_client_close({static_cast<uint16_t>(cr.code),
                          std::string(cr.reason.data(), cr.reason.size()), close_started_});
  }

  // -- writing (one writer at a time) ---------------------------------------------------

  void enqueue_close(uint16_t code, std::string reason) {
    if (reason.size() > 123) reason.resize(123);  // RFC 6455 close payload limit
    enqueue({kind::close, std::move(reason), code});
  }

  void enqueue(outgoing item) {
    if (close_queued_ || ended_) return;  // nothing may follow a close frame
    if (item.what == kind::raw && item.data.size() >= 2 && (item.data[0] & 0x0f) == 0x08)
      close_queued_ = true;  // a raw close frame alone (0x88 ...) ends our sending too
    if (item.what == kind::close) close_queued_ = true;
    queue_.push_back(std::move(item));
    if (!writing_) do_write();
  }

  void do_write() {
    if (queue_.empty() || ended_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    auto& front = queue_.front();
    auto self = this->shared_from_this();
    switch (front.what) {
      case kind::text:
      case kind::binary:
        ws_.text(front.what == kind::text);
        ws_.async_write(net::buffer(front.data),
                        [self](error_code ec, std::size_t) { self->on_written(ec); });
        break;
      case kind::stream:
        ws_.text(true);
        scratch_ = std::to_string(front.next);
        ws_.async_write(net::buffer(scratch_), [self](error_code ec, std::size_t) {
          if (!ec) self->srv_.on_message_written();
          if (!ec && self->queue_.front().next++ < self->queue_.front().last) {
            self->do_write();  // more numbers to send: keep the item at the front
            return;
          }
          self->on_written(ec);
        });
        break;
      case kind::raw:
        // Bytes straight to the TCP socket, in one write: frames Beast would never produce,
        // or several frames in one segment. The socket, not Beast's tcp_stream: Beast's read
        // may be writing its automatic Close or pong reply at the same moment, and tcp_stream
        // allows one write at a time (a small loopback write completes in one send).
        if constexpr (std::is_same_v<Stream, websocket::stream<beast::tcp_stream>>) {
          net::async_write(beast::get_lowest_layer(ws_).socket(), net::buffer(front.data),
                           [self](error_code ec, std::size_t) { self->on_written(ec); });
        } else {
          on_written(net::error::operation_not_supported);  // refused in on_command
        }
        break;
      case kind::ping:
        ws_.async_ping(websocket::ping_data(beast::string_view(front.data)),
                       [self](error_code ec) { self->on_written(ec); });
        break;
      case kind::close:
        close_started_ = true;
        ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(front.code),
                                                beast::string_view(front.data)),
                        [self](error_code ec) {
                          if (!ec) self->record_close();
                          self->on_written(ec ? ec : net::error::operation_aborted);
                        });
        break;
    }
  }

  void on_written(error_code ec) {
    auto what = queue_.front().what;
    if (!ec && (what == kind::text || what == kind::binary)) srv_.on_message_written();
    queue_.pop_front();
    if (ec) {
      queue_.clear();
      writing_ = false;
      return;  // the read loop notices the failure and ends the session
    }
    do_write();
  }

  /// Marks the session as over and tells the server once.
  void end() {
    if (ended_) return;
    ended_ = true;
    if (id_ != 0) srv_.on_ended(id_);
  }

  // -- member variables -----------------------------------------------------------------

  echo_server::impl& srv_;     // outlives every session
  Stream ws_;                  // the WebSocket stream
  beast::flat_buffer buffer_;  // incoming HTTP request and messages
  std::optional<http::request_parser<http::string_body>> parser_;  // upgrade request
  std::deque<outgoing> queue_;                                     // frames waiting for the writer
  std::string scratch_;          // payload of the current stream number
  std::uint64_t id_ = 0;         // registry id; 0 before the upgrade
  bool writing_ = false;         // a write, ping or close is in flight
  bool close_queued_ = false;    // a close frame is queued or sent
  bool close_started_ = false;   // the server sent the first close frame
  bool close_recorded_ = false;  // the client's close frame was recorded
  bool ended_ = false;           // read loop over or dropped
};

using plain_session = session<websocket::stream<beast::tcp_stream>>;
using tls_session = session<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>;

}  // namespace

// -- impl -------------------------------------------------------------------------------

echo_server::impl::impl(server_options options) : opts(std::move(options)) {
  if (opts.tls) {
    if (opts.cert_file.empty() || opts.key_file.empty())
      throw std::runtime_error("echo_server: tls needs cert_file and key_file");
    ssl_ctx.emplace(ssl::context::tls_server);
    ssl_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::single_dh_use);
    error_code ec;
    ssl_ctx->use_certificate_chain_file(opts.cert_file, ec);
    if (ec)
      throw std::runtime_error("echo_server: cannot load certificate " + opts.cert_file + ": " +
                               ec.message());
    ssl_ctx->use_private_key_file(opts.key_file, ssl::context::pem, ec);
    if (ec)
      throw std::runtime_error("echo_server: cannot load key " + opts.key_file + ": " +
                               ec.message());
    // Resumption (tickets, OpenSSL's default) needs a session id context once client
    // certificates are verified; set it always.
    static constexpr unsigned char session_context[] = "wsnova-test-echo";
    SSL_CTX_set_session_id_context(ssl_ctx->native_handle(), session_context,
                                   sizeof session_context - 1);
    if (!opts.client_ca_file.empty()) {
      ssl_ctx->load_verify_file(opts.client_ca_file, ec);
      if (ec)
        throw std::runtime_error("echo_server: cannot load client CA " + opts.client_ca_file +
                                 ": " + ec.message());
      ssl_ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
  }
  tcp::endpoint ep{net::ip::make_address_v4("127.0.0.1"), 0};
  acceptor.open(ep.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(ep);
  acceptor.listen(net::socket_base::max_listen_connections);
  port = acceptor.local_endpoint().port();
  do_accept();
  auto n = std::max<std::size_t>(1, opts.threads);
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) threads.emplace_back([this] { ioc.run(); });
}

echo_server::impl::~impl() {
  // Stop the I/O threads between handlers; the io_context destructor then destroys every
  // pending handler, which releases the sessions and closes their sockets without a
  // closing handshake.
  ioc.stop();
  for (auto& t : threads)
    if (t.joinable()) t.join();
}

void echo_server::impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](error_code ec, tcp::socket sock) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      error_code ignored;
      sock.set_option(tcp::no_delay(true), ignored);
      if (ssl_ctx) {
        std::make_shared<tls_session>(*this, std::move(sock), *ssl_ctx)->start();
      } else {
        std::make_shared<plain_session>(*this, std::move(sock))->start();
      }
    }
    do_accept();  // transient errors (e.g. EMFILE) must not stop the server
  });
}

std::uint64_t echo_server::impl::on_accepted(std::weak_ptr<session_base> s) {
  std::lock_guard guard{mtx};
  auto id = next_id++;
  sessions.emplace(id, std::move(s));
  ++accepted;
  cv.notify_all();
  return id;
}

void echo_server::impl::on_ended(std::uint64_t id) {
  std::lock_guard guard{mtx};
  sessions.erase(id);
  cv.notify_all();
}

void echo_server::impl::on_client_close(close_record rec) {
  std::lock_guard guard{mtx};
  closes.push_back(std::move(rec));
  cv.notify_all();
}

void echo_server::impl::on_pong(std::string payload) {
  std::lock_guard guard{mtx};
  pongs.push_back(std::move(payload));
  cv.notify_all();
}

void echo_server::impl::on_message_written() {
  std::lock_guard guard{mtx};
  ++written;
}

void echo_server::impl::on_read_end(std::string what) {
  std::lock_guard guard{mtx};
  read_ends.push_back(std::move(what));
  cv.notify_all();
}

void echo_server::impl::on_request_headers(std::map<std::string, std::string> hdrs) {
  std::lock_guard guard{mtx};
  headers = std::move(hdrs);
  cv.notify_all();
}

void echo_server::impl::on_tls_handshake(tls_handshake_record record) {
  std::lock_guard guard{mtx};
  tls_handshake = std::move(record);
  ++tls_handshakes;
  cv.notify_all();
}

std::vector<std::shared_ptr<session_base>> echo_server::impl::sessions_snapshot() {
  std::vector<std::shared_ptr<session_base>> out;
  std::lock_guard guard{mtx};
  for (auto& [id, weak] : sessions)
    if (auto s = weak.lock()) out.push_back(std::move(s));
  return out;
}

// -- echo_server ------------------------------------------------------------------------

echo_server::echo_server(server_options opts) : impl_(std::make_unique<impl>(std::move(opts))) {
  // nop
}

echo_server::~echo_server() = default;

uint16_t echo_server::port() const { return impl_->port; }

std::string echo_server::url(std::string_view path) const {
  std::string out = impl_->opts.tls ? "wss://localhost:" : "ws://127.0.0.1:";
  out += std::to_string(impl_->port);
  if (path.empty() || path.front() != '/') out += '/';
  out += path;
  return out;
}

const server_options& echo_server::options() const { return impl_->opts; }

std::size_t echo_server::connection_count() const {
  std::lock_guard guard{impl_->mtx};
  return impl_->sessions.size();
}

std::size_t echo_server::messages_written() const {
  std::lock_guard guard{impl_->mtx};
  return impl_->written;
}

std::size_t echo_server::accepted_count() const {
  std::lock_guard guard{impl_->mtx};
  return impl_->accepted;
}

std::optional<tls_handshake_record> echo_server::last_tls_handshake() const {
  std::lock_guard guard{impl_->mtx};
  return impl_->tls_handshake;
}

std::size_t echo_server::tls_handshake_count() const {
  std::lock_guard guard{impl_->mtx};
  return impl_->tls_handshakes;
}

std::map<std::string, std::string> echo_server::last_request_headers() const {
  std::lock_guard guard{impl_->mtx};
  return impl_->headers;
}

void echo_server::close_all(uint16_t code, std::string reason) {
  for (auto& s : impl_->sessions_snapshot()) s->close(code, reason);
}

void echo_server::ping_all(std::string payload) {
  for (auto& s : impl_->sessions_snapshot()) s->ping(payload);
}

void echo_server::send_all(std::string text) {
  for (auto& s : impl_->sessions_snapshot()) s->send_text(text);
}

void echo_server::drop_all() {
  for (auto& s : impl_->sessions_snapshot()) s->drop();
}

std::optional<close_record> echo_server::wait_for_client_close(std::chrono::milliseconds deadline) {
  std::unique_lock lock{impl_->mtx};
  if (!impl_->cv.wait_for(lock, deadline, [this] { return !impl_->closes.empty(); }))
    return std::nullopt;
  auto rec = std::move(impl_->closes.front());
  impl_->closes.pop_front();
  return rec;
}

std::optional<std::string> echo_server::wait_for_pong_payload(std::chrono::milliseconds deadline) {
  std::unique_lock lock{impl_->mtx};
  if (!impl_->cv.wait_for(lock, deadline, [this] { return !impl_->pongs.empty(); }))
    return std::nullopt;
  auto payload = std::move(impl_->pongs.front());
  impl_->pongs.pop_front();
  return payload;
}

std::optional<std::string> echo_server::wait_for_read_end(std::chrono::milliseconds deadline) {
  std::unique_lock lock{impl_->mtx};
  if (!impl_->cv.wait_for(lock, deadline, [this] { return !impl_->read_ends.empty(); }))
    return std::nullopt;
  auto what = std::move(impl_->read_ends.front());
  impl_->read_ends.pop_front();
  return what;
}

bool echo_server::wait_for_pong(std::chrono::milliseconds deadline) {
  return wait_for_pong_payload(deadline).has_value();
}

bool echo_server::wait_for_connections(std::size_t n, std::chrono::milliseconds deadline) {
  std::unique_lock lock{impl_->mtx};
  return impl_->cv.wait_for(lock, deadline, [&] { return impl_->sessions.size() == n; });
}

bool echo_server::wait_for_accepted(std::size_t n, std::chrono::milliseconds deadline) {
  std::unique_lock lock{impl_->mtx};
  return impl_->cv.wait_for(lock, deadline, [&] { return impl_->accepted >= n; });
}

std::string frame_hex(unsigned opcode, std::string_view payload) {
  std::string bytes;
  bytes.push_back(static_cast<char>(0x80 | opcode));
  if (payload.size() < 126) {
    bytes.push_back(static_cast<char>(payload.size()));
  } else {
    bytes.push_back(static_cast<char>(126));
    bytes.push_back(static_cast<char>(payload.size() >> 8));
    bytes.push_back(static_cast<char>(payload.size() & 0xff));
  }
  bytes.append(payload);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex.push_back(digits[c >> 4]);
    hex.push_back(digits[c & 0xf]);
  }
  return hex;
}

}  // namespace wsnova::test
