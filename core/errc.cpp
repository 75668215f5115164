#include <wsnova/core/errc.hpp>

#include <wsnova/core/detail/enum_names.hpp>

namespace wsnova {

std::string to_string(errc code) {
  return detail::enum_name<errc::proxy_failed>(code,
                                               {"none",
                                                "bad_url",
                                                "dns",
                                                "connect_refused",
                                                "tls_verify_failed",
                                                "tls_handshake",
                                                "upgrade_rejected",
                                                "protocol_violation",
                                                "message_too_big",
                                                "queue_full",
                                                "rate_limited",
                                                "timeout",
                                                "closed_by_peer",
                                                "owner_gone",
                                                "not_connected",
                                                "closed",
                                                "connection_lost",
                                                "actor_gone",
                                                "invalid_argument",
                                                "not_allowed",
                                                "unknown_id",
                                                "auth_failed",
                                                "rpc_error",
                                                "subscription_failed",
                                                "bind_failed",
                                                "proxy_auth_required",
                                                "proxy_failed"},
                                               "unknown");
}

}  // namespace wsnova
