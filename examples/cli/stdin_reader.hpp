#pragma once

/// @file
/// Reads stdin line by line on its own thread, so typing never blocks receiving.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace wsnova::cli {

/// A thread that reads lines from stdin and hands each to a callback, then calls `on_end`
/// once: at end of input, on SIGINT (Ctrl-C), or on a read error.
///
/// Why not a plain `std::getline` thread: that thread could never be stopped while it waits
/// for input, and a thread holding actors must end before the actor system does. This one
/// waits with `poll()` on stdin and on a self-pipe, so `stop()` (and a signal handler) can
/// wake it at any time.
///
/// Lines are split at '\n'; a trailing '\r' is dropped (files from Windows); a last line
/// without a newline is delivered too. At most one `stdin_reader` may exist at a time
/// (it owns the SIGINT handler).
class stdin_reader {
 public:
  /// Why the reader ended.
  enum class end_reason {
    /// End of input.
    eof,
    /// SIGINT arrived (Ctrl-C). A second Ctrl-C kills the process the default way.
    interrupted,
    /// `stop()` was called; `on_end` is not called then.
    stopped,
  };

  /// Called on the reader thread with each line, without its line terminator.
  using line_handler = std::function<void(std::string line)>;
  /// Called on the reader thread once input ended (not after `stop()`).
  using end_handler = std::function<void(end_reason why)>;

  /// Starts the thread. Throws `std::system_error` when the pipe cannot be created.
  stdin_reader(line_handler on_line, end_handler on_end);

  /// Stops and joins.
  ~stdin_reader();

  stdin_reader(const stdin_reader&) = delete;
  stdin_reader& operator=(const stdin_reader&) = delete;

  /// Wakes the thread, makes it return without calling `on_end`, and joins it. Idempotent;
  /// must not be called from the reader thread itself.
  void stop();

 private:
  void run();

  line_handler on_line_;
  end_handler on_end_;
  /// Self-pipe: [0] read end polled by the thread, [1] written by `stop()` and by SIGINT.
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace wsnova::cli
