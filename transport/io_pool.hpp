#pragma once

/// @file
/// The I/O threads that drive transport sessions.

#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace wsnova {

/// A fixed set of single-threaded `io_context`s, each run by its own thread. Every session
/// is pinned to one context, so its handlers never run concurrently and need no strand.
///
/// Thread safety: `next()` may be called from any thread. Lifetime: destroy the pool after
/// every connection using it has closed; the destructor stops the contexts and joins.
class io_pool {
 public:
  /// Starts `threads` I/O threads (at least one).
  explicit io_pool(std::size_t threads = 1);
  ~io_pool();

  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  /// Returns the next context, round robin.
  boost::asio::io_context& next();

  /// Returns the number of I/O threads.
  std::size_t size() const { return contexts_.size(); }

 private:
  using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<work_guard> guards_;
  std::vector<std::jthread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace wsnova
