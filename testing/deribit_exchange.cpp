#include <wsnova/testing/deribit_exchange.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <wsnova/testing/detail/deribit_channels.hpp>
#include <wsnova/testing/detail/deribit_rpc.hpp>
#include <wsnova/testing/detail/deribit_state.hpp>

namespace wsnova::test {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using clock_type = detail::exchange_state::clock;
using text_ptr = std::shared_ptr<const std::string>;

/// Deadline for the TCP, TLS and HTTP part of the upgrade.
constexpr auto handshake_timeout = std::chrono::seconds(10);

/// Largest message read; requests above rpc_handler::max_request_size get -32600 unless they
/// exceed this too, which ends the connection (1009).
constexpr std::size_t read_limit = 1u << 20;

/// Interface through which the exchange commands a connection of either stream type.
class session_base {
 public:
  virtual ~session_base() = default;
  virtual void deliver(text_ptr notification) = 0;
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual void drop() = 0;
};

std::int64_t millis_since_epoch() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

text_ptr heartbeat_message(std::string_view type) {
  return std::make_shared<const std::string>(json::serialize(json::object{
      {"jsonrpc", "2.0"}, {"method", "heartbeat"}, {"params", json::object{{"type", type}}}}));
}

}  // namespace

/// Server state. Declaration order matters: the io_context is destroyed before the shared
/// state and the TLS context, because destroying it destroys the sessions, which use both.
struct deribit_exchange::impl {
  explicit impl(const exchange_options& opts);
  ~impl();

  void do_accept();
  void schedule_feed(clock_type::time_point at);
  void on_feed();

  void add_session(std::uint64_t id, std::weak_ptr<session_base> s);
  void remove_session(std::uint64_t id);
  /// Returns strong references to the open connections, with their ids.
  std::vector<std::pair<std::uint64_t, std::shared_ptr<session_base>>> sessions_snapshot();

  detail::exchange_state state;
  bool tls;
  std::optional<ssl::context> ssl_ctx;
  std::mutex sessions_mtx;                                        // guards `sessions`
  std::map<std::uint64_t, std::weak_ptr<session_base>> sessions;  // open connections
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  tcp::acceptor acceptor{ioc};
  net::steady_timer feed_timer{net::make_strand(ioc)};
  std::chrono::milliseconds feed_interval;
  std::uint16_t port = 0;
  std::vector<std::thread> threads;
};

namespace {

/// One connection; `Stream` is `websocket::stream<beast::tcp_stream>` or
/// `websocket::stream<beast::ssl_stream<beast::tcp_stream>>`. Every handler runs on the
/// connection's strand; commands from other threads are posted there.
template <class Stream>
class session : public session_base, public std::enable_shared_from_this<session<Stream>> {
 public:
  template <class... Args>
  explicit session(deribit_exchange::impl& srv, Args&&... args)
      : srv_(srv),
        ws_(std::forward<Args>(args)...),
        read_stall_(ws_.get_executor()),
        write_stall_(ws_.get_executor()),
        heartbeat_(ws_.get_executor()) {
    // nop
  }

  ~session() override { end(); }

  void start() {
    beast::get_lowest_layer(ws_).expires_after(handshake_timeout);
    if constexpr (is_tls) {
      ws_.next_layer().async_handshake(ssl::stream_base::server,
                                       [self = this->shared_from_this()](error_code ec) {
                                         if (!ec) self->read_request();
                                       });
    } else {
      read_request();
    }
  }

  // -- commands (any thread) ------------------------------------------------------------

  void deliver(text_ptr notification) override {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), n = std::move(notification)] {
      self->enqueue(n, true);
    });
  }

  void close(std::uint16_t code, std::string reason) override {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), code, r = std::move(reason)] {
      self->enqueue_close(code, r);
    });
  }

  void drop() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      auto& sock = beast::get_lowest_layer(self->ws_).socket();
      error_code ignored;
      sock.set_option(net::socket_base::linger(true, 0), ignored);  // close sends RST
      sock.close(ignored);
      self->end();
    });
  }

 private:
  static constexpr bool is_tls =
      std::is_same_v<Stream, websocket::stream<beast::ssl_stream<beast::tcp_stream>>>;

  // -- upgrade ----------------------------------------------------------------------------

  void read_request() {
    parser_.emplace();
    http::async_read(ws_.next_layer(), buffer_, *parser_,
                     [self = this->shared_from_this()](error_code ec, std::size_t) {
                       if (!ec) self->on_request();
                     });
  }

  void on_request() {
    auto req = parser_->release();
    int status = srv_.state.take_upgrade_rejection();
    if (status == 0 && !websocket::is_upgrade(req)) status = 426;
    if (status != 0) {
      refusal_.emplace(static_cast<http::status>(status), req.version());
      refusal_->set(http::field::connection, "close");
      refusal_->set(http::field::content_type, "text/plain");
      refusal_->body() = "refused by the local exchange\n";
      refusal_->prepare_payload();
      http::async_write(ws_.next_layer(), *refusal_,
                        [self = this->shared_from_this()](error_code, std::size_t) {
                          error_code ignored;
                          beast::get_lowest_layer(self->ws_).socket().shutdown(
                              tcp::socket::shutdown_both, ignored);
                        });
      return;
    }
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(read_limit);
    ws_.async_accept(req, [self = this->shared_from_this()](error_code ec) {
      if (ec) return;
      self->id_ = self->srv_.state.new_connection_id();
      self->srv_.add_session(self->id_, self->weak_from_this());
      self->srv_.state.add_connection(self->id_);
      self->rpc_.emplace(self->srv_.state, self->id_);
      self->do_read();
    });
  }

  // -- reading ----------------------------------------------------------------------------

  void do_read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(error_code ec) {
    if (ec) {
      end();
      return;
    }
    auto until = srv_.state.stalled_until();
    if (clock_type::now() < until) {  // frozen: hold the request until the stall is over
      read_stall_.expires_at(until);
      read_stall_.async_wait([self = this->shared_from_this()](error_code ec) {
        if (!ec && !self->ended_) self->on_read({});
      });
      return;
    }
    auto text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    auto outcome = rpc_->handle(text, clock_type::now());
    enqueue(std::make_shared<const std::string>(std::move(outcome.reply)), false);
    if (outcome.answers_test_request && awaiting_test_) {
      awaiting_test_ = false;
      srv_.state.count([](exchange_stats& s) { ++s.test_requests_answered; });
    }
    if (outcome.heartbeat_interval) start_heartbeat(*outcome.heartbeat_interval);
    if (outcome.close_after_reply) enqueue_close(1008, "too_many_requests");
    do_read();
  }

  // -- heartbeats -------------------------------------------------------------------------

  /// (Re)starts heartbeats every `seconds` (0 stops them): a `heartbeat` message half-way,
  /// a `test_request` at each full interval, which must be answered before the next one.
  void start_heartbeat(double seconds) {
    ++heartbeat_generation_;
    heartbeat_.cancel();
    awaiting_test_ = false;
    heartbeat_step_ = 0;
    if (seconds <= 0) return;
    heartbeat_half_ = std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double>(seconds / 2));
    schedule_heartbeat(clock_type::now() + heartbeat_half_);
  }

  void schedule_heartbeat(clock_type::time_point at) {
    heartbeat_.expires_at(at);
    heartbeat_.async_wait(
        [self = this->shared_from_this(), gen = heartbeat_generation_](error_code ec) {
          if (!ec && gen == self->heartbeat_generation_) self->on_heartbeat();
        });
  }

  void on_heartbeat() {
    if (ended_) return;
    auto until = srv_.state.stalled_until();
    if (clock_type::now() < until) {  // a frozen exchange sends nothing and checks nothing
      schedule_heartbeat(until);
      return;
    }
    if (++heartbeat_step_ % 2 == 1) {
      enqueue(heartbeat_message("heartbeat"), false);
    } else if (awaiting_test_) {
      srv_.state.count([](exchange_stats& s) { ++s.test_requests_missed; });
      ++heartbeat_generation_;
      enqueue_close(srv_.state.options().heartbeat_close_code, "test_request not answered");
      return;
    } else {
      awaiting_test_ = true;
      srv_.state.count([](exchange_stats& s) { ++s.test_requests_sent; });
      enqueue(heartbeat_message("test_request"), false);
    }
    schedule_heartbeat(heartbeat_.expiry() + heartbeat_half_);
  }

  // -- writing (one writer at a time) -----------------------------------------------------

  struct outgoing {
    text_ptr text;              // message, or close reason
    bool notification = false;  // counts in notifications_sent
    std::optional<std::uint16_t> close_code;
  };

  void enqueue(text_ptr text, bool notification) {
    if (close_queued_ || ended_) return;
    queue_.push_back({std::move(text), notification, std::nullopt});
    if (!writing_) do_write();
  }

  void enqueue_close(std::uint16_t code, std::string reason) {
    if (close_queued_ || ended_) return;
    close_queued_ = true;
    if (reason.size() > 123) reason.resize(123);  // RFC 6455 close payload limit
    queue_.push_back({std::make_shared<const std::string>(std::move(reason)), false, code});
    if (!writing_) do_write();
  }

  void do_write() {
    if (queue_.empty() || ended_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    auto until = srv_.state.stalled_until();
    if (clock_type::now() < until) {
      write_stall_.expires_at(until);
      write_stall_.async_wait([self = this->shared_from_this()](error_code) { self->do_write(); });
      return;
    }
    auto& front = queue_.front();
    auto self = this->shared_from_this();
    if (front.close_code) {
      ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(*front.close_code),
                                              beast::string_view(*front.text)),
                      [self](error_code) { self->writing_ = false; });
      return;
    }
    ws_.text(true);
    ws_.async_write(net::buffer(*front.text), [self](error_code ec, std::size_t) {
      if (ec) {
        self->queue_.clear();
        self->writing_ = false;
        return;  // the read loop notices the failure and ends the session
      }
      if (self->queue_.front().notification)
        self->srv_.state.count([](exchange_stats& s) { ++s.notifications_sent; });
      self->queue_.pop_front();
      self->do_write();
    });
  }

  /// Marks the session as over and tells the exchange once.
  void end() {
    if (ended_) return;
    ended_ = true;
    ++heartbeat_generation_;
    heartbeat_.cancel();  // releases the handlers' references to this session now
    read_stall_.cancel();
    write_stall_.cancel();
    if (id_ == 0) return;
    srv_.remove_session(id_);
    srv_.state.remove_connection(id_);
  }

  // -- member variables -------------------------------------------------------------------

  deribit_exchange::impl& srv_;                                    // outlives every session
  Stream ws_;                                                      // the WebSocket stream
  beast::flat_buffer buffer_;                                      // request, then messages
  std::optional<http::request_parser<http::string_body>> parser_;  // upgrade request
  std::optional<http::response<http::string_body>> refusal_;       // rejected upgrade answer
  std::optional<detail::rpc_handler> rpc_;                         // after the upgrade
  std::deque<outgoing> queue_;                                     // waiting for the writer
  net::steady_timer read_stall_;                                   // holds a request in a stall
  net::steady_timer write_stall_;                                  // holds writes in a stall
  net::steady_timer heartbeat_;                                    // next heartbeat step
  clock_type::duration heartbeat_half_{};                          // half the interval
  std::uint64_t heartbeat_generation_ = 0;  // bumped to forget timers of old intervals
  std::uint64_t heartbeat_step_ = 0;        // half intervals since set_heartbeat
  std::uint64_t id_ = 0;                    // connection id; 0 before the upgrade
  bool awaiting_test_ = false;              // a test_request is unanswered
  bool writing_ = false;                    // a write or close is in flight
  bool close_queued_ = false;               // nothing may follow a close frame
  bool ended_ = false;                      // read loop over or dropped
};

using plain_session = session<websocket::stream<beast::tcp_stream>>;
using tls_session = session<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>;

template <class Int>
std::optional<Int> parse_int(std::string_view s) {
  Int value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

/// Splits `line` at spaces; the last of `max_parts` parts keeps the rest of the line.
std::vector<std::string_view> words(std::string_view line, std::size_t max_parts) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    auto start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    line.remove_prefix(start);
    if (out.size() + 1 == max_parts) {
      out.push_back(line);
      break;
    }
    auto space = line.find(' ');
    out.push_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space);
  }
  return out;
}

json::object stats_json(const exchange_stats& s) {
  return {{"connections_accepted", s.connections_accepted},
          {"connections_open", s.connections_open},
          {"upgrades_rejected", s.upgrades_rejected},
          {"auth_client_credentials", s.auth_client_credentials},
          {"auth_refresh_token", s.auth_refresh_token},
          {"auth_failed", s.auth_failed},
          {"subscribe_calls", s.subscribe_calls},
          {"unsubscribe_calls", s.unsubscribe_calls},
          {"unauthorized", s.unauthorized},
          {"rate_limited", s.rate_limited},
          {"test_requests_sent", s.test_requests_sent},
          {"test_requests_answered", s.test_requests_answered},
          {"test_requests_missed", s.test_requests_missed},
          {"notifications_sent", s.notifications_sent}};
}

}  // namespace

// -- impl -------------------------------------------------------------------------------

deribit_exchange::impl::impl(const exchange_options& opts)
    : state(opts),
      tls(opts.tls),
      feed_interval(std::max(opts.notification_interval, std::chrono::milliseconds(1))) {
  if (tls) {
    if (opts.cert_file.empty() || opts.key_file.empty())
      throw std::runtime_error("deribit_exchange: tls needs cert_file and key_file");
    ssl_ctx.emplace(ssl::context::tls_server);
    ssl_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3);
    error_code ec;
    ssl_ctx->use_certificate_chain_file(opts.cert_file, ec);
    if (!ec) ssl_ctx->use_private_key_file(opts.key_file, ssl::context::pem, ec);
    if (ec)
      throw std::runtime_error("deribit_exchange: cannot load " + opts.cert_file + " / " +
                               opts.key_file + ": " + ec.message());
  }
  tcp::endpoint ep{net::ip::make_address_v4("127.0.0.1"), opts.port};
  acceptor.open(ep.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(ep);
  acceptor.listen(net::socket_base::max_listen_connections);
  port = acceptor.local_endpoint().port();
  do_accept();
  schedule_feed(clock_type::now() + feed_interval);
  auto n = std::max<std::size_t>(1, opts.threads);
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) threads.emplace_back([this] { ioc.run(); });
}

deribit_exchange::impl::~impl() {
  // Stop the I/O threads between handlers; the io_context destructor then destroys every
  // pending handler, which releases the sessions and closes their sockets.
  ioc.stop();
  for (auto& t : threads)
    if (t.joinable()) t.join();
}

void deribit_exchange::impl::do_accept() {
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
    do_accept();  // transient errors (e.g. EMFILE) must not stop the exchange
  });
}

void deribit_exchange::impl::schedule_feed(clock_type::time_point at) {
  feed_timer.expires_at(at);
  feed_timer.async_wait([this](error_code ec) {
    if (!ec) on_feed();
  });
}

void deribit_exchange::impl::on_feed() {
  auto now = clock_type::now();
  auto until = state.stalled_until();
  if (now < until) {  // a frozen exchange produces nothing; the feed resumes afterwards
    schedule_feed(until);
    return;
  }
  auto due = state.tick();
  if (!due.empty()) {
    std::map<std::uint64_t, std::shared_ptr<session_base>> live;
    for (auto& s : sessions_snapshot()) live.insert(std::move(s));
    auto now_ms = millis_since_epoch();
    for (auto& d : due) {
      auto info = detail::parse_channel(d.channel);
      if (!info) continue;
      auto text = std::make_shared<const std::string>(json::serialize(json::object{
          {"jsonrpc", "2.0"},
          {"method", "subscription"},
          {"params",
           json::object{{"channel", d.channel},
                        {"data", detail::notification_data(*info, d.sequence, now_ms)}}}}));
      for (auto id : d.subscribers)
        if (auto it = live.find(id); it != live.end()) it->second->deliver(text);
    }
  }
  // Fixed rate: the next tick is one interval after this one was due, not after it ran.
  auto next = feed_timer.expiry() + feed_interval;
  schedule_feed(next < now ? now + feed_interval : next);
}

void deribit_exchange::impl::add_session(std::uint64_t id, std::weak_ptr<session_base> s) {
  std::lock_guard guard{sessions_mtx};
  sessions.emplace(id, std::move(s));
}

void deribit_exchange::impl::remove_session(std::uint64_t id) {
  std::lock_guard guard{sessions_mtx};
  sessions.erase(id);
}

std::vector<std::pair<std::uint64_t, std::shared_ptr<session_base>>>
deribit_exchange::impl::sessions_snapshot() {
  std::vector<std::pair<std::uint64_t, std::shared_ptr<session_base>>> out;
  std::lock_guard guard{sessions_mtx};
  for (auto& [id, weak] : sessions)
    if (auto s = weak.lock()) out.emplace_back(id, std::move(s));
  return out;
}

// -- deribit_exchange -------------------------------------------------------------------

deribit_exchange::deribit_exchange(exchange_options opts)
    : impl_(std::make_unique<impl>(std::move(opts))) {
  // nop
}

deribit_exchange::~deribit_exchange() = default;

std::uint16_t deribit_exchange::port() const { return impl_->port; }

std::string deribit_exchange::url() const {
  return (impl_->tls ? "wss://localhost:" : "ws://127.0.0.1:") + std::to_string(impl_->port) +
         "/ws/api/v2";
}

exchange_options deribit_exchange::options() const { return impl_->state.options(); }

void deribit_exchange::drop_all() {
  for (auto& [id, s] : impl_->sessions_snapshot()) s->drop();
}

void deribit_exchange::close_all(std::uint16_t code, std::string_view reason) {
  for (auto& [id, s] : impl_->sessions_snapshot()) s->close(code, std::string{reason});
}

void deribit_exchange::stall(std::chrono::milliseconds duration) { impl_->state.stall(duration); }

void deribit_exchange::expire_tokens(bool refresh_tokens_too) {
  impl_->state.expire_tokens(refresh_tokens_too);
}

void deribit_exchange::set_token_lifetime(std::chrono::seconds lifetime) {
  impl_->state.set_token_lifetime(lifetime);
}

void deribit_exchange::inject_rate_limit(std::size_t count) {
  impl_->state.inject_rate_limit(count);
}

void deribit_exchange::reject_upgrades(int status, std::size_t count) {
  impl_->state.reject_upgrades(status, count);
}

std::string deribit_exchange::control(std::string_view command) {
  auto w = words(command, 3);
  if (w.empty()) return "error empty command";
  auto verb = w[0];
  auto arg = [&](std::size_t i) { return i < w.size() ? w[i] : std::string_view{}; };
  if (verb == "drop") {
    drop_all();
  } else if (verb == "close") {
    auto code = parse_int<std::uint16_t>(arg(1));
    if (!code) return "error close needs a code: close CODE [REASON]";
    close_all(*code, arg(2));
  } else if (verb == "stall") {
    auto ms = parse_int<std::int64_t>(arg(1));
    if (w.size() != 2 || !ms || *ms < 0) return "error stall needs milliseconds: stall MS";
    stall(std::chrono::milliseconds(*ms));
  } else if (verb == "expire" || verb == "expire-all") {
    expire_tokens(verb == "expire-all");
  } else if (verb == "lifetime") {
    auto s = parse_int<std::int64_t>(arg(1));
    if (w.size() != 2 || !s || *s < 0) return "error lifetime needs seconds: lifetime SECONDS";
    set_token_lifetime(std::chrono::seconds(*s));
  } else if (verb == "ratelimit") {
    auto k = parse_int<std::size_t>(arg(1));
    if (w.size() != 2 || !k) return "error ratelimit needs a count: ratelimit K";
    inject_rate_limit(*k);
  } else if (verb == "reject") {
    auto status = parse_int<int>(arg(1));
    auto k = parse_int<std::size_t>(arg(2));
    if (!status || *status < 100 || *status > 599 || !k)
      return "error reject needs an HTTP status and a count: reject STATUS K";
    reject_upgrades(*status, *k);
  } else if (verb == "stats") {
    return json::serialize(stats_json(stats()));
  } else if (verb == "subscriptions") {
    json::object out;
    for (const auto& [id, channels] : subscriptions()) {
      json::array list;
      for (const auto& c : channels) list.emplace_back(c);
      out[std::to_string(id)] = std::move(list);
    }
    return json::serialize(out);
  } else {
    return "error unknown command: " + std::string{command};
  }
  return "ok";
}

exchange_stats deribit_exchange::stats() const { return impl_->state.stats(); }

std::map<std::uint64_t, std::set<std::string>> deribit_exchange::subscriptions() const {
  return impl_->state.subscriptions();
}

bool deribit_exchange::wait_until(const std::function<bool(const exchange_stats&)>& pred,
                                  std::chrono::milliseconds deadline) const {
  return impl_->state.wait_until(pred, deadline);
}

}  // namespace wsnova::test
