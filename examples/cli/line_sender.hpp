#pragma once

/// @file
/// Sends stdin lines as messages, waiting (not spinning) while the send queue is full.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/scoped_actor.hpp>

#include <wsnova/actors/connection.hpp>

namespace wsnova::cli {

/// What became of one line.
enum class send_outcome {
  /// The connection accepted it (queued for writing).
  sent,
  /// Not sent: the user interrupted while the line waited for room in the send queue.
  interrupted,
  /// Not sent: the connection is closing or gone (its own events say why).
  connection_gone,
  /// Not sent: the line is not valid input (see `line_sender::failure`).
  bad_input,
  /// Not sent: the connection refused it for another reason (see `line_sender::failure`).
  failed,
};

/// Turns lines into `send` requests to a connection actor, from one thread (the stdin
/// reader's). Text lines must be valid UTF-8; with `binary` every line goes out as is.
///
/// Back-pressure: when the connection answers `queue_full` (its send queue is above the
/// high watermark; see `send_limits`), the line is offered again after a pause that doubles
/// from 1 ms up to 200 ms. The library has no "queue drained" signal, so this polls; a poll
/// costs one request, i.e. at most 5 per second while blocked: no measurable CPU. The pause
/// is `wait`, which returns false on Ctrl-C/SIGTERM, so an interrupt is never delayed.
class line_sender {
 public:
  /// Sleeps up to the given time; false when interrupted.
  using wait_function = std::function<bool(std::chrono::milliseconds)>;

  /// Sends to `connection` through its own scoped actor in `system`.
  line_sender(caf::actor_system& system, connection handle, bool binary, bool quiet,
              wait_function wait);

  /// Sends `line` (waiting while the queue is full) and says what became of it.
  send_outcome send(std::string line);

  /// Returns the error behind the last `bad_input` or `failed` outcome.
  const caf::error& failure() const { return failure_; }

  /// Returns the number of lines handed to `send` so far (the current one included).
  std::uint64_t lines() const { return lines_; }

  /// Asks the connection to close with 1000 and returns at once: the `closed_event` says
  /// when it is done (the session's receive loop waits for it, with a deadline).
  void close();

  /// Returns the number of messages accepted by the connection but not yet written.
  std::uint64_t queued_messages();

 private:
  caf::scoped_actor self_;
  connection handle_;
  bool binary_;
  bool quiet_;
  wait_function wait_;
  caf::error failure_;
  std::uint64_t lines_ = 0;
};

/// True for errors that only say the connection is closing or gone.
bool is_gone(const caf::error& err);

}  // namespace wsnova::cli
