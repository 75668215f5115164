#include <wsnova/actors/detail/outbound_queue.hpp>

#include <iterator>
#include <string>
#include <utility>

#include <wsnova/core/error.hpp>

namespace wsnova::detail {

caf::error outbound_queue::buffer(ws_message&& message) {
  auto size = message.payload.size();
  if (buffer_.size() >= limits_.max_buffered_messages ||
      buffered_bytes_ + size > limits_.max_buffered_bytes)
    return make_error(errc::queue_full, "offline buffer full (" + std::to_string(buffer_.size()) +
                                            " messages, " + std::to_string(buffered_bytes_) +
                                            " bytes)");
  buffered_bytes_ += size;
  buffer_.push_back(std::move(message));
  return {};
}

caf::error outbound_queue::admit(std::size_t queued_messages, std::size_t queued_bytes,
                                 std::size_t bytes) {
  if (paused_) {
    auto low_messages =
        static_cast<std::size_t>(limits_.max_queued_messages * limits_.resume_fraction);
    auto low_bytes = static_cast<std::size_t>(limits_.max_queued_bytes * limits_.resume_fraction);
    if (queued_messages > low_messages || queued_bytes > low_bytes)
      return make_error(errc::queue_full, "send queue above its low watermark");
    paused_ = false;
  }
  // A message that can never fit is no reason to wait: say so, and do not pause.
  if (bytes > limits_.max_queued_bytes)
    return make_error(errc::message_too_big, "message of " + std::to_string(bytes) +
                                                 " bytes is larger than the send queue bound (" +
                                                 std::to_string(limits_.max_queued_bytes) +
                                                 " bytes)");
  if (queued_messages + 1 > limits_.max_queued_messages ||
      queued_bytes + bytes > limits_.max_queued_bytes) {
    paused_ = true;
    return make_error(errc::queue_full, "send queue full (" + std::to_string(queued_messages) +
                                            " messages, " + std::to_string(queued_bytes) +
                                            " bytes)");
  }
  return {};
}

std::vector<ws_message> outbound_queue::take() {
  buffered_bytes_ = 0;
  return std::exchange(buffer_, {});
}

std::vector<ws_message> outbound_queue::give_back(std::vector<ws_message> unsent) {
  if (!buffers_offline() || unsent.empty()) return unsent;
  // Keep the oldest that fit: they were accepted first, so they go out first.
  std::size_t kept = 0;
  std::size_t kept_bytes = 0;
  while (kept < unsent.size() && buffer_.size() + kept < limits_.max_buffered_messages &&
         buffered_bytes_ + kept_bytes + unsent[kept].payload.size() <= limits_.max_buffered_bytes)
    kept_bytes += unsent[kept++].payload.size();
  auto first_rest = unsent.begin() + static_cast<std::ptrdiff_t>(kept);
  buffer_.insert(buffer_.begin(), std::make_move_iterator(unsent.begin()),
                 std::make_move_iterator(first_rest));
  buffered_bytes_ += kept_bytes;
  unsent.erase(unsent.begin(), first_rest);
  return unsent;
}

}  // namespace wsnova::detail
