#include <wsnova/behaviors/connection_behavior.hpp>

#include <wsnova/core/error.hpp>

namespace wsnova {

handler_context::~handler_context() = default;

bool should_reconnect(const disconnect_info& info) {
  if (info.user_requested || !info.cause) return false;
  switch (code_of(info.cause)) {
    case errc::closed_by_peer:
      switch (info.code) {
        case 1001:
        case 1006:
        case 1011:
        case 1012:
        case 1013:
        case 1014:
          return true;
        default:
          return false;
      }
    case errc::connection_lost:
    case errc::timeout:
    case errc::dns:
    case errc::connect_refused:
      return true;
    case errc::upgrade_rejected:
      return upgrade_status(info.cause) >= 500;
    default:
      return false;
  }
}

}  // namespace wsnova
