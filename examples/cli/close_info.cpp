#include "close_info.hpp"

namespace wsnova::cli {

close_info final_close(const closed_event& closed,
                       const std::optional<disconnected_event>& last_disconnect) {
  if (closed.code == close_code::abnormal && last_disconnect &&
      last_disconnect->code != close_code::abnormal)
    return {last_disconnect->code, last_disconnect->reason};
  return {closed.code, closed.reason};
}

}  // namespace wsnova::cli
