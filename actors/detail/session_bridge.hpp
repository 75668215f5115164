#pragma once

// The transport session's listener on the actor side: each event becomes one message in the
// connection actor's mailbox. Internal.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_control_block.hpp>
#include <caf/error.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include <wsnova/core/atoms.hpp>
#include <wsnova/core/message.hpp>
#include <wsnova/transport/session_listener.hpp>

namespace wsnova::detail {

/// Forwards a session's events to the connection actor as the `session_*_atom` messages,
/// one message per event, enqueued directly (no extra copy of a payload). Holds only a
/// weak reference: once the actor is gone, it answers false and the session closes itself.
class session_bridge final : public session_listener {
 public:
  /// Forwards to `actor`; with `stamp_frames`, each data message carries the steady-clock
  /// time it was read (as a `caf::timespan` since the clock's epoch), for the
  /// frame-to-handler latency metric.
  session_bridge(caf::weak_actor_ptr actor, bool stamp_frames)
      : actor_(std::move(actor)), stamp_frames_(stamp_frames) {}

  bool on_open(std::uint64_t id, std::string subprotocol, bool compressed) override;
  bool on_message(std::uint64_t id, ws_message message) override;
  bool on_control(std::uint64_t id, control_kind kind, std::string payload) override;
  void on_end(std::uint64_t id, session_end end) override;

 private:
  /// Enqueues `(xs...)` without a sender; returns false if the actor is gone.
  template <class... Ts>
  bool tell(Ts&&... xs);

  caf::weak_actor_ptr actor_;
  bool stamp_frames_;
};

}  // namespace wsnova::detail
