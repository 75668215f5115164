// beast-bench: the baseline. A plain Boost.Beast asynchronous WebSocket client on one thread:
// TCP_NODELAY, no compression unless --deflate, one async_write per frame, a payload buffer
// reused for every send. Same command line and JSON as wsnova-bench (see bench/README in
// docs/benchmarks.md).
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "beast_names.hpp"
#include "common.hpp"

namespace {

namespace json = boost::json;
using namespace wsnova::bench;

constexpr const char* client_name = "beast";

/// Shared by every connection of a run; touched only on the io thread except the atomics.
struct run_state {
  run_state(const options& o, asio::io_context& io, ssl::context* t) : opts(o), ioc(io), tls(t) {}

  const options& opts;
  asio::io_context& ioc;
  ssl::context* tls = nullptr;
  std::string payload;
  /// Echoes received (throughput), written only by the io thread.
  std::atomic<std::uint64_t> echoes{0};
  /// throughput: keep sending.
  bool sending = true;
  /// Set once when a connection fails; the main thread reports it.
  std::mutex mtx;
  std::condition_variable cv;
  std::string error;
  std::size_t opened = 0;
  bool done = false;

  void fail(const std::string& what) {
    std::lock_guard lock{mtx};
    if (error.empty()) error = what;
    cv.notify_all();
  }
  void notify_opened() {
    std::lock_guard lock{mtx};
    ++opened;
    cv.notify_all();
  }
  void notify_done() {
    std::lock_guard lock{mtx};
    done = true;
    cv.notify_all();
  }
};

template <bool Secure>
class connection : public std::enable_shared_from_this<connection<Secure>> {
 public:
  /// Beast's tcp_stream with the io_context's own executor type, not the type-erased
  /// any_io_executor of `beast::tcp_stream`: Beast's `Executor` parameter, which wsnova sets
  /// the same way (docs/benchmarks.md).
  using tcp_stream_type =
      beast::basic_stream<tcp, asio::io_context::executor_type, beast::unlimited_rate_policy>;
  using next_layer =
      std::conditional_t<Secure, beast::ssl_stream<tcp_stream_type>, tcp_stream_type>;
  using stream_type = websocket::stream<next_layer>;

  explicit connection(run_state& rs) : rs_(rs), resolver_(rs.ioc), ws_(make_stream(rs)) {}

  /// Resolve, connect, TLS, upgrade; then `on_open`.
  void open(std::function<void(error_code)> on_open) {
    on_open_ = std::move(on_open);
    resolver_.async_resolve(
        rs_.opts.host, rs_.opts.port,
        [self = this->shared_from_this()](error_code ec, tcp::resolver::results_type r) {
          if (ec) return self->on_open_(ec);
          self->connect(r);
        });
  }

  /// Throughput: keep `window` messages in flight.
  void start_window() {
    pending_writes_ = rs_.opts.window;
    write_next();
    read_echo();
  }

  /// Latency: one round trip at a time; each sample appended to `samples`.
  void start_pingpong(std::size_t warmup, std::size_t count, std::vector<double>& samples) {
    warmup_ = warmup;
    count_ = count;
    samples_ = &samples;
    samples.reserve(count);
    sent_at_ = clock_type::now();
    pending_writes_ = 1;
    write_next();
    read_pingpong();
  }

  /// Idle: keep a read pending, nothing else.
  void hold() {
    ws_.async_read(rbuf_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec && ec != asio::error::operation_aborted) self->rs_.fail("idle read: " + ec.message());
    });
  }

  /// Close 1000 and call `done` once the close handshake and TCP teardown are complete.
  void close(std::function<void(error_code)> done) {
    ws_.async_close(
        websocket::close_code::normal,
        [self = this->shared_from_this(), done = std::move(done)](error_code ec) { done(ec); });
  }

 private:
  static stream_type make_stream(run_state& rs) {
    if constexpr (Secure)
      return stream_type{rs.ioc, *rs.tls};
    else
      return stream_type{rs.ioc};
  }

  void connect(const tcp::resolver::results_type& results) {
    beast::get_lowest_layer(ws_).async_connect(
        results, [self = this->shared_from_this()](error_code ec, const tcp::endpoint&) {
          if (ec) return self->on_open_(ec);
          beast::get_lowest_layer(self->ws_).socket().set_option(tcp::no_delay{true});
          if constexpr (Secure) {
            self->ws_.next_layer().async_handshake(ssl::stream_base::client, [self](error_code ec) {
              if (ec) return self->on_open_(ec);
              self->upgrade();
            });
          } else {
            self->upgrade();
          }
        });
  }

  void upgrade() {
    websocket::permessage_deflate pmd;
    pmd.client_enable = rs_.opts.deflate;
    ws_.set_option(pmd);
    ws_.auto_fragment(false);
    // A client masks each frame into its write buffer; Beast's default of 4 KiB cuts a
    // 16 KiB message into four socket writes. 64 KiB masks (and sends) it in one pass.
    ws_.write_buffer_bytes(std::size_t{64} * 1024);
    ws_.binary(!rs_.opts.text);
    ws_.async_handshake(rs_.opts.host + ":" + rs_.opts.port, rs_.opts.target,
                        [self = this->shared_from_this()](error_code ec) { self->on_open_(ec); });
  }

  void write_next() {
    if (writing_ || pending_writes_ == 0) return;
    --pending_writes_;
    writing_ = true;
    ws_.async_write(asio::buffer(rs_.payload),
                    [self = this->shared_from_this()](error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return self->rs_.fail("write: " + ec.message());
                      self->write_next();
                    });
  }

  void read_echo() {
    ws_.async_read(rbuf_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec) {
        if (ec != asio::error::operation_aborted) self->rs_.fail("read: " + ec.message());
        return;
      }
      self->rbuf_.consume(self->rbuf_.size());
      self->rs_.echoes.store(self->rs_.echoes.load(std::memory_order_relaxed) + 1,
                             std::memory_order_relaxed);
      if (self->rs_.sending) {
        ++self->pending_writes_;
        self->write_next();
      }
      self->read_echo();
    });
  }

  void read_pingpong() {
    ws_.async_read(rbuf_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      auto now = clock_type::now();
      if (ec) return self->rs_.fail("read: " + ec.message());
      self->rbuf_.consume(self->rbuf_.size());
      if (self->warmup_ > 0)
        --self->warmup_;
      else
        self->samples_->push_back(
            std::chrono::duration<double, std::micro>(now - self->sent_at_).count());
      if (self->samples_->size() == self->count_) return self->rs_.notify_done();
      self->sent_at_ = clock_type::now();
      self->pending_writes_ = 1;
      self->write_next();
      self->read_pingpong();
    });
  }

  run_state& rs_;
  tcp::resolver resolver_;
  stream_type ws_;
  beast::flat_buffer rbuf_;
  std::function<void(error_code)> on_open_;
  std::size_t pending_writes_ = 0;
  bool writing_ = false;
  std::size_t warmup_ = 0;
  std::size_t count_ = 0;
  std::vector<double>* samples_ = nullptr;
  clock_type::time_point sent_at_;
};

/// Waits until `pred` holds or an error is reported; returns the error (empty if none).
template <class Pred>
std::string wait_for(run_state& rs, Pred pred, std::chrono::seconds deadline) {
  std::unique_lock lock{rs.mtx};
  if (!rs.cv.wait_for(lock, deadline, [&] { return !rs.error.empty() || pred(); }))
    return "timed out";
  return rs.error;
}

template <bool Secure>
int run(const options& o) {
  using conn = connection<Secure>;
  asio::io_context ioc{1};
  auto guard = asio::make_work_guard(ioc);
  std::optional<ssl::context> tls;
  if constexpr (Secure) {
    tls.emplace(ssl::context::tls_client);
    tls->set_verify_mode(ssl::verify_none);  // the bench server's certificate is self-signed
  }
  run_state rs(o, ioc, tls ? &*tls : nullptr);
  rs.payload.assign(o.size, 'x');
  std::thread io_thread{[&] { ioc.run(); }};
  json::object out;
  describe(out, client_name, o);
  auto finish = [&](int rc) {
    ioc.stop();
    io_thread.join();
    std::_Exit(rc);  // skip tearing down thousands of streams
    return rc;
  };
  auto on_open = [&rs](error_code ec) {
    if (ec) return rs.fail("open: " + ec.message());
    rs.notify_opened();
  };

  if (o.mode == "throughput") {
    std::vector<std::shared_ptr<conn>> conns;
    for (std::size_t i = 0; i < o.conns; ++i) conns.push_back(std::make_shared<conn>(rs));
    asio::post(ioc, [&] {
      for (auto& c : conns) c->open(on_open);
    });
    if (auto err = wait_for(
            rs, [&] { return rs.opened == o.conns; }, std::chrono::seconds(60));
        !err.empty())
      return fail(client_name, o.mode, err), finish(1);
    asio::post(ioc, [&] {
      for (auto& c : conns) c->start_window();
    });
    std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
    auto m0 = rs.echoes.load();
    auto c0 = cpu_seconds();
    auto t0 = clock_type::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
    auto m1 = rs.echoes.load();
    auto c1 = cpu_seconds();
    auto t1 = clock_type::now();
    {
      std::lock_guard lock{rs.mtx};
      if (!rs.error.empty()) return fail(client_name, o.mode, rs.error), finish(1);
    }
    throughput_result(out, m1 - m0, o.size, seconds_between(t0, t1), c1 - c0);
  } else if (o.mode == "latency") {
    auto c = std::make_shared<conn>(rs);
    std::vector<double> samples;
    asio::post(ioc, [&] { c->open(on_open); });
    if (auto err = wait_for(
            rs, [&] { return rs.opened == 1; }, std::chrono::seconds(60));
        !err.empty())
      return fail(client_name, o.mode, err), finish(1);
    asio::post(ioc, [&] { c->start_pingpong(1000, o.count, samples); });
    if (auto err = wait_for(
            rs, [&] { return rs.done; }, std::chrono::seconds(600));
        !err.empty())
      return fail(client_name, o.mode, err), finish(1);
    latency_result(out, std::move(samples));
  } else if (o.mode == "idle") {
    auto rss_before = rss_kb();
    std::vector<std::shared_ptr<conn>> conns;
    conns.reserve(o.conns);
    std::size_t started = 0;
    clock_type::time_point first, last;
    // Keeps at most `window` handshakes in flight; runs on the io thread.
    std::function<void()> launch;
    launch = [&] {
      // `opened` is written on this thread only, so reading it here needs no lock.
      while (started < o.conns && started - rs.opened < o.window) {
        auto c = std::make_shared<conn>(rs);
        conns.push_back(c);
        ++started;
        c->open([&, c](error_code ec) {
          if (ec) return rs.fail("open: " + ec.message());
          c->hold();
          if (rs.opened + 1 == o.conns) last = clock_type::now();  // before waking main
          rs.notify_opened();
          launch();
        });
      }
    };
    first = clock_type::now();
    asio::post(ioc, launch);
    if (auto err = wait_for(
            rs, [&] { return rs.opened == o.conns; }, std::chrono::seconds(600));
        !err.empty())
      return fail(client_name, o.mode, err), finish(1);
    auto held = hold_idle(o.seconds);
    {
      std::lock_guard lock{rs.mtx};
      if (!rs.error.empty()) return fail(client_name, o.mode, rs.error), finish(1);
    }
    idle_result(out, o.conns, rss_before, held, o.seconds, seconds_between(first, last));
  } else {  // connect
    std::size_t done = 0;
    std::function<void()> next;
    next = [&] {
      if (done == o.count) return rs.notify_done();
      auto c = std::make_shared<conn>(rs);
      c->open([&, c](error_code ec) {
        if (ec) return rs.fail("open: " + ec.message());
        c->close([&, c](error_code ec) {
          if (ec) return rs.fail("close: " + ec.message());
          ++done;
          next();
        });
      });
    };
    auto t0 = clock_type::now();
    asio::post(ioc, next);
    if (auto err = wait_for(
            rs, [&] { return rs.done; }, std::chrono::seconds(600));
        !err.empty())
      return fail(client_name, o.mode, err), finish(1);
    connect_result(out, o.count, seconds_between(t0, clock_type::now()));
  }
  emit(out);
  return finish(0);
}

}  // namespace

int main(int argc, char** argv) {
  return client_main(client_name, argc, argv, false,
                     [](const options& o) { return o.secure ? run<true>(o) : run<false>(o); });
}
