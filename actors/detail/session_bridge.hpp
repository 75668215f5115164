#pragma once

// The transport session's listener on the actor side: each event reaches the connection actor
// as a message in its mailbox, or a data frame by a direct call when the actor runs on the
// session's I/O thread. Internal.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_control_block.hpp>
#include <caf/error.hpp>
#include <caf/timespan.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include <wsnova/core/atoms.hpp>
#include <wsnova/core/message.hpp>
#include <wsnova/transport/session_listener.hpp>

namespace wsnova::detail {

class connection_actor;

/// Forwards a session's events to the connection actor as the `session_*_atom` messages,
/// enqueued directly (no extra copy of a payload). A data frame skips the mailbox when the
/// actor is io-pinned and `connection_actor::try_receive_direct` finds that safe (no earlier
/// event waiting, not inside the actor's own resume). Holds only a weak reference: once the
/// actor is gone, it answers false and the session closes itself.
class session_bridge final : public session_listener {
 public:
  /// Forwards to `actor`; `pinned` is the same actor when it runs on the session's I/O
  /// thread (else null), used only while a strong reference to `actor` is held. With
  /// `stamp_frames`, each data message carries the steady-clock time it was read (as a
  /// `caf::timespan` since the clock's epoch), for the frame-to-handler latency metric.
  session_bridge(caf::weak_actor_ptr actor, connection_actor* pinned, bool stamp_frames)
      : actor_(std::move(actor)), pinned_(pinned), stamp_frames_(stamp_frames) {}

  bool on_open(std::uint64_t id, std::string subprotocol, bool compressed) override;
  bool on_message(std::uint64_t id, ws_message message) override;
  bool on_control(std::uint64_t id, control_kind kind, std::string payload) override;
  void on_end(std::uint64_t id, session_end end) override;

 private:
  /// Enqueues `(xs...)` without a sender; returns false if the actor is gone.
  template <class... Ts>
  bool tell(Ts&&... xs);

  /// Enqueues `(xs...)` into `actor`'s mailbox and counts it as a waiting session event.
  template <class... Ts>
  void enqueue(const caf::strong_actor_ptr& actor, Ts&&... xs);

  caf::weak_actor_ptr actor_;
  connection_actor* pinned_;
  bool stamp_frames_;
};

}  // namespace wsnova::detail
