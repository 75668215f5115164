#pragma once

// The dynamic buffer a WebSocket message is read into: the std::string it is delivered in.
// Internal.

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

#include <boost/asio/buffer.hpp>

namespace wsnova::detail {

/// A DynamicBuffer (Asio's v1 requirements, as Beast's `websocket::stream::async_read` takes
/// it) over a `std::string`. Made `quiet`, it admits a single byte until its first `prepare`.
///
/// Why: Beast's read of a message prepares its buffer before it waits for the frame header,
/// at its TCP frame size (1,536 bytes) when nothing limits it, and holds those bytes for as
/// long as the connection stays quiet. Offered one byte, Beast prepares one byte (inside the
/// string's own storage, no allocation); once the header is there it asks for the rest of
/// the payload, so the string is allocated once, at the message's size, and moved up without
/// a copy. The price is a turn or two more of Beast's read loop for that message (Beast
/// fills its own 1,536-byte buffer when the one offered is smaller, then copies from it),
/// nothing for a connection that waited, too much for a busy one: a busy connection reads
/// large messages into a string reserved at the last one's size, without the single byte,
/// and small ones elsewhere (session_impl::do_read).
class message_buffer {
 public:
  using const_buffers_type = boost::asio::const_buffer;
  using mutable_buffers_type = boost::asio::mutable_buffer;

  /// Reads into `payload`, which must be empty and outlive the read; `quiet`: one byte
  /// until the first `prepare`.
  message_buffer(std::string& payload, bool quiet) noexcept
      : payload_(&payload), started_(!quiet) {}

  std::size_t size() const noexcept { return size_; }

  /// One byte until the first `prepare` when quiet, else what a string can hold (Beast's
  /// `read_message_max` is the real limit: it fails an oversized message on its header).
  std::size_t max_size() const noexcept { return started_ ? payload_->max_size() : 1; }

  std::size_t capacity() const noexcept { return payload_->capacity(); }

  const_buffers_type data() const noexcept { return {payload_->data(), size_}; }

  mutable_buffers_type prepare(std::size_t n) {
    if (n > max_size() - size_) throw std::length_error{"message_buffer overflow"};
    started_ = true;
    // resize zeroes the bytes it adds (C++20 cannot grow a string without writing them), so
    // the string keeps its size past `size_` between turns of Beast's read loop: a message
    // read in several pieces has each byte zeroed once, not once per piece.
    if (size_ + n > payload_->size()) payload_->resize(size_ + n);
    return {payload_->data() + size_, n};
  }

  void commit(std::size_t n) { size_ += std::min(n, payload_->size() - size_); }

  void consume(std::size_t n) {
    n = std::min(n, size_);
    payload_->erase(0, n);
    size_ -= n;
  }

  /// Cuts the string to the bytes committed: call once the read is done.
  void finish() { payload_->resize(size_); }

 private:
  std::string* payload_;
  std::size_t size_ = 0;
  bool started_ = false;
};

}  // namespace wsnova::detail
