#include <wsnova/transport/io_pool.hpp>

namespace wsnova {

io_pool::io_pool(std::size_t threads) {
  threads = std::max<std::size_t>(threads, 1);
  for (std::size_t i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.push_back(boost::asio::make_work_guard(*contexts_.back()));
  }
  for (const auto& context : contexts_) threads_.emplace_back([&ctx = *context] { ctx.run(); });
}

io_pool::~io_pool() {
  guards_.clear();
  for (auto& context : contexts_) context->stop();
  threads_.clear();  // joins
}

boost::asio::io_context& io_pool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

}  // namespace wsnova
