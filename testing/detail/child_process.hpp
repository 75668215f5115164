// Child processes for the test support library (openssl, interop peers). Internal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace wsnova::test::detail {

/// Returns the absolute path of `name` found on `PATH` (or `name` itself when it contains
/// a '/' and is executable), or `std::nullopt`.
std::optional<std::filesystem::path> find_program(const std::string& name);

/// Returns `argv` as one line for error messages (arguments with spaces are quoted).
std::string command_line(const std::vector<std::string>& argv);

/// Result of `run_process`.
struct run_result {
  /// Exit status (0..255), or 128 + signal number when killed by a signal.
  int status = -1;

  /// Everything the child wrote to stdout and stderr, interleaved.
  std::string output;
};

/// Runs `argv` (argv[0] looked up on PATH, no shell) to completion and returns its status
/// and output. Throws `std::runtime_error` when the program cannot be started.
run_result run_process(const std::vector<std::string>& argv);

/// A running child process with a pipe to its stdin and one from its stdout; stderr is
/// inherited, so the child's diagnostics land in the test log.
///
/// The child gets SIGKILL if the thread that started it exits (PR_SET_PDEATHSIG), so a
/// crashed test does not leave it behind. The destructor closes stdin, sends SIGTERM,
/// waits up to one second for the child to exit, then sends SIGKILL and reaps it.
class child_process {
 public:
  /// Starts `argv` (argv[0] looked up on PATH, no shell). Throws `std::runtime_error`
  /// when the program cannot be found or started.
  explicit child_process(const std::vector<std::string>& argv);

  /// Takes over the child and its pipes; `other` no longer owns a process.
  child_process(child_process&& other) noexcept;

  /// Terminates the child this object owns, then takes over the one of `other`.
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Terminates and reaps the child (see the class comment).
  ~child_process();

  /// Returns the child's process id; -1 after a move.
  pid_t pid() const noexcept { return pid_; }

  /// Returns the next line (without the newline) the child writes to stdout, or
  /// `std::nullopt` when the child closes stdout or `deadline` elapses first.
  std::optional<std::string> read_line(std::chrono::milliseconds deadline);

  /// Returns the exit status as in `run_result::status` if the child has exited (reaping
  /// it), otherwise `std::nullopt`.
  std::optional<int> try_wait();

  /// Waits up to `deadline` for the child to exit (without polling: a pidfd, Linux >= 5.3)
  /// and returns its status as `try_wait` does, or `std::nullopt` if it is still running.
  std::optional<int> wait_for_exit(std::chrono::milliseconds deadline);

 private:
  void terminate() noexcept;

  pid_t pid_ = -1;             // child process id, -1 when none
  int stdin_fd_ = -1;          // write end of the child's stdin
  int stdout_fd_ = -1;         // read end of the child's stdout
  std::string pending_;        // stdout bytes read but not yet returned as a line
  std::optional<int> status_;  // exit status once reaped
};

}  // namespace wsnova::test::detail
