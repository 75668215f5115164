#pragma once

// session_impl: the tunnel through an HTTP proxy (CONNECT, RFC 9110 section 9.3.6), between the
// TCP connect and the handshakes, under the connect deadline. Included at the foot of
// transport/detail/session_impl.hpp. Internal.

namespace wsnova::detail {

/// The CONNECT request and the parser of its response, alive for the exchange only (a
/// session without a proxy pays nothing for them).
struct proxy_exchange {
  http::request<http::empty_body> request;
  http::response_parser<http::empty_body> response;
};

template <bool Secure>
void session_impl<Secure>::do_proxy_connect() {
  auto exchange = std::make_shared<proxy_exchange>();
  // The authority form always names the port (RFC 9110 section 9.3.6), and so does Host.
  auto authority =
      (url_.ipv6 ? "[" + url_.host + "]" : url_.host) + ":" + std::to_string(url_.port);
  auto& request = exchange->request;
  request.method(http::verb::connect);
  request.target(authority);
  request.version(11);
  request.set(http::field::host, authority);
  if (!options_->user_agent.empty()) request.set(http::field::user_agent, options_->user_agent);
  if (!proxy_->authorization.empty())
    request.set(http::field::proxy_authorization, proxy_->authorization);
  // A 2xx answer to CONNECT has no body, whatever its headers say; other answers are not
  // read past their header either: the connection ends with them.
  exchange->response.skip(true);
  http::async_write(tcp_layer(), exchange->request,
                    [self = shared(), exchange](boost::system::error_code ec, std::size_t) {
                      if (self->ended_) return;
                      if (ec) return self->fail_connecting(ec, session_phase::proxy);
                      http::async_read(self->tcp_layer(), self->read_buffer_, exchange->response,
                                       [self, exchange](boost::system::error_code ec, std::size_t) {
                                         if (self->ended_) return;
                                         if (ec)
                                           return self->fail_connecting(ec, session_phase::proxy);
                                         self->on_proxy_response(exchange->response);
                                       });
                    });
}

template <bool Secure>
void session_impl<Secure>::on_proxy_response(
    const http::response_parser<http::empty_body>& response) {
  const auto& header = response.get();
  auto status = header.result_int();
  auto answer = "proxy " + proxy_->name() + " answered CONNECT " + url_.host_header() +
                " with HTTP " + std::to_string(status) + " " + std::string{header.reason()};
  auto fail = [&](errc code, std::string detail) {
    finish({code, std::move(detail), static_cast<std::uint16_t>(status)}, close_code::abnormal, {});
  };
  if (status == 407)
    return fail(errc::proxy_auth_required,
                answer + (proxy_->authorization.empty()
                              ? " (the proxy URL has no credentials)"
                              : " (the proxy refused the credentials of the proxy URL)"));
  if (status < 200 || status > 299) return fail(errc::proxy_failed, answer);
  // The server speaks only after our ClientHello or upgrade request: bytes already here
  // came from the proxy, and would corrupt the TLS or WebSocket stream.
  if (read_buffer_.size() != 0)
    return fail(errc::proxy_failed, answer + ", then bytes before the tunnel was used");
  timings_.proxy_connect = lap();
  do_handshakes();
}

}  // namespace wsnova::detail
