#pragma once

// A first-in first-out queue on one std::vector: no allocation until the first push (a
// std::deque allocates a 512-byte block on construction, ~0.6 kB for every idle connection's
// two session queues), and storage reused once it drains. Internal.

#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

namespace wsnova::detail {

/// The session's queues: push at the back, pop at the front, iterate oldest first.
template <class T>
class fifo {
 public:
  bool empty() const noexcept { return head_ == items_.size(); }
  std::size_t size() const noexcept { return items_.size() - head_; }

  T& front() noexcept { return items_[head_]; }

  void push_back(T item) { items_.push_back(std::move(item)); }

  void pop_front() {
    items_[head_] = T{};  // release the payload now, not at the next compaction
    if (++head_ == items_.size()) {
      clear();
    } else if (head_ >= compact_after && head_ * 2 >= items_.size()) {
      // A queue that never drains: move the live half down instead of growing forever.
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  /// Empties the queue and keeps the storage.
  void clear() noexcept {
    items_.clear();
    head_ = 0;
  }

  auto begin() noexcept { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() noexcept { return items_.end(); }

 private:
  /// Popped slots tolerated before compacting (and only while they are half the vector).
  static constexpr std::size_t compact_after = 64;

  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace wsnova::detail
