#pragma once

// session_impl: resolve, TCP connect (the proxy's CONNECT in session_proxy.hpp), TLS handshake
// and upgrade, under deadlines. Included at the foot of transport/detail/session_impl.hpp.
// Internal.

namespace wsnova::detail {

template <bool Secure>
void session_impl<Secure>::arm_deadline(std::chrono::milliseconds duration) {
  phase_limit_ = duration;
  wait_until(timer_purpose::connecting, clock_type::now() + duration);
}

template <bool Secure>
void session_impl<Secure>::fail_connecting(boost::system::error_code ec, session_phase phase) {
  const bool reaching_proxy = proxy_ && phase <= session_phase::proxy;
  failure cause;
  if (timed_out_after_) {
    auto what = phase <= session_phase::proxy ? "connect" : "handshake";
    cause = {errc::timeout, std::string{what} + " timed out after " +
                                std::to_string(timed_out_after_->count()) + " ms"};
  } else {
    cause = classify_error(ec, phase);
  }
  // Say which hop failed: the proxy, not the server behind it.
  if (reaching_proxy) cause.detail = "proxy " + proxy_->name() + ": " + cause.detail;
  finish(std::move(cause), close_code::abnormal, {});
}

template <bool Secure>
void session_impl<Secure>::do_resolve() {
  if (ended_) return;
  arm_deadline(options_->connect_timeout);
  phase_started_ = clock_type::now();
  const auto& host = proxy_ ? proxy_->host : url_.host;
  auto port = proxy_ ? proxy_->port : url_.port;
  // An address needs no resolver (which runs getaddrinfo on a thread of its own: two thread
  // hops per connect).
  boost::system::error_code not_an_address;
  auto address = asio::ip::make_address(host, not_an_address);
  if (!not_an_address) return do_connect(std::array<tcp::endpoint, 1>{{{address, port}}});
  connecting_->resolver.async_resolve(
      host, std::to_string(port),
      [self = shared()](boost::system::error_code ec, tcp::resolver::results_type results) {
        if (self->ended_) return;
        if (ec) return self->fail_connecting(ec, session_phase::resolve);
        self->do_connect(std::move(results));
      });
}

template <bool Secure>
template <class Endpoints>
void session_impl<Secure>::do_connect(const Endpoints& endpoints) {
  auto on_connected = [self = shared()](boost::system::error_code ec, auto&&...) {
    if (self->ended_) return;
    if (ec) return self->fail_connecting(ec, session_phase::connect);
    if (self->options_->tcp_nodelay) {
      boost::system::error_code ignored;
      self->tcp_layer().socket().set_option(tcp::no_delay{true}, ignored);
    }
    self->timings_.tcp_connect = self->lap();
    if (self->proxy_)
      self->do_proxy_connect();
    else
      self->do_handshakes();
  };
  if (options_->local_address.empty()) return tcp_layer().async_connect(endpoints, on_connected);
  // Asio's connect over a range closes and reopens the socket per endpoint, which would drop
  // the binding: open, bind and connect one endpoint ourselves.
  boost::system::error_code ec;
  auto local = asio::ip::make_address(options_->local_address, ec);  // checked at start
  auto chosen = std::find_if(std::begin(endpoints), std::end(endpoints), [&](const auto& entry) {
    return tcp::endpoint{entry}.address().is_v4() == local.is_v4();
  });
  if (chosen == std::end(endpoints))
    return finish({errc::connect_refused, "no " + std::string{local.is_v4() ? "IPv4" : "IPv6"} +
                                              " address of the server for local address " +
                                              options_->local_address},
                  close_code::abnormal, {});
  auto& socket = tcp_layer().socket();
  tcp::endpoint remote{*chosen};
  socket.open(remote.protocol(), ec);
  if (!ec) socket.bind(tcp::endpoint{local, 0}, ec);
  if (ec) {
    auto detail = "cannot bind to local address " + options_->local_address + ": " + ec.message();
    return finish({errc::connect_refused, std::move(detail)}, close_code::abnormal, {});
  }
  tcp_layer().async_connect(remote, on_connected);
}

template <bool Secure>
void session_impl<Secure>::do_handshakes() {
  arm_deadline(options_->handshake_timeout);
  if constexpr (Secure)
    do_tls_handshake();
  else
    do_upgrade();
}

template <bool Secure>
std::chrono::microseconds session_impl<Secure>::lap() {
  auto now = clock_type::now();
  auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now - phase_started_);
  phase_started_ = now;
  return elapsed;
}

template <bool Secure>
void session_impl<Secure>::do_tls_handshake() requires Secure {
  SSL* ssl = ws_.next_layer().next_layer().native_handle();
  const bool ip_host = is_ip_literal(url_.host);
  // SNI is for host names only (RFC 6066 section 3).
  if (!ip_host) SSL_set_tlsext_host_name(ssl, url_.host.c_str());
  prepare_tls_resumption(ssl, url_);
  if (!options_->tls.insecure) {
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
        SSL* ssl = self->ws_.next_layer().next_layer().native_handle();
        if (ec) {
          forget_tls_session(ssl, self->url_);
          long verify = SSL_get_verify_result(ssl);
          if (verify != X509_V_OK && !self->timed_out_after_) {
            return self->finish({errc::tls_verify_failed, X509_verify_cert_error_string(verify)},
                                close_code::abnormal, {});
          }
          return self->fail_connecting(ec, session_phase::tls);
        }
        self->tls_resumed_ = SSL_session_reused(ssl) == 1;
        self->timings_.tls_handshake = self->lap();
        self->do_upgrade();
      });
}

template <bool Secure>
void session_impl<Secure>::do_upgrade() {
  ws_.set_option(websocket::stream_base::timeout{options_->handshake_timeout,
                                                 websocket::stream_base::none(), false});
  websocket::permessage_deflate deflate;
  deflate.client_enable = options_->compress;
  ws_.set_option(deflate);
  ws_.read_message_max(options_->max_message_size);
  ws_.auto_fragment(false);
  ws_.write_buffer_bytes(options_->write_buffer_bytes);
  ws_.set_option(websocket::stream_base::decorator([this](websocket::request_type& request) {
    if (!options_->user_agent.empty()) request.set(http::field::user_agent, options_->user_agent);
    if (!options_->subprotocols.empty()) {
      std::string offered;
      for (const auto& protocol : options_->subprotocols)
        offered += (offered.empty() ? "" : ", ") + protocol;
      request.set(http::field::sec_websocket_protocol, offered);
    }
    for (const auto& [name, value] : options_->headers) request.insert(name, value);
  }));
  ws_.async_handshake(connecting_->upgrade_response, url_.host_header(), url_.target,
                      [self = shared()](boost::system::error_code ec) {
                        if (self->ended_) return;
                        if (ec) return self->fail_upgrade(ec);
                        self->timings_.upgrade = self->lap();
                        self->on_open();
                      });
}

template <bool Secure>
void session_impl<Secure>::fail_upgrade(boost::system::error_code ec) {
  if (ec == websocket::error::upgrade_declined) {
    auto status = connecting_->upgrade_response.result_int();
    auto detail = "HTTP " + std::to_string(status) + " " +
                  std::string{connecting_->upgrade_response.reason()};
    finish({errc::upgrade_rejected, std::move(detail), static_cast<std::uint16_t>(status)},
           close_code::abnormal, {});
    return;
  }
  fail_connecting(ec, session_phase::upgrade);
}

}  // namespace wsnova::detail
