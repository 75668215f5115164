// A helper process driven through pipes: started with posix_spawn, its stdin and stdout
// connected to this process, lines read with a deadline, its CPU time and memory read from
// /proc. Used by wsnova-storm for bench-echo-server and the wsnova-fault-proxy processes.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

extern char** environ;

namespace wsnova::bench {

/// One child process with a pipe to its stdin and one from its stdout (stderr is shared).
/// The destructor closes its stdin, sends SIGTERM and reaps it.
class child_process {
 public:
  /// Starts `path` with `args`; throws std::system_error when it cannot.
  child_process(const std::string& path, const std::vector<std::string>& args) {
    int in[2];
    int out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<std::string> storage{path};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    to_child_ = in[1];
    from_child_ = out[0];
    if (rc != 0) {
      pid_ = -1;
      throw std::system_error(rc, std::generic_category(), "posix_spawn " + path);
    }
  }

  ~child_process() {
    if (to_child_ >= 0) close(to_child_);
    if (from_child_ >= 0) close(from_child_);
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Writes `line` and a newline to the child's stdin; throws when the pipe is broken.
  void write_line(const std::string& line) {
    std::string data = line + "\n";
    for (std::size_t done = 0; done < data.size();) {
      auto n = ::write(to_child_, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::system_error(errno, std::generic_category(), "write to child");
      done += static_cast<std::size_t>(n);
    }
  }

  /// Returns the next line the child printed, or nothing at the deadline or at its EOF.
  std::optional<std::string> read_line(std::chrono::milliseconds deadline) {
    auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        auto line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{from_child_, POLLIN, 0};
      int ready = poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return std::nullopt;
      char chunk[4096];
      auto n = ::read(from_child_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  /// Sends `command` and returns the answer line; throws when it does not start with "ok".
  std::string command(const std::string& command, std::chrono::milliseconds deadline) {
    write_line(command);
    auto answer = read_line(deadline);
    if (!answer || answer->rfind("ok", 0) != 0)
      throw std::runtime_error(command + ": " + (answer ? *answer : "no answer"));
    return *answer;
  }

  /// Reads lines until one is "PORT n"; returns n or throws at the deadline.
  std::uint16_t read_port(std::chrono::milliseconds deadline) {
    while (auto line = read_line(deadline))
      if (line->rfind("PORT ", 0) == 0)
        return static_cast<std::uint16_t>(std::stoul(line->substr(5)));
    throw std::runtime_error("child printed no PORT line");
  }

  /// Returns the child's user + system CPU seconds (fields 14 and 15 of /proc/PID/stat).
  double cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string stat;
    std::getline(in, stat);
    auto paren = stat.rfind(')');  // the command name may contain spaces
    if (paren == std::string::npos) return 0;
    std::istringstream fields{stat.substr(paren + 2)};
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  /// Returns the child's VmRSS in kB (0 if unreadable).
  std::int64_t rss_kb() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    for (std::string line; std::getline(in, line);)
      if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
    return 0;
  }

 private:
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffer_;
};

}  // namespace wsnova::bench
