#include "exit_codes.hpp"

#include <wsnova/transport/error.hpp>

namespace wsnova::cli {

exit_code exit_code_for(const caf::error& err) {
  switch (code_of(err)) {
    case errc::bad_url:
    case errc::invalid_argument: return exit_usage;
    case errc::dns:
    case errc::connect_refused: return exit_network;
    case errc::tls_verify_failed:
    case errc::tls_handshake: return exit_tls;
    case errc::upgrade_rejected: return exit_rejected;
    case errc::timeout: return exit_timeout;
    case errc::connection_lost:
    case errc::protocol_violation:
    case errc::message_too_big:
    case errc::queue_full:
    case errc::rate_limited: return exit_connection;
    case errc::closed_by_peer: return exit_closed_abnormally;
    default: return exit_failure;
  }
}

std::string exit_code_table() {
  return "  0  success: the demo finished, or the connection closed with code 1000\n"
         "  1  other failure\n"
         "  2  usage: bad option, bad URL, unreadable TLS file\n"
         "  3  network: DNS failure, connection refused\n"
         "  4  TLS: certificate verification or handshake failed\n"
         "  5  the server rejected the WebSocket upgrade\n"
         "  6  timeout: connect, handshake, heartbeat or close deadline passed\n"
         "  7  the open connection failed: dropped, protocol violation, message too big\n"
         "  8  the server closed with a code other than 1000\n";
}

}  // namespace wsnova::cli
