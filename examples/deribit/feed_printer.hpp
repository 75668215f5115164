// The owner of the Deribit connection: notifications to stdout as JSON lines, connection
// events to stderr, a count of notifications and of gaps in each channel's sequence.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <wsnova/actors/connection_owner.hpp>

namespace deribit_example {

/// What the printer counted. Written by the printer only; read after it terminated.
struct feed_summary {
  std::uint64_t notifications = 0;
  /// Notifications missing from each channel's `sequence` (the local exchange numbers its
  /// data; a channel without numbers counts none).
  std::map<std::string, std::uint64_t> missing;
  /// The last sequence number seen per channel.
  std::map<std::string, std::uint64_t> last;
};

/// Spawns the printer; after `count` notifications (never when `count` is 0) it sends
/// `caf::ok_atom` to `done`.
wsnova::connection_owner spawn_feed_printer(caf::actor_system& system, std::uint64_t count,
                                            caf::actor done, std::shared_ptr<feed_summary> summary);

}  // namespace deribit_example
