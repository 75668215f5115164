#pragma once

// Receive-side flow control of a connection (Gun's `flow` option). Internal.

#include <cstdint>
#include <utility>
#include <vector>

#include <wsnova/core/message.hpp>

namespace wsnova::detail {

/// Credit for messages the owner may still receive. While credit lasts a message goes to
/// the owner at once; once it runs out the caller pauses reading the socket, and messages
/// read before the pause took effect are held, to be delivered first, in order, when the
/// owner grants more. A window of 0 is unlimited: every message goes through.
///
/// Not thread-safe: lives inside the connection actor.
class flow_window {
 public:
  /// A window allowing `initial` messages before the owner must grant more; 0 = unlimited.
  explicit flow_window(std::uint32_t initial = 0) noexcept
      : limited_(initial != 0), credit_(initial) {}

  /// True if this window limits anything (`initial` was not 0).
  bool limited() const noexcept { return limited_; }

  /// Messages the owner may still receive (meaningless when unlimited).
  std::uint64_t credit() const noexcept { return credit_; }

  /// Messages held because they were read after the credit ran out.
  std::size_t held() const noexcept { return held_.size(); }

  /// True when reading should be paused: limited and no credit left.
  bool exhausted() const noexcept { return limited_ && credit_ == 0; }

  /// Accounts for `message`, about to go to the owner. Returns true if it may go now
  /// (spending one credit; check `exhausted` afterwards to pause reading); false if it was
  /// moved into the held messages instead.
  bool admit(ws_message& message) {
    if (!limited_) return true;
    if (credit_ == 0) {
      held_.push_back(std::move(message));
      return false;
    }
    --credit_;
    return true;
  }

  /// Adds `n` credits and passes held messages to `deliver` (as `ws_message&&`), oldest
  /// first, while credit lasts. Returns true if credit is left afterwards, so the caller
  /// resumes reading. Does nothing (and returns false) when unlimited.
  template <class Deliver>
  bool grant(std::uint32_t n, Deliver&& deliver) {
    if (!limited_) return false;
    credit_ += n;
    std::size_t released = 0;
    while (credit_ > 0 && released < held_.size()) {
      deliver(std::move(held_[released++]));
      --credit_;
    }
    held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(released));
    return credit_ > 0;
  }

 private:
  bool limited_;
  std::uint64_t credit_;
  /// Messages read after the credit ran out, before reading paused; oldest first.
  std::vector<ws_message> held_;
};

}  // namespace wsnova::detail
