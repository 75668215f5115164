#include <wsnova/transport/metrics_server.hpp>

#include <exception>
#include <string_view>
#include <utility>

#include <wsnova/transport/detail/http_server.hpp>

namespace wsnova {

namespace {

constexpr std::string_view exposition_type = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

/// The server answering the one route.
struct metrics_server::state {
  detail::http_server server;
};

result<metrics_server> metrics_server::start(boost::asio::io_context& context, body_source body,
                                             metrics_server_options options) {
  if (!body) return failure{errc::invalid_argument, "metrics_server: no body source"};
  detail::http_server_options http;
  http.address = std::move(options.address);
  http.port = options.port;
  http.max_header_bytes = options.max_header_bytes;
  http.request_timeout = options.request_timeout;
  http.max_connections = options.max_connections;
  // Runs on the context and answers at once; the route keeps `body` alive as long as a
  // connection holds the server's state.
  http.routes[std::move(options.path)] =
      [body = std::move(body)](const detail::http_responder& respond) {
        try {
          respond({200, std::string{exposition_type}, body()});
        } catch (const std::exception& e) {
          respond({500, "text/plain; charset=utf-8",
                   std::string{"metrics unavailable: "} + e.what() + "\n"});
        }
      };
  auto started = detail::http_server::start(context, std::move(http));
  if (!started) {
    auto why = started.error();
    why.detail = "metrics_server: " + why.detail;
    return why;
  }
  const auto bound = started->port();
  return metrics_server{std::make_shared<state>(state{std::move(*started)}), bound};
}

metrics_server::metrics_server(std::shared_ptr<state> server, std::uint16_t port)
    : state_(std::move(server)), port_(port) {}

// The state replaced or destroyed stops its server as it goes.
metrics_server& metrics_server::operator=(metrics_server&& other) noexcept = default;
metrics_server::~metrics_server() = default;

void metrics_server::stop() {
  if (state_) state_->server.stop();
}

}  // namespace wsnova
