#pragma once

/// @file
/// Reads stdin line by line on its own thread, so typing never blocks receiving.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>

namespace wsnova::cli {

/// A thread that reads lines from stdin and hands each to a callback, then calls `on_end`
/// once: at end of input, on SIGINT (Ctrl-C) or SIGTERM, when the callback refuses a line,
/// or on a read error.
///
/// Why not a plain `std::getline` thread: that thread could never be stopped while it waits
/// for input, and a thread holding actors must end before the actor system does. This one
/// waits with `poll()` on stdin and on a self-pipe, so `stop()` (and a signal handler) can
/// wake it at any time, also while the callback waits in `wait()`.
///
/// Back-pressure: stdin is read only between callbacks, so a callback that waits (for a
/// full send queue to drain) stops the reading, and the writer of the pipe blocks. Memory:
/// one 64 KiB read buffer plus the current line, which may not exceed `max_line` bytes.
///
/// Lines are split at '\n'; a trailing '\r' is dropped (files from Windows); a last line
/// without a newline is delivered at end of input. At most one `stdin_reader` may exist at
/// a time (it owns the SIGINT and SIGTERM handlers).
class stdin_reader {
 public:
  /// Why the reader ended.
  enum class end_reason {
    /// End of input.
    eof,
    /// SIGINT (Ctrl-C) or SIGTERM arrived. A second one kills the process the default way.
    interrupted,
    /// The line handler returned false.
    refused,
    /// A line grew longer than `max_line` bytes.
    line_too_long,
    /// `stop()` was called; `on_end` is not called then.
    stopped,
  };

  /// Called on the reader thread with each line, without its terminator. Returns false to
  /// stop reading (the line counts as handled).
  using line_handler = std::function<bool(std::string line)>;
  /// Called on the reader thread once input ended (not after `stop()`), with the number of
  /// lines already read from stdin that were never handed to the line handler (a partial
  /// last line counts as one).
  using end_handler = std::function<void(end_reason why, std::size_t unhandled_lines)>;

  /// Starts the thread. Lines longer than `max_line` bytes end the input. Throws
  /// `std::system_error` when the pipe cannot be created.
  stdin_reader(line_handler on_line, end_handler on_end, std::size_t max_line);

  /// Stops and joins.
  ~stdin_reader();

  stdin_reader(const stdin_reader&) = delete;
  stdin_reader& operator=(const stdin_reader&) = delete;

  /// Sleeps up to `duration` on the reader thread (call it from the line handler). Returns
  /// false at once when a signal or `stop()` arrives: the handler should then return false.
  /// Costs no CPU while it sleeps.
  bool wait(std::chrono::milliseconds duration);

  /// After `on_end` was called with `eof`: returns true once SIGINT or SIGTERM arrived since.
  /// Only then may another thread call it (the reader thread no longer touches the pipe), so
  /// Ctrl-C still works while the caller lingers after the end of input.
  bool interrupted_after_eof();

  /// Wakes the thread, makes it return without calling `on_end`, and joins it. Idempotent;
  /// must not be called from the reader thread itself.
  void stop();

 private:
  void run();
  /// Reads one byte from the self-pipe and records what it says.
  void take_wake_byte();

  line_handler on_line_;
  end_handler on_end_;
  std::size_t max_line_;
  /// Self-pipe: [0] read end polled by the thread, [1] written by `stop()` and by signals.
  int wake_[2] = {-1, -1};
  /// Set on the reader thread by `take_wake_byte`.
  bool interrupted_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace wsnova::cli
