#include "exit_codes.hpp"

#include <wsnova/core/error.hpp>

namespace wsnova::cli {

exit_code exit_code_for(const caf::error& err) {
  switch (code_of(err)) {
    case errc::bad_url:
    case errc::invalid_argument:
      return exit_usage;
    case errc::dns:
    case errc::connect_refused:
    case errc::proxy_auth_required:
    case errc::proxy_failed:
      return exit_network;
    case errc::tls_verify_failed:
    case errc::tls_handshake:
      return exit_tls;
    case errc::upgrade_rejected:
      return exit_rejected;
    case errc::timeout:
      return exit_timeout;
    case errc::connection_lost:
    case errc::protocol_violation:
    case errc::message_too_big:
    case errc::queue_full:
    case errc::rate_limited:
      return exit_connection;
    case errc::closed_by_peer:
      return exit_closed_abnormally;
    default:
      return exit_failure;
  }
}

std::string exit_code_table() {
  return "  0  success: the demo finished, or the connection closed with code 1000\n"
         "  1  other failure (an internal error)\n"
         "  2  usage: bad option, bad URL; or bad input: a stdin line that is not UTF-8\n"
         "     (without --binary) or longer than 16 MiB\n"
         "  3  network: DNS failure, connection refused, the proxy refused the tunnel\n"
         "  4  TLS: certificate verification or handshake failed\n"
         "  5  the server rejected the WebSocket upgrade\n"
         "  6  timeout: connect, handshake, heartbeat or close deadline passed\n"
         "  7  the open connection failed: dropped without a close handshake, or wsnova\n"
         "     closed it for the server's fault (1002 protocol violation, 1007 invalid\n"
         "     UTF-8, 1009 message bigger than --max-message)\n"
         "  8  the server closed with a code other than 1000 (e.g. 1001, 1011, 4000)\n";
}

}  // namespace wsnova::cli
