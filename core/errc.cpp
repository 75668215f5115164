#include <wsnova/core/errc.hpp>

namespace wsnova {

std::string to_string(errc code) {
  switch (code) {
    case errc::none:
      return "none";
    case errc::bad_url:
      return "bad_url";
    case errc::dns:
      return "dns";
    case errc::connect_refused:
      return "connect_refused";
    case errc::tls_verify_failed:
      return "tls_verify_failed";
    case errc::tls_handshake:
      return "tls_handshake";
    case errc::upgrade_rejected:
      return "upgrade_rejected";
    case errc::protocol_violation:
      return "protocol_violation";
    case errc::message_too_big:
      return "message_too_big";
    case errc::queue_full:
      return "queue_full";
    case errc::rate_limited:
      return "rate_limited";
    case errc::timeout:
      return "timeout";
    case errc::closed_by_peer:
      return "closed_by_peer";
    case errc::owner_gone:
      return "owner_gone";
    case errc::not_connected:
      return "not_connected";
    case errc::closed:
      return "closed";
    case errc::connection_lost:
      return "connection_lost";
    case errc::actor_gone:
      return "actor_gone";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::not_allowed:
      return "not_allowed";
    case errc::unknown_id:
      return "unknown_id";
  }
  return "unknown";
}

}  // namespace wsnova
