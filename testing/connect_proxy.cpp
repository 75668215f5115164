#include <wsnova/testing/connect_proxy.hpp>

#include <array>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace wsnova::test {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

std::string basic(const std::string& credentials) {
  namespace base64 = beast::detail::base64;
  std::string encoded(base64::encoded_size(credentials.size()), '\0');
  encoded.resize(base64::encode(encoded.data(), credentials.data(), credentials.size()));
  return "Basic " + encoded;
}

/// Splits "host:port" or "[v6]:port"; nothing when malformed.
std::optional<std::pair<std::string, std::string>> split_authority(const std::string& target) {
  auto colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == target.size()) return std::nullopt;
  auto host = target.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  }
  return std::pair{host, target.substr(colon + 1)};
}

}  // namespace

struct connect_proxy::impl {
  explicit impl(connect_proxy_options opts);
  ~impl();

  void do_accept();
  void on_request(connect_record record);
  void on_tunnel();

  connect_proxy_options options;
  std::string expected_authorization;  // empty when none is required

  mutable std::mutex mutex;  // guards the fields up to `cv`
  std::size_t requests = 0;
  std::size_t tunnels = 0;
  std::optional<connect_record> last;
  std::condition_variable cv;

  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work{io.get_executor()};
  tcp::acceptor acceptor{io};
  std::uint16_t port = 0;
  std::thread thread;
};

namespace {

/// One client connection: its CONNECT request, then the relay to the target.
class tunnel : public std::enable_shared_from_this<tunnel> {
 public:
  tunnel(connect_proxy::impl& proxy, tcp::socket client)
      : proxy_(proxy), client_(std::move(client)), server_(proxy.io), resolver_(proxy.io) {}

  void start() {
    http::async_read(client_, buffer_, request_,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (!ec) self->on_request();
                     });
  }

 private:
  void on_request() {
    const auto& request = request_.get();
    record_.target = std::string{request.target()};
    record_.host = std::string{request[http::field::host]};
    record_.authorization = std::string{request[http::field::proxy_authorization]};
    const auto& options = proxy_.options;
    if (request.method() != http::verb::connect) return refuse(http::status::method_not_allowed);
    if (!proxy_.expected_authorization.empty() &&
        record_.authorization != proxy_.expected_authorization)
      return refuse(http::status::proxy_authentication_required);
    if (options.refuse_status != 0) return refuse(static_cast<http::status>(options.refuse_status));
    auto authority = split_authority(record_.target);
    if (!authority) return refuse(http::status::bad_request);
    resolver_.async_resolve(
        authority->first, authority->second,
        [self = shared_from_this()](error_code ec, const tcp::resolver::results_type& results) {
          if (ec) return self->refuse(http::status::bad_gateway);
          for (const auto& entry : results)
            if (!entry.endpoint().address().is_loopback())
              return self->refuse(http::status::forbidden);  // a test proxy, not an open relay
          net::async_connect(self->server_, results, [self](error_code ec, const tcp::endpoint&) {
            if (ec) return self->refuse(http::status::bad_gateway);
            self->open();
          });
        });
  }

  /// Answers `status` and closes the connection.
  void refuse(http::status status) {
    record_.status = static_cast<int>(status);
    proxy_.on_request(record_);
    auto response = std::make_shared<http::response<http::string_body>>(status, 11);
    response->set(http::field::server, "wsnova-test-proxy");
    if (status == http::status::proxy_authentication_required)
      response->set(http::field::proxy_authenticate, "Basic realm=\"wsnova-test\"");
    response->body() = "refused by wsnova test proxy\n";
    response->keep_alive(false);
    response->prepare_payload();
    http::async_write(client_, *response,
                      [self = shared_from_this(), response](error_code, std::size_t) {
                        error_code ignored;
                        self->client_.shutdown(tcp::socket::shutdown_both, ignored);
                        self->client_.close(ignored);
                      });
  }

  void open() {
    record_.status = 200;
    proxy_.on_request(record_);
    static constexpr std::string_view established = "HTTP/1.1 200 Connection established\r\n\r\n";
    net::async_write(client_, net::buffer(established),
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (ec) return;
                       self->proxy_.on_tunnel();
                       // Bytes the client sent right behind its request go first.
                       auto early = beast::buffers_to_string(self->buffer_.data());
                       self->buffer_.consume(self->buffer_.size());
                       self->early_ = std::move(early);
                       net::async_write(self->server_, net::buffer(self->early_),
                                        [self](error_code ec, std::size_t) {
                                          if (ec) return;
                                          self->relay(self->client_, self->server_, self->up_);
                                          self->relay(self->server_, self->client_, self->down_);
                                        });
                     });
  }

  /// Copies `from` to `to` until `from` ends, then half-closes `to`.
  void relay(tcp::socket& from, tcp::socket& to, std::array<char, 16384>& chunk) {
    from.async_read_some(net::buffer(chunk), [self = shared_from_this(), &from, &to, &chunk](
                                                 error_code ec, std::size_t n) {
      if (ec) {
        error_code ignored;
        to.shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      net::async_write(to, net::buffer(chunk.data(), n),
                       [self, &from, &to, &chunk](error_code ec, std::size_t) {
                         if (ec) {  // the receiving side is gone: end both directions
                           error_code ignored;
                           from.close(ignored);
                           to.close(ignored);
                           return;
                         }
                         self->relay(from, to, chunk);
                       });
    });
  }

  connect_proxy::impl& proxy_;  // outlives every tunnel
  tcp::socket client_;
  tcp::socket server_;
  tcp::resolver resolver_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> request_;
  connect_record record_;
  std::string early_;
  std::array<char, 16384> up_{};
  std::array<char, 16384> down_{};
};

}  // namespace

connect_proxy::impl::impl(connect_proxy_options opts) : options(std::move(opts)) {
  if (!options.credentials.empty()) expected_authorization = basic(options.credentials);
  tcp::endpoint endpoint{net::ip::make_address_v4("127.0.0.1"), 0};
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
  port = acceptor.local_endpoint().port();
  do_accept();
  thread = std::thread{[this] { io.run(); }};
}

connect_proxy::impl::~impl() {
  // Stop between handlers; destroying the io_context then destroys the pending handlers,
  // which release the tunnels and close their sockets.
  io.stop();
  if (thread.joinable()) thread.join();
}

void connect_proxy::impl::do_accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) std::make_shared<tunnel>(*this, std::move(socket))->start();
    do_accept();
  });
}

void connect_proxy::impl::on_request(connect_record record) {
  std::lock_guard guard{mutex};
  ++requests;
  last = std::move(record);
  cv.notify_all();
}

void connect_proxy::impl::on_tunnel() {
  std::lock_guard guard{mutex};
  ++tunnels;
  cv.notify_all();
}

connect_proxy::connect_proxy(connect_proxy_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

connect_proxy::~connect_proxy() = default;

std::uint16_t connect_proxy::port() const { return impl_->port; }

std::string connect_proxy::url(const std::string& userinfo) const {
  return "http://" + (userinfo.empty() ? "" : userinfo + "@") +
         "127.0.0.1:" + std::to_string(impl_->port);
}

std::size_t connect_proxy::request_count() const {
  std::lock_guard guard{impl_->mutex};
  return impl_->requests;
}

std::size_t connect_proxy::tunnel_count() const {
  std::lock_guard guard{impl_->mutex};
  return impl_->tunnels;
}

std::optional<connect_record> connect_proxy::last_request() const {
  std::lock_guard guard{impl_->mutex};
  return impl_->last;
}

bool connect_proxy::wait_for_requests(std::size_t n, std::chrono::milliseconds deadline) {
  std::unique_lock lock{impl_->mutex};
  return impl_->cv.wait_for(lock, deadline, [&] { return impl_->requests >= n; });
}

}  // namespace wsnova::test
