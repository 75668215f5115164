#include <wsnova/transport/metrics_server.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
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

namespace wsnova {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view exposition_type = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view plain_text = "text/plain; charset=utf-8";

/// Returns "127.0.0.1:9100" or "[::1]:9100".
std::string endpoint_text(const net::ip::address& address, std::uint16_t port) {
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

/// True for errors of Beast's HTTP parser (a request we cannot make sense of).
bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

}  // namespace

struct metrics_server::state : std::enable_shared_from_this<state> {
  class session;

  state(net::io_context& io, body_source source, metrics_server_options opts)
      : context(io),
        acceptor(net::make_strand(io)),
        retry_timer(acceptor.get_executor()),
        body(std::move(source)),
        options(std::move(opts)) {}

  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void stop();

  net::io_context& context;
  tcp::acceptor acceptor;         // on its own strand
  net::steady_timer retry_timer;  // a pause after a failed accept (e.g. out of descriptors)
  const body_source body;
  const metrics_server_options options;
  std::atomic<bool> stopped{false};
  std::mutex mutex;  // guards sessions: added on the acceptor's strand, removed on their own
  std::unordered_map<const session*, std::weak_ptr<session>> sessions;
};

/// One client connection: read a request, answer it, again while keep-alive holds.
/// Everything runs on the connection's strand.
class metrics_server::state::session : public std::enable_shared_from_this<session> {
 public:
  session(std::shared_ptr<state> owner, tcp::socket socket)
      : server_(std::move(owner)),
        stream_(std::move(socket)),
        // Room for a full header and some pipelined bytes; the parser's limit triggers first.
        buffer_(2 * server_->options.max_header_bytes) {}

  ~session() {
    std::lock_guard guard{server_->mutex};
    server_->sessions.erase(this);
  }

  session(const session&) = delete;
  session& operator=(const session&) = delete;

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&session::read, shared_from_this()));
  }

  /// Closes the socket: pending operations end with operation_aborted. Strand only.
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  /// Returns the strand the session runs on.
  auto executor() { return stream_.get_executor(); }

 private:
  void read() {
    if (server_->stopped) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        server_->options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    stream_.expires_after(server_->options.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return reply(11, http::status::request_header_fields_too_large,
                   "request header larger than " +
                       std::to_string(server_->options.max_header_bytes) + " bytes\n",
                   false);
    }
    if (ec && ec != http::error::end_of_stream && is_parse_error(ec))
      return reply(11, http::status::bad_request, "bad request: " + ec.message() + "\n", false);
    if (ec) return close();  // the client left, timed out, or the server stops
    respond(parser_->get());
  }

  void respond(const http::request<http::empty_body>& request) {
    std::string_view target = request.target();
    std::string_view path = target.substr(0, target.find('?'));
    const bool keep_alive = request.keep_alive() && !server_->stopped;
    const auto& wanted = server_->options.path;
    if (path != wanted) {
      return reply(request.version(), http::status::not_found,
                   "not found: this server serves only " + wanted + "\n", keep_alive);
    }
    if (request.method() != http::verb::get) {
      return reply(request.version(), http::status::method_not_allowed,
                   "method not allowed: " + wanted + " answers GET only\n", keep_alive);
    }
    std::string body;
    try {
      body = server_->body();
    } catch (const std::exception& e) {
      return reply(request.version(), http::status::internal_server_error,
                   std::string{"metrics unavailable: "} + e.what() + "\n", keep_alive);
    }
    reply(request.version(), http::status::ok, std::move(body), keep_alive, exposition_type);
  }

  void reply(unsigned version, http::status status, std::string body, bool keep_alive,
             std::string_view content_type = plain_text) {
    response_ = {};
    response_.version(version);
    response_.result(status);
    response_.set(http::field::server, "wsnova");
    response_.set(http::field::content_type, content_type);
    if (status == http::status::method_not_allowed) response_.set(http::field::allow, "GET");
    response_.body() = std::move(body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    stream_.expires_after(server_->options.request_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return close();
    if (response_.keep_alive()) return read();
    // Closing with unread request bytes would reset the connection, and the client could
    // lose the response: send FIN, then read until the client closes (bounded in time).
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(server_->options.request_timeout);
    drain({}, 0);
  }

  void drain(beast::error_code ec, std::size_t bytes) {
    buffer_.consume(buffer_.size());
    if (ec) return close();
    stream_.async_read_some(buffer_.prepare(buffer_.max_size()),
                            beast::bind_front_handler(&session::drain, shared_from_this()));
  }

  std::shared_ptr<state> server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;  // fresh for each request
  http::response<http::string_body> response_;
};

void metrics_server::state::accept() {
  acceptor.async_accept(net::make_strand(context),
                        beast::bind_front_handler(&state::on_accept, shared_from_this()));
}

void metrics_server::state::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopped || ec == net::error::operation_aborted) return;
  if (ec) {
    // E.g. out of file descriptors: accepting again at once would spin.
    retry_timer.expires_after(std::chrono::milliseconds(100));
    retry_timer.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && !self->stopped) self->accept();
    });
    return;
  }
  auto client = std::make_shared<session>(shared_from_this(), std::move(socket));
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

void metrics_server::state::stop() {
  if (stopped.exchange(true)) return;
  net::dispatch(acceptor.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor.close(ignored);
    self->retry_timer.cancel();
  });
  std::vector<std::shared_ptr<session>> live;
  {
    std::lock_guard guard{mutex};
    for (const auto& entry : sessions) {
      if (auto client = entry.second.lock()) live.push_back(std::move(client));
    }
  }
  for (auto& client : live) {
    auto strand = client->executor();
    net::dispatch(strand, [c = std::move(client)] { c->close(); });
  }
}

result<metrics_server> metrics_server::start(net::io_context& context, body_source body,
                                             metrics_server_options options) {
  auto invalid = [](std::string what) {
    return failure{errc::invalid_argument, "metrics_server: " + std::move(what)};
  };
  if (!body) return invalid("no body source");
  if (options.path.empty() || options.path.front() != '/')
    return invalid("path must start with '/': '" + options.path + "'");
  if (options.max_header_bytes == 0 || options.max_connections == 0 ||
      options.request_timeout <= std::chrono::milliseconds::zero())
    return invalid("max_header_bytes, max_connections and request_timeout must be positive");
  beast::error_code ec;
  auto address = net::ip::make_address(options.address, ec);
  if (ec) return invalid("'" + options.address + "' is not an IP address (e.g. 127.0.0.1)");
  const tcp::endpoint endpoint{address, options.port};
  auto failed = [&](const char* step) {
    return failure{errc::bind_failed, std::string{"metrics_server: "} + step + " " +
                                          endpoint_text(address, options.port) + ": " +
                                          ec.message()};
  };
  auto server = std::make_shared<state>(context, std::move(body), std::move(options));
  auto& acceptor = server->acceptor;
  if (acceptor.open(endpoint.protocol(), ec); ec) return failed("opening a socket for");
  // Rebinding a port whose old connections sit in TIME_WAIT; a listener still holding the
  // port makes bind fail all the same.
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec); ec) return failed("configuring");
  if (acceptor.bind(endpoint, ec); ec) return failed("binding");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec)
    return failed("listening on");
  const auto port = acceptor.local_endpoint(ec).port();
  if (ec) return failed("reading the port of");
  net::dispatch(acceptor.get_executor(), [server] { server->accept(); });
  return metrics_server{std::move(server), port};
}

metrics_server::metrics_server(std::shared_ptr<state> server, std::uint16_t port)
    : state_(std::move(server)), port_(port) {}

metrics_server& metrics_server::operator=(metrics_server&& other) noexcept {
  if (this != &other) {
    stop();
    state_ = std::move(other.state_);
    port_ = other.port_;
  }
  return *this;
}

metrics_server::~metrics_server() { stop(); }

void metrics_server::stop() {
  if (state_) state_->stop();
}

}  // namespace wsnova
