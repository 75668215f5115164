#include <wsnova/testing/detail/child_process.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace wsnova::test::detail {

namespace {

int decode_status(int raw) {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return -1;
}

void close_fd(int& fd) noexcept {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

/// Pipe ends, both close-on-exec; the child dup2()s the one it needs.
struct pipe_pair {
  int read = -1;
  int write = -1;
  pipe_pair() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string("pipe2 failed: ") + std::strerror(errno));
    read = fds[0];
    write = fds[1];
  }
  ~pipe_pair() {
    close_fd(read);
    close_fd(write);
  }
  pipe_pair(const pipe_pair&) = delete;
  pipe_pair& operator=(const pipe_pair&) = delete;
};

/// Forks and execs `argv`; in the child, `in`/`out`/`err` (if >= 0) become fds 0/1/2.
/// Everything the child needs is prepared before fork (no allocation after it).
pid_t spawn(const std::vector<std::string>& argv, int in, int out, int err) {
  if (argv.empty()) throw std::runtime_error("spawn: empty argv");
  auto exe = find_program(argv[0]);
  if (!exe) throw std::runtime_error("program not found on PATH: " + argv[0]);
  std::string exe_str = exe->string();
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // parent already gone
    if (in >= 0) ::dup2(in, 0);
    if (out >= 0) ::dup2(out, 1);
    if (err >= 0) ::dup2(err, 2);
    ::syscall(SYS_close_range, 3u, ~0u, 0u);  // drop inherited sockets; best effort
    ::execv(exe_str.c_str(), args.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

std::optional<std::filesystem::path> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return std::filesystem::path(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    auto colon = dirs.find(':');
    std::filesystem::path dir(std::string(dirs.substr(0, colon)));
    if (dir.empty()) dir = ".";
    auto candidate = dir / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    dirs.remove_prefix(colon + 1);
  }
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    if (a.find_first_of(" \t\"'") != std::string::npos) {
      out += '\'' + a + '\'';
    } else {
      out += a;
    }
  }
  return out;
}

run_result run_process(const std::vector<std::string>& argv) {
  pipe_pair output;
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid;
  try {
    pid = spawn(argv, devnull, output.write, output.write);
  } catch (...) {
    if (devnull >= 0) ::close(devnull);
    throw;
  }
  if (devnull >= 0) ::close(devnull);
  close_fd(output.write);
  run_result result;
  char buf[4096];
  while (true) {
    auto n = ::read(output.read, buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  int raw = 0;
  while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
    // retry
  }
  result.status = decode_status(raw);
  return result;
}

// -- child_process ----------------------------------------------------------------------

child_process::child_process(const std::vector<std::string>& argv) {
  pipe_pair in;
  pipe_pair out;
  pid_ = spawn(argv, in.read, out.write, -1);
  stdin_fd_ = std::exchange(in.write, -1);
  stdout_fd_ = std::exchange(out.read, -1);
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdin_fd_(std::exchange(other.stdin_fd_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      pending_(std::move(other.pending_)),
      status_(std::exchange(other.status_, std::nullopt)) {
  // nop
}

child_process& child_process::operator=(child_process&& other) noexcept {
  if (this != &other) {
    terminate();
    pid_ = std::exchange(other.pid_, -1);
    stdin_fd_ = std::exchange(other.stdin_fd_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    pending_ = std::move(other.pending_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

child_process::~child_process() { terminate(); }

std::optional<std::string> child_process::read_line(std::chrono::milliseconds deadline) {
  using clock = std::chrono::steady_clock;
  auto until = clock::now() + deadline;
  while (true) {
    if (auto nl = pending_.find('\n'); nl != std::string::npos) {
      auto line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (stdout_fd_ < 0) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    int rc = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return std::nullopt;
    char buf[4096];
    auto n = ::read(stdout_fd_, buf, sizeof buf);
    if (n > 0) {
      pending_.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      close_fd(stdout_fd_);  // EOF: the child closed stdout or exited
    }
  }
}

std::optional<int> child_process::try_wait() {
  if (status_) return status_;
  if (pid_ < 0) return std::nullopt;
  int raw = 0;
  if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
    status_ = decode_status(raw);
    pid_ = -1;
  }
  return status_;
}

std::optional<int> child_process::wait_for_exit(std::chrono::milliseconds deadline) {
  if (auto st = try_wait(); st || pid_ < 0) return st;
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd < 0) return try_wait();  // old kernel: no bounded wait available
  pollfd pfd{pidfd, POLLIN, 0};
  while (::poll(&pfd, 1, static_cast<int>(deadline.count())) < 0 && errno == EINTR) {
    // retry (the full deadline again; EINTR is rare in tests)
  }
  ::close(pidfd);
  return try_wait();
}

void child_process::terminate() noexcept {
  close_fd(stdin_fd_);  // EOF on stdin asks the interop scripts to exit
  if (pid_ > 0 && !try_wait()) {
    ::kill(pid_, SIGTERM);
    wait_for_exit(std::chrono::seconds(1));
    if (!try_wait()) {
      ::kill(pid_, SIGKILL);
      int raw = 0;
      while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
        // retry
      }
    }
  }
  pid_ = -1;
  close_fd(stdout_fd_);
}

}  // namespace wsnova::test::detail
