#include "stdin_reader.hpp"

#include <algorithm>
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
/// Byte written into the self-pipe by the signal handler.
constexpr char interrupt_byte = 'i';

/// The write end of the current reader's self-pipe, for the signal handler.
volatile std::sig_atomic_t signal_pipe = -1;

extern "C" void on_signal(int number) {
  // Only async-signal-safe calls here: write() and signal(). Restoring the default makes a
  // second Ctrl-C (or SIGTERM) kill the process even if the close handshake hangs.
  std::signal(number, SIG_DFL);
  if (signal_pipe >= 0) {
    auto saved = errno;
    [[maybe_unused]] auto n = ::write(signal_pipe, &interrupt_byte, 1);
    errno = saved;
  }
}

/// Returns the number of lines in `pending` from `start` on: complete ones, plus one for a
/// partial last line.
std::size_t count_lines(const std::string& pending, std::string::size_type start) {
  if (start >= pending.size()) return 0;
  auto complete = static_cast<std::size_t>(
      std::count(pending.begin() + static_cast<std::ptrdiff_t>(start), pending.end(), '\n'));
  return complete + (pending.back() == '\n' ? 0 : 1);
}

}  // namespace

stdin_reader::stdin_reader(line_handler on_line, end_handler on_end, std::size_t max_line)
    : on_line_(std::move(on_line)), on_end_(std::move(on_end)), max_line_(max_line) {
  if (::pipe2(wake_, O_CLOEXEC) != 0)
    throw std::system_error{errno, std::generic_category(), "pipe2"};
  signal_pipe = wake_[1];
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  thread_ = std::thread{[this] { run(); }};
}

stdin_reader::~stdin_reader() {
  stop();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  signal_pipe = -1;
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void stdin_reader::stop() {
  if (!thread_.joinable()) return;
  [[maybe_unused]] auto n = ::write(wake_[1], &stop_byte, 1);
  thread_.join();
}

void stdin_reader::take_wake_byte() {
  char byte = 0;
  [[maybe_unused]] auto n = ::read(wake_[0], &byte, 1);
  if (byte == interrupt_byte)
    interrupted_ = true;
  else
    stopped_ = true;
}

bool stdin_reader::wait(std::chrono::milliseconds duration) {
  pollfd fd{wake_[0], POLLIN, 0};
  if (::poll(&fd, 1, static_cast<int>(duration.count())) > 0 && (fd.revents & POLLIN))
    take_wake_byte();
  return !interrupted_ && !stopped_;
}

bool stdin_reader::interrupted_after_eof() {
  wait(std::chrono::milliseconds{0});
  return interrupted_;
}

void stdin_reader::run() {
  std::string pending;
  char buffer[64 * 1024];
  auto end = [&](end_reason why, std::size_t unhandled) {
    if (!stopped_) on_end_(interrupted_ ? end_reason::interrupted : why, unhandled);
  };
  // Hands each complete line to the handler; false when the handler refused one (the
  // lines after it stay in `pending`, counted by `end`).
  auto deliver_lines = [&] {
    std::string::size_type start = 0;
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
      auto line = pending.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      start = nl + 1;
      if (!on_line_(std::move(line))) {
        pending.erase(0, start);
        return false;
      }
    }
    pending.erase(0, start);
    return true;
  };

  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return end(end_reason::eof, count_lines(pending, 0));
    }
    if (fds[1].revents & POLLIN) {
      take_wake_byte();
      return end(end_reason::interrupted, count_lines(pending, 0));
    }
    // POLLHUP without POLLIN is a closed pipe or terminal: read() then returns 0 as well.
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
      auto n = ::read(STDIN_FILENO, buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        if (!pending.empty()) {
          if (pending.back() == '\r') pending.pop_back();
          if (!on_line_(std::move(pending))) return end(end_reason::refused, 0);
        }
        return end(end_reason::eof, 0);
      }
      pending.append(buffer, static_cast<std::size_t>(n));
      if (!deliver_lines()) return end(end_reason::refused, count_lines(pending, 0));
      if (pending.size() > max_line_) return end(end_reason::line_too_long, 1);
    }
  }
}

}  // namespace wsnova::cli
