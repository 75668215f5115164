#include <wsnova/transport/detail/classify_error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <wsnova/core/detail/enum_names.hpp>
#include <wsnova/core/failure.hpp>

namespace wsnova::detail {

namespace {

const char* phase_name(session_phase phase) {
  return detail::enum_name<session_phase::open>(
      phase,
      {"resolving host", "connecting", "proxy CONNECT", "TLS handshake", "WebSocket upgrade",
       "open connection"},
      "session");
}

/// Returns true if `ec` is the TLS 1.3 alert a server sends when it requires a client
/// certificate and got none (RFC 8446 section 6.2, certificate_required). It arrives after
/// the client's side of the handshake is done, so in the upgrade phase as often as in the
/// TLS phase.
bool is_certificate_required(const boost::system::error_code& ec) {
  return ec.category() == boost::asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
             SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED;
}

}  // namespace

failure classify_error(const boost::system::error_code& ec, session_phase phase) {
  namespace ws = boost::beast::websocket;
  auto detail = std::string{phase_name(phase)} + ": " + ec.message();
  if (ec == boost::beast::error::timeout) return failure{errc::timeout, detail};
  if (is_certificate_required(ec))
    return failure{errc::tls_handshake,
                   "TLS handshake: the server requires a client certificate (set cert_file and "
                   "key_file): " +
                       ec.message()};
  switch (phase) {
    case session_phase::resolve:
      return failure{errc::dns, detail};
    case session_phase::connect:
      return failure{errc::connect_refused, detail};
    case session_phase::proxy:
      // The proxy hung up or answered something that is not HTTP.
      return failure{errc::proxy_failed, detail};
    case session_phase::tls:
      return failure{errc::tls_handshake, detail};
    case session_phase::upgrade:
    case session_phase::open:
      break;
  }
  // A server that sends endless upgrade headers is stopped at Beast's header limit: a bad
  // upgrade response, not a big message.
  if (ec == boost::beast::http::error::header_limit)
    return failure{errc::protocol_violation,
                   std::string{phase_name(phase)} + ": response headers over the size limit"};
  if (ec == ws::error::message_too_big || ec == boost::beast::http::error::body_limit)
    return failure{errc::message_too_big, detail};
  // The peer hung up in the middle of the upgrade response: a lost connection, not a bad
  // peer (a server restarting, a proxy resetting), so it stays retryable.
  if (ec == boost::beast::http::error::end_of_stream ||
      ec == boost::beast::http::error::partial_message)
    return failure{errc::connection_lost, detail};
  if (ec == ws::condition::protocol_violation) return failure{errc::protocol_violation, detail};
  if (ec == ws::condition::handshake_failed) return failure{errc::upgrade_rejected, detail};
  if (std::string_view{ec.category().name()} == "beast.http")
    return failure{errc::protocol_violation, detail};
  return failure{errc::connection_lost, detail};
}

}  // namespace wsnova::detail
