#pragma once

/// @file
/// The close code and reason to show for a finished connection.

#include <cstdint>
#include <optional>
#include <string>

#include <wsnova/actors/events.hpp>

namespace wsnova::cli {

/// A close as the user should see it.
struct close_info {
  /// The close code (RFC 6455 section 7.4).
  std::uint16_t code = close_code::normal;
  /// The close reason, possibly empty.
  std::string reason;
};

/// Returns the close to report for `closed`, given the `disconnected_event` that came
/// before it, if any.
///
/// Why not just `closed.code`: with the default handlers, a close started by the peer ends
/// in the connection actor's `stop` path, whose `closed_event` says 1006 with an empty
/// reason even though the peer sent a proper code (see the report on
/// actors/detail/connection_actor.cpp). The `disconnected_event` before it carries the code
/// and reason the peer actually sent, so it wins when the final event claims 1006.
close_info final_close(const closed_event& closed,
                       const std::optional<disconnected_event>& last_disconnect);

}  // namespace wsnova::cli
