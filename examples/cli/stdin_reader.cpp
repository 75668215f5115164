#include "stdin_reader.hpp"

#include <cerrno>
#include <csignal>
#include <system_error>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace wsnova::cli {

namespace {

/// Byte written into the self-pipe by `stop()`.
constexpr char stop_byte = 's';
/// Byte written into the self-pipe by the SIGINT handler.
constexpr char interrupt_byte = 'i';

/// The write end of the current reader's self-pipe, for the signal handler.
volatile std::sig_atomic_t signal_pipe = -1;

extern "C" void on_sigint(int) {
  // Only async-signal-safe calls here: write() and signal(). Restoring the default makes a
  // second Ctrl-C kill the process even if the close handshake hangs.
  std::signal(SIGINT, SIG_DFL);
  if (signal_pipe >= 0) {
    auto saved = errno;
    [[maybe_unused]] auto n = ::write(signal_pipe, &interrupt_byte, 1);
    errno = saved;
  }
}

}  // namespace

stdin_reader::stdin_reader(line_handler on_line, end_handler on_end)
  : on_line_(std::move(on_line)), on_end_(std::move(on_end)) {
  if (::pipe2(wake_, O_CLOEXEC) != 0)
    throw std::system_error{errno, std::generic_category(), "pipe2"};
  signal_pipe = wake_[1];
  std::signal(SIGINT, on_sigint);
  thread_ = std::thread{[this] { run(); }};
}

stdin_reader::~stdin_reader() {
  stop();
  std::signal(SIGINT, SIG_DFL);
  signal_pipe = -1;
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void stdin_reader::stop() {
  if (!thread_.joinable()) return;
  [[maybe_unused]] auto n = ::write(wake_[1], &stop_byte, 1);
  thread_.join();
}

void stdin_reader::run() {
  std::string pending;
  char buffer[64 * 1024];
  auto deliver_lines = [&] {
    std::string::size_type start = 0;
    for (auto nl = pending.find('\n'); nl != std::string::npos;
         nl = pending.find('\n', start)) {
      auto line = pending.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      start = nl + 1;
      on_line_(std::move(line));
    }
    pending.erase(0, start);
  };
  auto finish = [&](end_reason why) {
    if (!pending.empty()) {
      if (pending.back() == '\r') pending.pop_back();
      on_line_(std::move(pending));
    }
    on_end_(why);
  };

  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return finish(end_reason::eof);
    }
    if (fds[1].revents & POLLIN) {
      char byte = 0;
      [[maybe_unused]] auto n = ::read(wake_[0], &byte, 1);
      if (byte == interrupt_byte) return finish(end_reason::interrupted);
      return;  // stop(): the owner is tearing down, nobody wants on_end any more.
    }
    // POLLHUP without POLLIN is a closed pipe or terminal: read() then returns 0 as well.
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
      auto n = ::read(STDIN_FILENO, buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return finish(end_reason::eof);
      pending.append(buffer, static_cast<std::size_t>(n));
      deliver_lines();
    }
  }
}

}  // namespace wsnova::cli
