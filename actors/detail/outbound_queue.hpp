#pragma once

// The outgoing side of a connection: the offline buffer and the send-limit watermarks.
// Internal.

#include <cstddef>
#include <vector>

#include <caf/error.hpp>

#include <wsnova/actors/connection_config.hpp>
#include <wsnova/core/message.hpp>

namespace wsnova::detail {

/// Decides what happens to an outgoing message. While disconnected it keeps messages
/// (buffer policy), bounded by `send_limits::max_buffered_messages` and
/// `max_buffered_bytes`; while connected it checks the session's queue against the high
/// watermarks (`max_queued_messages`, `max_queued_bytes`) and, once one was hit, refuses
/// until the queue drained below the low watermark (`resume_fraction` of the high one).
/// Over any bound the answer is `queue_full`: nothing is dropped silently.
///
/// Not thread-safe: lives inside the connection actor.
class outbound_queue {
 public:
  /// A queue enforcing `limits`.
  explicit outbound_queue(const send_limits& limits) : limits_(limits) {}

  /// True with the buffer policy: sends while disconnected are kept, not refused.
  bool buffers_offline() const noexcept {
    return limits_.when_disconnected == offline_send_policy::buffer;
  }

  /// Keeps `message` for the next connect, after the ones kept before. Errors:
  /// `queue_full` when the buffer's message or byte bound would be exceeded (the message is
  /// then dropped, and the caller reports the error).
  caf::error buffer(ws_message&& message);

  /// Checks a send of `bytes` bytes to a session that has `queued_messages` messages and
  /// `queued_bytes` bytes accepted but not yet written. Errors: `queue_full` when the send
  /// would cross a high watermark (sends pause) or while paused and the queue is still
  /// above the low watermark.
  caf::error admit(std::size_t queued_messages, std::size_t queued_bytes, std::size_t bytes);

  /// True after a high watermark was hit, until the queue drained to the low one.
  bool paused() const noexcept { return paused_; }

  /// Forgets the pause: a new session starts with an empty queue.
  void resume() noexcept { paused_ = false; }

  /// Takes every buffered message out, oldest first, leaving the buffer empty.
  std::vector<ws_message> take();

  /// Takes back `unsent`, messages a session accepted but never wrote (oldest first).
  /// With the buffer policy they go back to the front of the buffer in their original
  /// order, as far as the buffer's bounds allow. Returns what was not kept, oldest first:
  /// everything with the reject policy, the newest ones that did not fit with the buffer
  /// policy; the caller reports those as not sent.
  std::vector<ws_message> give_back(std::vector<ws_message> unsent);

  /// Messages in the buffer.
  std::size_t buffered_messages() const noexcept { return buffer_.size(); }

  /// Payload bytes in the buffer.
  std::size_t buffered_bytes() const noexcept { return buffered_bytes_; }

 private:
  send_limits limits_;
  /// Sends kept while disconnected (buffer policy), oldest first.
  std::vector<ws_message> buffer_;
  /// Sum of the payload sizes in `buffer_`.
  std::size_t buffered_bytes_ = 0;
  /// A high watermark was hit; sends are refused until the queue drains to the low one.
  bool paused_ = false;
};

}  // namespace wsnova::detail
