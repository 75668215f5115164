#include <wsnova/tests/proxy/fault_proxy.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace wsnova::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

enum class mode_kind : int { pass, delay, throttle, blackhole };

constexpr std::size_t chunk_size = 16 * 1024;

/// Closes a socket with a reset (SO_LINGER 0): the peer reads ECONNRESET.
void reset_socket(tcp::socket& socket) {
  error_code ignored;
  if (!socket.is_open()) return;
  socket.set_option(tcp::socket::linger{true, 0}, ignored);
  socket.close(ignored);
}

/// Closes a socket with a FIN.
void close_socket(tcp::socket& socket) {
  error_code ignored;
  if (!socket.is_open()) return;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace

struct proxied_link;

struct fault_proxy::impl {
  explicit impl(std::uint16_t target) : target_port(target) {}

  // -- I/O thread only ------------------------------------------------------------------

  void open_listener() {
    tcp::endpoint endpoint{asio::ip::address_v4::loopback(), listen_port};
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    listen_port = acceptor.local_endpoint().port();
    accept_next();
  }

  void accept_next();
  void on_accept(tcp::socket socket);
  void remove(const std::shared_ptr<proxied_link>& l);
  /// Continues every pipe held by a blackhole (after a mode change); waits for it.
  void resume_all();

  void count_active(int delta) {
    std::lock_guard guard{mutex};
    if (delta > 0)
      ++active;
    else
      --active;
    changed.notify_all();
  }

  /// Runs `fn` on the I/O thread and waits for it.
  template <class F>
  void run_on_io(F fn) {
    std::promise<void> done;
    auto result = done.get_future();
    asio::post(io, [&] {
      fn();
      done.set_value();
    });
    result.wait();
  }

  template <class Pred>
  bool wait_until(Pred pred, std::chrono::milliseconds deadline) {
    std::unique_lock guard{mutex};
    return changed.wait_for(guard, deadline, pred);
  }

  // -- member variables (io first: destroyed last) --------------------------------------

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  tcp::acceptor acceptor{io};
  std::uint16_t listen_port = 0;
  std::atomic<std::uint16_t> target_port;
  /// Current mode, read by every pipe before each chunk.
  std::atomic<mode_kind> mode{mode_kind::pass};
  std::atomic<std::int64_t> delay_ms{0};
  std::atomic<std::size_t> bytes_per_second{0};
  std::atomic<std::uint64_t> forwarded{0};
  /// I/O thread only.
  bool refusing = false;
  refuse_mode refusing_how = refuse_mode::reset;
  std::set<std::shared_ptr<proxied_link>> links;
  /// Counters, under `mutex`.
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::size_t accepted = 0;
  std::size_t active = 0;
  std::thread thread;
};

/// One proxied connection: the client's socket, the target's socket, and a pipe per
/// direction (read a chunk, apply the mode, write it, read the next).
struct proxied_link : std::enable_shared_from_this<proxied_link> {
  struct pipe {
    tcp::socket* from;
    tcp::socket* to;
    std::array<char, chunk_size> buffer{};
    asio::steady_timer timer;
    bool done = false;    // EOF read and propagated
    bool parked = false;  // held by blackhole()
    std::size_t parked_bytes = 0;
  };

  proxied_link(fault_proxy::impl& owner, tcp::socket client_socket)
      : proxy(owner),
        client(std::move(client_socket)),
        server(owner.io),
        up{&client, &server, {}, asio::steady_timer{owner.io}},
        down{&server, &client, {}, asio::steady_timer{owner.io}} {}

  void start() {
    tcp::endpoint target{asio::ip::address_v4::loopback(), proxy.target_port.load()};
    server.async_connect(target, [self = shared_from_this()](error_code ec) {
      if (self->closed) return;
      if (ec) return self->end(true);
      error_code ignored;
      self->client.set_option(tcp::no_delay{true}, ignored);
      self->server.set_option(tcp::no_delay{true}, ignored);
      self->connected = true;
      self->proxy.count_active(+1);
      self->read(self->up);
      self->read(self->down);
    });
  }

  void read(pipe& p) {
    if (proxy.mode.load() == mode_kind::blackhole) return park(p, 0);
    std::size_t limit = chunk_size;
    if (proxy.mode.load() == mode_kind::throttle)
      limit = std::clamp<std::size_t>(proxy.bytes_per_second.load() / 20, 1, chunk_size);
    p.from->async_read_some(asio::buffer(p.buffer.data(), limit),
                            [self = shared_from_this(), &p](error_code ec, std::size_t n) {
                              if (self->closed) return;
                              if (ec) return self->on_read_error(p, ec);
                              self->forward(p, n);
                            });
  }

  void forward(pipe& p, std::size_t n) {
    switch (proxy.mode.load()) {
      case mode_kind::blackhole:
        return park(p, n);
      case mode_kind::delay:
        p.timer.expires_after(std::chrono::milliseconds{proxy.delay_ms.load()});
        p.timer.async_wait([self = shared_from_this(), &p, n](error_code ec) {
          if (self->closed || ec) return;
          if (self->proxy.mode.load() == mode_kind::blackhole) return self->park(p, n);
          self->write(p, n);
        });
        return;
      case mode_kind::pass:
      case mode_kind::throttle:
        return write(p, n);
    }
  }

  /// Holds the pipe (and `n` bytes already read) until the mode changes: a partition.
  void park(pipe& p, std::size_t n) {
    p.parked = true;
    p.parked_bytes = n;
  }

  /// Continues a parked pipe: writes what it held, or reads again.
  void resume() {
    for (auto* p : {&up, &down}) {
      if (closed || !p->parked) continue;
      p->parked = false;
      if (p->parked_bytes > 0)
        write(*p, p->parked_bytes);
      else
        read(*p);
    }
  }

  void write(pipe& p, std::size_t n) {
    proxy.forwarded += n;  // counted before the peer can see it
    asio::async_write(*p.to, asio::buffer(p.buffer.data(), n),
                      [self = shared_from_this(), &p](error_code ec, std::size_t written) {
                        if (self->closed) return;
                        if (ec) return self->end(true);
                        auto rate = self->proxy.bytes_per_second.load();
                        if (self->proxy.mode.load() == mode_kind::throttle && rate > 0) {
                          p.timer.expires_after(std::chrono::microseconds{
                              static_cast<std::int64_t>(written * 1'000'000 / rate)});
                          p.timer.async_wait([self, &p](error_code ec2) {
                            if (self->closed || ec2) return;
                            self->read(p);
                          });
                          return;
                        }
                        self->read(p);
                      });
  }

  void on_read_error(pipe& p, error_code ec) {
    if (ec == asio::error::eof) {
      // Propagate the half-close; the proxied_link ends when both directions are done.
      error_code ignored;
      p.to->shutdown(tcp::socket::shutdown_send, ignored);
      p.done = true;
      if (up.done && down.done) end(false);
      return;
    }
    end(true);  // reset, or another failure: reset the other side too
  }

  /// Closes both sides (reset or FIN) once, and forgets the proxied_link.
  void end(bool reset) {
    if (closed) return;
    closed = true;
    up.timer.cancel();
    down.timer.cancel();
    if (reset) {
      reset_socket(client);
      reset_socket(server);
    } else {
      close_socket(client);
      close_socket(server);
    }
    if (connected) proxy.count_active(-1);
    proxy.remove(shared_from_this());
  }

  fault_proxy::impl& proxy;
  tcp::socket client;
  tcp::socket server;
  pipe up;    // client -> server
  pipe down;  // server -> client
  bool connected = false;
  bool closed = false;
};

void fault_proxy::impl::accept_next() {
  acceptor.async_accept(io, [this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors or similar: try again shortly instead of giving up.
      auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds{10});
      timer->async_wait([this, timer](error_code) {
        if (acceptor.is_open()) accept_next();
      });
      return;
    }
    on_accept(std::move(socket));
    accept_next();
  });
}

void fault_proxy::impl::on_accept(tcp::socket socket) {
  {
    std::lock_guard guard{mutex};
    ++accepted;
    changed.notify_all();
  }
  if (refusing) return reset_socket(socket);
  auto l = std::make_shared<proxied_link>(*this, std::move(socket));
  links.insert(l);
  l->start();
}

void fault_proxy::impl::resume_all() {
  run_on_io([this] {
    auto current = links;
    for (const auto& l : current) l->resume();
  });
}

void fault_proxy::impl::remove(const std::shared_ptr<proxied_link>& l) { links.erase(l); }

// -- fault_proxy --------------------------------------------------------------------------

fault_proxy::fault_proxy(std::uint16_t target_port) : impl_(std::make_shared<impl>(target_port)) {
  impl_->open_listener();  // before the thread: bind errors throw here
  impl_->thread = std::thread{[state = impl_.get()] { state->io.run(); }};
}

fault_proxy::~fault_proxy() {
  impl_->run_on_io([state = impl_.get()] {
    error_code ignored;
    state->acceptor.close(ignored);
    auto links = state->links;  // end() erases from the set
    for (const auto& l : links) l->end(true);
  });
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t fault_proxy::port() const { return impl_->listen_port; }

std::string fault_proxy::url(std::string_view path) const {
  std::string result = "ws://127.0.0.1:" + std::to_string(port());
  if (path.empty() || path.front() != '/') result += '/';
  result += path;
  return result;
}

void fault_proxy::retarget(std::uint16_t target_port) { impl_->target_port = target_port; }

void fault_proxy::pass() {
  impl_->mode = mode_kind::pass;
  impl_->resume_all();
}

void fault_proxy::delay(std::chrono::milliseconds by) {
  impl_->delay_ms = by.count();
  impl_->mode = mode_kind::delay;
  impl_->resume_all();
}

void fault_proxy::throttle(std::size_t bytes_per_second) {
  impl_->bytes_per_second = std::max<std::size_t>(bytes_per_second, 1);
  impl_->mode = mode_kind::throttle;
  impl_->resume_all();
}

void fault_proxy::blackhole() { impl_->mode = mode_kind::blackhole; }

void fault_proxy::drop_all() {
  impl_->run_on_io([state = impl_.get()] {
    auto links = state->links;
    for (const auto& l : links) l->end(true);
  });
}

void fault_proxy::close_all() {
  impl_->run_on_io([state = impl_.get()] {
    auto links = state->links;
    for (const auto& l : links) l->end(false);
  });
}

void fault_proxy::refuse(bool on, refuse_mode mode) {
  impl_->run_on_io([state = impl_.get(), on, mode] {
    const bool listener_closed =
        state->refusing && state->refusing_how == refuse_mode::close_listener;
    state->refusing = on;
    state->refusing_how = mode;
    error_code ignored;
    if (on && mode == refuse_mode::close_listener && !listener_closed) {
      state->acceptor.close(ignored);
    } else if ((!on || mode == refuse_mode::reset) && listener_closed) {
      state->open_listener();  // same port, SO_REUSEADDR
    }
  });
}

std::size_t fault_proxy::connections_accepted() const {
  std::lock_guard guard{impl_->mutex};
  return impl_->accepted;
}

std::size_t fault_proxy::active_connections() const {
  std::lock_guard guard{impl_->mutex};
  return impl_->active;
}

std::uint64_t fault_proxy::bytes_forwarded() const { return impl_->forwarded.load(); }

bool fault_proxy::wait_for_connections(std::size_t n, std::chrono::milliseconds deadline) {
  return impl_->wait_until([&] { return impl_->active == n; }, deadline);
}

bool fault_proxy::wait_for_accepted(std::size_t n, std::chrono::milliseconds deadline) {
  return impl_->wait_until([&] { return impl_->accepted >= n; }, deadline);
}

}  // namespace wsnova::test
