// A session_listener that records every event, and a fixture running one io_context thread,
// for the transport tests (no actor system).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <wsnova/testing/echo_server.hpp>
#include <wsnova/transport/session.hpp>
#include <wsnova/transport/url.hpp>

namespace wsnova::test {

/// Records a session's events; every wait_* blocks until the event or the deadline.
class recording_listener : public session_listener {
 public:
  using duration = std::chrono::milliseconds;

  bool on_open(std::uint64_t, std::string subprotocol, bool) override {
    std::lock_guard guard{mutex_};
    check_not_ended();
    opened_ = true;
    subprotocol_ = std::move(subprotocol);
    cv_.notify_all();
    return true;
  }

  bool on_message(std::uint64_t, ws_message message) override {
    std::lock_guard guard{mutex_};
    check_not_ended();
    messages_.push_back(std::move(message));
    cv_.notify_all();
    return messages_.size() < stop_after_;
  }

  bool on_control(std::uint64_t, control_kind kind, std::string payload) override {
    std::lock_guard guard{mutex_};
    check_not_ended();
    controls_.emplace_back(kind, std::move(payload));
    cv_.notify_all();
    return true;
  }

  void on_end(std::uint64_t, session_end end) override {
    std::lock_guard guard{mutex_};
    ++ends_;
    end_ = std::move(end);
    cv_.notify_all();
  }

  /// Makes on_message answer false from the `n`th message on.
  void stop_listening_after_messages(std::size_t n) {
    std::lock_guard guard{mutex_};
    stop_after_ = n;
  }

  bool wait_open(duration deadline = default_deadline) {
    return wait(deadline, [this] { return opened_ || ends_ > 0; }) && opened_;
  }

  bool wait_messages(std::size_t n, duration deadline = default_deadline) {
    return wait(deadline, [&] { return messages_.size() >= n; });
  }

  bool wait_control(std::size_t n, duration deadline = default_deadline) {
    return wait(deadline, [&] { return controls_.size() >= n; });
  }

  std::optional<session_end> wait_end(duration deadline = default_deadline) {
    if (!wait(deadline, [this] { return ends_ > 0; })) return std::nullopt;
    std::lock_guard guard{mutex_};
    return end_;
  }

  bool opened() const {
    std::lock_guard guard{mutex_};
    return opened_;
  }

  std::string subprotocol() const {
    std::lock_guard guard{mutex_};
    return subprotocol_;
  }

  std::vector<ws_message> messages() const {
    std::lock_guard guard{mutex_};
    return messages_;
  }

  std::vector<std::pair<control_kind, std::string>> controls() const {
    std::lock_guard guard{mutex_};
    return controls_;
  }

  int end_count() const {
    std::lock_guard guard{mutex_};
    return ends_;
  }

  /// Returns the number of events that arrived after on_end (must stay 0).
  int late_events() const {
    std::lock_guard guard{mutex_};
    return late_;
  }

  static constexpr duration default_deadline{10'000};

 private:
  template <class Predicate>
  bool wait(duration deadline, Predicate predicate) {
    std::unique_lock lock{mutex_};
    return cv_.wait_for(lock, deadline, predicate);
  }

  void check_not_ended() {
    if (ends_ > 0) ++late_;
  }

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool opened_ = false;
  std::string subprotocol_;
  std::vector<ws_message> messages_;
  std::vector<std::pair<control_kind, std::string>> controls_;
  std::optional<session_end> end_;
  int ends_ = 0;
  int late_ = 0;
  std::size_t stop_after_ = static_cast<std::size_t>(-1);
};

/// A port on 127.0.0.1 that refuses connections: bound by a socket that never listens, so
/// no server of a parallel test can take it while it is held.
class refusing_port {
 public:
  refusing_port() {
    socket_.open(boost::asio::ip::tcp::v4());
    socket_.bind({boost::asio::ip::address_v4::loopback(), 0});
  }

  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(socket_.local_endpoint().port()) + "/";
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_{io_};
};

/// What `session_fixture::run` saw of one session.
struct session_run {
  bool opened = false;
  /// The echo of the message sent came back.
  bool echoed = false;
  bool tls_resumed = false;
  connect_timings timings;
  /// How it ended: cleanly after our close when it opened, else why it failed.
  std::optional<session_end> end;
};

/// Returns why a run ended, for test messages.
inline std::string describe(const session_run& run) {
  return run.end ? to_string(run.end->cause) : "no end before the deadline";
}

/// One I/O thread and a recording listener; `start` makes and starts a session.
struct session_fixture {
  session_fixture() : thread([this] { io.run(); }) {}

  ~session_fixture() {
    for (auto& s : sessions) s->abort();
    // Let the aborts run, then stop: sessions must not outlive the io_context's thread.
    if (!sessions.empty()) events->wait_end(std::chrono::milliseconds{5'000});
    work.reset();
    io.stop();
    thread.join();
  }

  /// Makes a session for `text` reporting to `events`, not started yet.
  std::shared_ptr<session> create(const std::string& text, session_options options = {},
                                  std::shared_ptr<boost::asio::ssl::context> tls = nullptr) {
    auto url = parse_ws_url(text);
    if (!url) throw std::runtime_error(to_string(url.error()));
    auto s = session::make(io, *url, std::move(options), std::move(tls), events, 1);
    sessions.push_back(s);
    return s;
  }

  /// Makes and starts a session.
  std::shared_ptr<session> start(const std::string& text, session_options options = {},
                                 std::shared_ptr<boost::asio::ssl::context> tls = nullptr) {
    auto s = create(text, std::move(options), std::move(tls));
    s->start();
    return s;
  }

  /// Runs one session to its end with a listener of its own (several may run one after
  /// another): connect, one echo round trip, our close with 1000.
  session_run run(const std::string& text, session_options options = {},
                  std::shared_ptr<boost::asio::ssl::context> tls = nullptr) {
    auto url = parse_ws_url(text);
    if (!url) throw std::runtime_error(to_string(url.error()));
    auto listener = std::make_shared<recording_listener>();
    auto s = session::make(io, *url, std::move(options), std::move(tls), listener, 1);
    s->start();
    session_run result;
    if (listener->wait_open()) {
      result.opened = true;
      result.tls_resumed = s->tls_resumed();
      result.timings = s->timings();
      s->send(ws_message{message_kind::text, "through"});
      result.echoed =
          listener->wait_messages(1) && listener->messages().front().payload == "through";
      s->close(1000, {});
    }
    result.end = listener->wait_end();
    if (!result.end) s->abort();
    return result;
  }

  static constexpr std::chrono::milliseconds deadline{10'000};

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::shared_ptr<recording_listener> events = std::make_shared<recording_listener>();
  std::vector<std::shared_ptr<session>> sessions;
  std::thread thread;
};

}  // namespace wsnova::test
