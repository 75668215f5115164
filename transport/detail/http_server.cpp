#include <wsnova/transport/detail/http_server.hpp>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace wsnova::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

/// True for errors of Beast's HTTP parser (a request we cannot make sense of).
bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

/// The body of a 404: "not found: this server serves only /metrics\n".
std::string not_found_text(const std::map<std::string, http_route>& routes) {
  std::string text = "not found: this server serves only ";
  for (auto it = routes.begin(); it != routes.end(); ++it) {
    if (it != routes.begin()) text += std::next(it) == routes.end() ? " and " : ", ";
    text += it->first;
  }
  return text + "\n";
}

}  // namespace

class http_session;

/// What the server, its sessions and pending responders share. Owns the `io_context` when
/// the server runs its own thread, so that a responder answering after the server stopped
/// still finds it.
struct http_server::state : std::enable_shared_from_this<state> {
  /// Serves on `external`, or on a context of its own when it is null.
  state(net::io_context* external, http_server_options opts)
      : own_context(external ? nullptr : std::make_unique<net::io_context>()),
        context(external ? *external : *own_context),
        acceptor(net::make_strand(context)),
        retry_timer(acceptor.get_executor()),
        options(std::move(opts)),
        not_found(not_found_text(options.routes)) {}

  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void stop();

  /// Runs `fn` on `executor` unless the server stopped: after `stop` the context may no
  /// longer run, and a handler queued then would never run nor be freed.
  template <class Executor, class F>
  void post_unless_stopped(const Executor& executor, F&& fn) {
    std::lock_guard guard{mutex};
    if (!stopped) net::post(executor, std::forward<F>(fn));
  }

  std::unique_ptr<net::io_context> own_context;  // first: destroyed last
  net::io_context& context;
  tcp::acceptor acceptor;         // on its own strand
  net::steady_timer retry_timer;  // a pause after a failed accept (e.g. out of descriptors)
  const http_server_options options;
  const std::string not_found;  // the body of every 404
  std::mutex mutex;             // guards stopped (with posts) and sessions
  bool stopped = false;
  std::unordered_map<const http_session*, std::weak_ptr<http_session>> sessions;
};

/// One client connection: read a request, answer it, again while keep-alive holds. Runs on
/// the connection's strand.
class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(std::shared_ptr<http_server::state> owner, tcp::socket socket)
      : server_(std::move(owner)),
        stream_(std::move(socket)),
        buffer_(2 * server_->options.max_header_bytes) {}

  ~http_session() {
    std::lock_guard guard{server_->mutex};
    server_->sessions.erase(this);
  }

  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&http_session::read, shared_from_this()));
  }

  /// Closes the socket: pending operations end with operation_aborted. Strand only.
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  /// Returns the strand the session runs on.
  auto executor() { return stream_.get_executor(); }

  std::shared_ptr<http_server::state> server() const { return server_; }

  /// Writes `reply` for the request in progress. Strand only.
  void answer(http_reply reply, unsigned version, bool keep_alive) {
    response_ = {};
    response_.version(version);
    response_.result(static_cast<http::status>(reply.status));
    const auto& options = server_->options;
    response_.set(http::field::server, options.server_name);
    response_.set(http::field::content_type, reply.content_type);
    if (!options.cache_control.empty())
      response_.set(http::field::cache_control, options.cache_control);
    if (reply.status == 405) response_.set(http::field::allow, "GET");
    response_.body() = std::move(reply.body);
    response_.keep_alive(keep_alive && !stopped());
    response_.prepare_payload();
    stream_.expires_after(server_->options.request_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&http_session::on_write, shared_from_this()));
  }

 private:
  bool stopped() {
    std::lock_guard guard{server_->mutex};
    return server_->stopped;
  }

  void read() {
    if (stopped()) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        server_->options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    stream_.expires_after(server_->options.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    auto text = [](unsigned status, std::string body) {
      return http_reply{status, "text/plain; charset=utf-8", std::move(body)};
    };
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return answer(text(431, "request header larger than " +
                                  std::to_string(server_->options.max_header_bytes) + " bytes\n"),
                    11, false);
    }
    if (ec && ec != http::error::end_of_stream && is_parse_error(ec))
      return answer(text(400, "bad request: " + ec.message() + "\n"), 11, false);
    if (ec) return close();  // the client left, timed out, or the server stops
    const auto& request = parser_->get();
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    std::string_view target = request.target();
    auto route = server_->options.routes.find(std::string{target.substr(0, target.find('?'))});
    if (route == server_->options.routes.end())
      return answer(text(404, server_->not_found), version, keep_alive);
    if (request.method() != http::verb::get) {
      return answer(text(405, "method not allowed: " + route->first + " answers GET only\n"),
                    version, keep_alive);
    }
    auto pending = std::make_shared<http_responder::state>(shared_from_this(), version, keep_alive);
    route->second(http_responder{std::move(pending)});
  }

  void on_write(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return close();
    if (response_.keep_alive()) return read();
    // Closing with unread request bytes would reset the connection and the client could
    // lose the response: send FIN, then read until the client closes (bounded in time).
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(server_->options.request_timeout);
    drain({}, 0);
  }

  void drain(beast::error_code ec, std::size_t /*bytes*/) {
    buffer_.consume(buffer_.size());
    if (ec) return close();
    stream_.async_read_some(buffer_.prepare(buffer_.max_size()),
                            beast::bind_front_handler(&http_session::drain, shared_from_this()));
  }

  std::shared_ptr<http_server::state> server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;  // fresh for each request
  http::response<http::string_body> response_;
};

/// One request waiting for its answer; answers 503 if dropped unanswered.
struct http_responder::state {
  state(std::shared_ptr<http_session> s, unsigned v, bool k)
      : client(std::move(s)), version(v), keep_alive(k) {}
  state(const state&) = delete;
  state& operator=(const state&) = delete;
  ~state() { deliver(http_reply{503, "text/plain; charset=utf-8", "no answer\n"}); }

  void deliver(http_reply reply) {
    if (answered.exchange(true)) return;
    auto server = client->server();
    server->post_unless_stopped(client->executor(), [c = client, r = std::move(reply), v = version,
                                                     k = keep_alive]() { c->answer(r, v, k); });
  }

  std::shared_ptr<http_session> client;
  unsigned version;
  bool keep_alive;
  std::atomic<bool> answered{false};
};

void http_responder::operator()(http_reply reply) const { state_->deliver(std::move(reply)); }

void http_server::state::accept() {
  acceptor.async_accept(net::make_strand(context),
                        beast::bind_front_handler(&state::on_accept, shared_from_this()));
}

void http_server::state::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  {
    std::lock_guard guard{mutex};
    if (stopped) return;
  }
  if (ec) {
    // E.g. out of file descriptors: accepting again at once would spin.
    retry_timer.expires_after(std::chrono::milliseconds(100));
    retry_timer.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->accept();
    });
    return;
  }
  auto client = std::make_shared<http_session>(shared_from_this(), std::move(socket));
  bool admitted = false;
  {
    std::lock_guard guard{mutex};
    if (sessions.size() < options.max_connections) {
      sessions.emplace(client.get(), client);
      admitted = true;
    }
  }
  if (admitted) client->start();  // otherwise `client` closes its socket as it goes
  accept();
}

void http_server::state::stop() {
  std::vector<std::shared_ptr<http_session>> live;
  {
    std::lock_guard guard{mutex};
    if (stopped) return;
    stopped = true;
    for (const auto& entry : sessions)
      if (auto client = entry.second.lock()) live.push_back(std::move(client));
  }
  // Closing the acceptor may leave the context without work before the closes below are
  // queued, and a thread of its own would then return from run() and leave the connections
  // open: hold run() until they are queued.
  auto keep_running = net::make_work_guard(context);
  net::dispatch(acceptor.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor.close(ignored);
    self->retry_timer.cancel();
  });
  for (auto& client : live) {
    auto strand = client->executor();
    net::dispatch(strand, [c = std::move(client)] { c->close(); });
  }
}

namespace {

/// Checks `options`, opens the listener, starts accepting; `context` null: a context of its
/// own. Returns the state and the port.
result<std::pair<std::shared_ptr<http_server::state>, std::uint16_t>> listen(
    net::io_context* context, http_server_options options) {
  if (options.max_header_bytes == 0 || options.max_connections == 0 ||
      options.request_timeout <= std::chrono::milliseconds::zero())
    return failure{errc::invalid_argument,
                   "max_header_bytes, max_connections and request_timeout must be positive"};
  if (options.routes.empty()) return failure{errc::invalid_argument, "no routes"};
  auto relative = std::find_if(options.routes.begin(), options.routes.end(),
                               [](const auto& route) { return !route.first.starts_with('/'); });
  if (relative != options.routes.end())
    return failure{errc::invalid_argument, "path must start with '/': '" + relative->first + "'"};
  beast::error_code ec;
  auto address = net::ip::make_address(options.address, ec);
  if (ec) {
    return failure{errc::invalid_argument,
                   "'" + options.address + "' is not an IP address (e.g. 127.0.0.1)"};
  }
  const tcp::endpoint endpoint{address, options.port};
  auto failed = [&](const char* step) {
    std::string host = address.to_string();
    if (address.is_v6()) host = "[" + host + "]";
    return failure{errc::bind_failed, std::string{step} + " " + host + ":" +
                                          std::to_string(endpoint.port()) + ": " + ec.message()};
  };
  auto st = std::make_shared<http_server::state>(context, std::move(options));
  auto& acceptor = st->acceptor;
  if (acceptor.open(endpoint.protocol(), ec); ec) return failed("opening a socket for");
  // Rebinding a port whose old connections sit in TIME_WAIT; a listener still holding the
  // port makes bind fail all the same.
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec); ec) return failed("configuring");
  if (acceptor.bind(endpoint, ec); ec) return failed("binding");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec)
    return failed("listening on");
  const auto port = acceptor.local_endpoint(ec).port();
  if (ec) return failed("reading the port of");
  net::dispatch(acceptor.get_executor(), [st] { st->accept(); });
  return std::pair{std::move(st), port};
}

}  // namespace

result<http_server> http_server::start(net::io_context& context, http_server_options options) {
  auto listening = listen(&context, std::move(options));
  if (!listening) return listening.error();
  return http_server{std::move(listening->first), listening->second};
}

result<http_server> http_server::start(http_server_options options) {
  auto listening = listen(nullptr, std::move(options));
  if (!listening) return listening.error();
  http_server server{std::move(listening->first), listening->second};
  // The pending accept keeps run() going until stop() closed everything.
  server.thread_ = std::thread{[context = server.state_->own_context.get()] { context->run(); }};
  return server;
}

http_server::http_server(std::shared_ptr<state> st, std::uint16_t port)
    : state_(std::move(st)), port_(port) {}

http_server& http_server::operator=(http_server&& other) noexcept {
  if (this != &other) {
    stop();
    state_ = std::move(other.state_);
    port_ = other.port_;
    thread_ = std::move(other.thread_);
  }
  return *this;
}

http_server::~http_server() { stop(); }

void http_server::stop() {
  if (!state_) return;
  state_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace wsnova::detail
