#pragma once

// A stream layer under websocket::stream that gathers the bytes of several frames and sends
// them with one socket write (notes/actor-path.md: one send() per frame is what makes plain
// Beast slower than a coalescing client on small messages). Internal.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace wsnova::detail {

/// Wraps `NextLayer` (a TCP or TLS stream). Reads pass through. A write copies the bytes into
/// a pending buffer and completes at once (posted, as Asio requires); the buffer goes out in
/// one `async_write` when nothing was added for two handler rounds (so replies produced while
/// the thread works through a batch of reads leave together), when it exceeds
/// `flush_threshold`, or when `flush()` is called (teardown). At most one write is in flight; a
/// write error is reported by every later write.
///
/// Lifetime: handlers hold the owner given to `set_owner` (the session), never the stream.
template <class NextLayer>
class cork_stream {
 public:
  using executor_type = typename NextLayer::executor_type;
  using next_layer_type = NextLayer;

  /// Pending bytes that trigger a flush without waiting for the round to end.
  static constexpr std::size_t flush_threshold = 64 * 1024;

  template <class... Args>
  explicit cork_stream(Args&&... args) : next_(std::forward<Args>(args)...) {}

  /// Sets the object whose lifetime covers this stream; handlers keep it alive.
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  /// Turns coalescing off: every write goes out at once (still one write in flight).
  void set_immediate(bool immediate) { immediate_ = immediate; }

  executor_type get_executor() noexcept { return next_.get_executor(); }
  NextLayer& next_layer() noexcept { return next_; }
  const NextLayer& next_layer() const noexcept { return next_; }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto completion, const ConstBuffers& data) {
          auto ec = error_;
          std::size_t size = 0;
          if (!ec) {
            size = boost::asio::buffer_size(data);
            auto offset = pending_.size();
            pending_.resize(offset + size);
            boost::asio::buffer_copy(boost::asio::buffer(pending_.data() + offset, size), data);
            if (immediate_ || pending_.size() >= flush_threshold)
              flush();
            else
              schedule_idle_flush();
          }
          auto executor = boost::asio::get_associated_executor(completion, get_executor());
          boost::asio::post(executor,
                            boost::beast::bind_front_handler(std::move(completion), ec, size));
        },
        handler, buffers);
  }

  /// Sends what is pending now (or right after the write in flight).
  void flush() {
    if (writing_ || pending_.empty() || error_) return;
    auto owner = owner_.lock();
    if (!owner) return;
    writing_ = true;
    in_flight_.swap(pending_);
    pending_.clear();
    boost::asio::async_write(
        next_, boost::asio::buffer(in_flight_),
        [this, owner = std::move(owner)](boost::beast::error_code ec, std::size_t) {
          writing_ = false;
          in_flight_.clear();
          if (ec) {
            error_ = ec;
            pending_.clear();
          } else {
            flush();
          }
          if (!writing_) run_drained();
        });
  }

  /// Calls `fn` once nothing is pending or in flight (at once, posted, if that is so now).
  /// A TLS shutdown must wait for this: started beside a write, OpenSSL's close_notify
  /// stays in the engine's buffer (Asio's pending write took the bytes before it), and both
  /// peers then wait for each other's close_notify.
  void when_drained(std::function<void()> fn) {
    drained_.push_back(std::move(fn));
    if (!writing_)
      boost::asio::post(next_.get_executor(), [this, owner = owner_] {
        if (owner.lock() && !writing_) run_drained();
      });
  }

 private:
  /// Flushes once two handler rounds pass without new bytes: a burst of queued frames
  /// keeps adding, a lone frame waits only for the round that completes its write.
  void schedule_idle_flush() {
    if (idle_flush_posted_) return;
    idle_flush_posted_ = true;
    quiet_rounds_ = 0;
    watched_size_ = pending_.size();
    post_idle_check();
  }

  void post_idle_check() {
    boost::asio::post(next_.get_executor(), [this, owner = owner_] {
      auto alive = owner.lock();
      if (!alive) return;
      if (pending_.empty() || error_) {
        idle_flush_posted_ = false;
        return;
      }
      if (pending_.size() != watched_size_) {
        watched_size_ = pending_.size();
        quiet_rounds_ = 0;
      } else if (++quiet_rounds_ >= 2) {
        idle_flush_posted_ = false;
        return flush();
      }
      post_idle_check();
    });
  }

  void run_drained() {
    auto callbacks = std::move(drained_);
    drained_.clear();
    for (auto& fn : callbacks) fn();
  }

  NextLayer next_;
  std::weak_ptr<void> owner_;
  std::vector<std::function<void()>> drained_;
  std::string pending_;
  std::string in_flight_;
  boost::beast::error_code error_;
  std::size_t watched_size_ = 0;
  int quiet_rounds_ = 0;
  bool writing_ = false;
  bool idle_flush_posted_ = false;
  bool immediate_ = false;
};

/// Beast's websocket close ends with a teardown of the next layer: pass it through.
template <class NextLayer>
void teardown(boost::beast::role_type role, cork_stream<NextLayer>& stream,
              boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role, cork_stream<NextLayer>& stream,
                    TeardownHandler&& handler) {
  stream.flush();
  // std::function needs a copyable callable; the handler may be move-only.
  auto shared =
      std::make_shared<std::decay_t<TeardownHandler>>(std::forward<TeardownHandler>(handler));
  stream.when_drained([role, &stream, shared] {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, stream.next_layer(), std::move(*shared));
  });
}

}  // namespace wsnova::detail
