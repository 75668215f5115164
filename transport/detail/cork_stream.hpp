#pragma once

// A stream layer under websocket::stream that gathers the bytes of several frames and sends
// them with one socket write (docs/benchmarks.md: one send() per frame is what makes plain
// Beast slower than a coalescing client on small messages). Internal.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace wsnova::detail {

/// An execution-context service that, when the context shuts down, drops the handlers its
/// members hold. A handler kept in a member (a write completion parked for back-pressure, a
/// callback waiting for the drain) owns the session that owns the member: if the context is
/// destroyed before the handler runs, nothing else would break that cycle. Asio destroys the
/// handlers in its own queues at shutdown; Beast's websocket service does the same for the
/// operations a stream suspends. This is that, for the cork.
class stranded_handler_service final : public boost::asio::execution_context::service {
 public:
  using key_type = stranded_handler_service;
  static inline boost::asio::execution_context::id id;

  explicit stranded_handler_service(boost::asio::execution_context& context)
      : boost::asio::execution_context::service(context) {}

  /// Drops the handlers `member` holds; may destroy `member`.
  using drop_function = void (*)(void* member);

  /// Registers `member`, whose handlers `drop` drops at shutdown.
  void add(void* member, drop_function drop) {
    std::lock_guard lock{mutex_};
    members_.emplace(member, drop);
  }

  /// Unregisters `member` (it is being destroyed).
  void remove(void* member) {
    std::lock_guard lock{mutex_};
    members_.erase(member);
  }

 private:
  void shutdown() override {
    // One at a time, without the lock: dropping a member's handlers may destroy it or others,
    // which then remove themselves.
    for (;;) {
      std::pair<void*, drop_function> member;
      {
        std::lock_guard lock{mutex_};
        if (members_.empty()) return;
        member = *members_.begin();
        members_.erase(members_.begin());
      }
      member.second(member.first);
    }
  }

  std::mutex mutex_;
  std::unordered_map<void*, drop_function> members_;
};

/// Wraps `NextLayer` (a TCP or TLS stream). Reads pass through. A large write (at least
/// `direct_write_min`) that finds the cork empty and idle goes straight to the next layer and
/// completes when it is written. Any other write copies the bytes into a pending buffer and
/// completes at once (posted, as Asio requires) — unless the pending
/// buffer has reached `flush_threshold` while a write is in flight: then its completion waits
/// until that write is done, so a peer that does not read pushes back on the writer (the
/// session's queue grows and `send` answers `queue_full`) instead of the cork growing
/// without bound. The buffer goes out in one `async_write` when the reader asks the socket
/// for more bytes (it went through everything read so far: the replies produced meanwhile
/// leave together), when nothing was added for two handler rounds (writes not driven by
/// reads), when it exceeds `flush_threshold`, or when `flush()` is called (teardown). At most one
/// write is in flight; a write error is reported by every later write. After `seal` it writes
/// nothing more: later writes (Beast's automatic pong and close replies) complete at once and are
/// discarded, because nothing may follow a Close frame on the wire (RFC 6455 section 5.5.1).
///
/// Lifetime: handlers hold the owner given to `set_owner` (the session), never the stream.
template <class NextLayer>
class cork_stream {
 public:
  using executor_type = typename NextLayer::executor_type;
  using next_layer_type = NextLayer;

  /// Pending bytes that trigger a flush without waiting for the round to end.
  static constexpr std::size_t flush_threshold = std::size_t{64} * 1024;

  /// A write of at least this many bytes that finds nothing pending and nothing in flight
  /// goes straight to the next layer instead of being copied (docs/benchmarks.md: a copy
  /// costs more than the coalescing it allows at this size), and completes when written.
  static constexpr std::size_t direct_write_min = std::size_t{8} * 1024;

  template <class... Args>
  explicit cork_stream(Args&&... args)
      : next_(std::forward<Args>(args)...),
        service_(&boost::asio::use_service<stranded_handler_service>(
            boost::asio::query(next_.get_executor(), boost::asio::execution::context))) {
    service_->add(this, [](void* self) { static_cast<cork_stream*>(self)->drop_handlers(); });
  }

  cork_stream(const cork_stream&) = delete;
  cork_stream& operator=(const cork_stream&) = delete;

  ~cork_stream() { service_->remove(this); }

  /// Sets the object whose lifetime covers this stream; handlers keep it alive.
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  /// Turns coalescing off: every write goes out at once (still one write in flight).
  void set_immediate(bool immediate) { immediate_ = immediate; }

  executor_type get_executor() noexcept { return next_.get_executor(); }
  NextLayer& next_layer() noexcept { return next_; }
  const NextLayer& next_layer() const noexcept { return next_; }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    // The reader consumed every byte it had and waits for the socket: the replies its
    // handlers wrote while going through them leave now, together, not rounds later.
    flush();
    return next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto completion, const ConstBuffers& data) {
          auto ec = error_;
          std::size_t size = 0;
          if (!ec && sealed_) {
            size = boost::asio::buffer_size(data);  // after our Close: dropped
          } else if (!ec) {
            size = boost::asio::buffer_size(data);
            accepted_ += size;
            if (size >= direct_write_min && pending_.empty() && !writing_ && !owner_.expired())
              return write_through(data, std::move(completion));
            // append, not resize + buffer_copy: resize would first zero the bytes it adds.
            pending_.reserve(pending_.size() + size);
            for (auto it = boost::asio::buffer_sequence_begin(data);
                 it != boost::asio::buffer_sequence_end(data); ++it) {
              boost::asio::const_buffer piece{*it};
              pending_.append(static_cast<const char*>(piece.data()), piece.size());
            }
            if (immediate_ || pending_.size() >= flush_threshold)
              flush();
            else if (idle_flush_holds_ == 0)
              schedule_idle_flush();
          }
          auto executor = boost::asio::get_associated_executor(completion, get_executor());
          auto done = boost::beast::bind_front_handler(std::move(completion), ec, size);
          if (!ec && writing_ && pending_.size() >= flush_threshold) {
            // Back-pressure: complete once the write in flight is done. std::function needs
            // a copyable callable; the completion may be move-only.
            auto parked = std::make_shared<decltype(done)>(std::move(done));
            parked_ = [executor, parked] { boost::asio::post(executor, std::move(*parked)); };
            return;
          }
          boost::asio::post(executor, std::move(done));
        },
        handler, buffers);
  }

  /// Appends `bytes` (our Close frame), sends them with what is pending, and seals.
  void write_last(std::string_view bytes) {
    if (sealed_) return;
    sealed_ = true;
    if (error_) return;
    pending_.append(bytes);
    accepted_ += bytes.size();
    flush();
  }

  /// Returns the bytes accepted from writers so far (not counting sealed-off writes).
  std::uint64_t bytes_accepted() const noexcept { return accepted_; }

  /// Returns the bytes the next layer took so far (handed to the kernel, or to TLS).
  std::uint64_t bytes_written() const noexcept { return written_; }

  /// Returns true while a write to the next layer is in flight.
  bool writing() const noexcept { return writing_; }

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
        [this, owner = std::move(owner)](boost::beast::error_code ec, std::size_t written) {
          in_flight_.clear();
          on_written(ec, written);
        });
  }

  /// While held, a write does not schedule the idle flush: the reader holds it while it
  /// handles what it read, and then reads again, which flushes (a message answered in the
  /// handler that received it leaves without a posted check). `release_idle_flush`
  /// schedules it if bytes are still pending (the reader stopped, or had more to handle).
  void hold_idle_flush() noexcept { ++idle_flush_holds_; }

  /// Ends one `hold_idle_flush`.
  void release_idle_flush() {
    if (--idle_flush_holds_ == 0 && !pending_.empty()) schedule_idle_flush();
  }

  /// Frees the memory of the buffers when nothing is pending or in flight: a quiet
  /// connection keeps no copy of its last burst (or of its upgrade request).
  void shrink_to_fit() {
    if (writing_ || !pending_.empty()) return;
    std::string{}.swap(pending_);
    std::string{}.swap(in_flight_);
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

  /// Writes `data` straight to the next layer, no copy: the writer's buffers stay valid until
  /// its `completion` runs, which is once the next layer took every byte.
  template <class ConstBuffers, class Completion>
  void write_through(const ConstBuffers& data, Completion completion) {
    writing_ = true;
    boost::asio::async_write(next_, data,
                             [this, owner = owner_.lock(), completion = std::move(completion)](
                                 boost::beast::error_code ec, std::size_t written) mutable {
                               on_written(ec, written);
                               std::move(completion)(ec, written);
                             });
  }

  /// A write to the next layer is done: counts it, sends what is pending meanwhile (or
  /// fails for good), lets the writers go on.
  void on_written(boost::beast::error_code ec, std::size_t written) {
    writing_ = false;
    written_ += written;
    if (ec) {
      error_ = ec;
      pending_.clear();
    } else {
      flush();
    }
    release_parked();
    if (!writing_) run_drained();
  }

  /// Completes a write held back by `async_write_some` (its bytes are in flight now, or the
  /// stream failed; either way the writer may go on).
  void release_parked() {
    if (!parked_) return;
    auto parked = std::move(parked_);
    parked_ = nullptr;
    parked();
  }

  /// Destroys the handlers held here (at the context's shutdown). Moved out first: their
  /// destruction may destroy this stream.
  void drop_handlers() {
    std::vector<std::function<void()>> drained;
    std::function<void()> parked;
    drained.swap(drained_);
    parked.swap(parked_);
  }

  void run_drained() {
    auto callbacks = std::move(drained_);
    drained_.clear();
    for (const auto& fn : callbacks) fn();
  }

  NextLayer next_;
  stranded_handler_service* service_;
  std::weak_ptr<void> owner_;
  std::vector<std::function<void()>> drained_;
  /// The completion of a write held back for back-pressure (at most one: Beast has one
  /// write in flight at a time).
  std::function<void()> parked_;
  std::string pending_;
  std::string in_flight_;
  boost::beast::error_code error_;
  std::uint64_t accepted_ = 0;
  std::uint64_t written_ = 0;
  std::size_t watched_size_ = 0;
  int quiet_rounds_ = 0;
  int idle_flush_holds_ = 0;
  bool writing_ = false;
  bool idle_flush_posted_ = false;
  bool immediate_ = false;
  bool sealed_ = false;
};

/// Beast's websocket close ends with a teardown of the next layer: pass it through.
template <class NextLayer>
void teardown(boost::beast::role_type role, cork_stream<NextLayer>& stream,
              boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

/// Reads and discards until the peer closes TCP (or fails, e.g. when a close deadline closes
/// the socket), then closes ours: a client lets the server close first (RFC 6455 section
/// 7.1.1), and closing with unread bytes would reset the connection, so the peer might never
/// read our Close. Beast 1.81's own TCP teardown stops after the first read that returns
/// data (it tests a stale byte count), which reset connections whose peer still sent.
template <class Socket, class Handler>
class drain_op {
 public:
  drain_op(Socket& socket, Handler handler)
      : socket_(socket),
        handler_(std::move(handler)),
        buffer_(std::make_unique<std::array<char, 4096>>()) {}

  void operator()(boost::beast::error_code ec = {}, std::size_t = 0) {
    if (!ec) {
      auto buffer = boost::asio::buffer(*buffer_);
      auto& socket = socket_;
      socket.async_read_some(buffer, std::move(*this));
      return;
    }
    // EOF is the expected end; a reset or the close deadline closing the socket ends the
    // wait too. Either way the Close frames were exchanged (or Beast knows why not).
    boost::beast::error_code ignored;
    socket_.shutdown(Socket::shutdown_send, ignored);
    socket_.close(ignored);
    handler_(boost::beast::error_code{});
  }

 private:
  Socket& socket_;
  Handler handler_;
  std::unique_ptr<std::array<char, 4096>> buffer_;
};

/// Beast's websocket close and failure end with this teardown: flush what is corked (our
/// Close), close TLS (close_notify both ways) if any, then drain until the peer's FIN.
template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role, cork_stream<NextLayer>& stream,
                    TeardownHandler&& handler) {
  using handler_type = std::decay_t<TeardownHandler>;
  stream.flush();
  // std::function needs a copyable callable; the handler may be move-only.
  auto shared = std::make_shared<handler_type>(std::forward<TeardownHandler>(handler));
  stream.when_drained([&stream, shared] {
    auto& socket = boost::beast::get_lowest_layer(stream.next_layer()).socket();
    using socket_type = std::decay_t<decltype(socket)>;
    if constexpr (requires { stream.next_layer().socket(); }) {
      drain_op<socket_type, handler_type>{socket, std::move(*shared)}();
    } else {
      // TLS: close_notify both ways (not Beast's TLS teardown: it ends with the TCP
      // teardown above), then the same drain.
      stream.next_layer().async_shutdown([&socket, shared](boost::beast::error_code) {
        drain_op<socket_type, handler_type>{socket, std::move(*shared)}();
      });
    }
  });
}

}  // namespace wsnova::detail
