// A scripted JSON-RPC 2.0 server for the behaviour tests: plugged into the test echo server
// (`server_options::respond`), it answers "auth", "subscribe", "unsubscribe", "echo", "fail"
// and leaves "never" unanswered; plain text is echoed. It records every message it received,
// in order, so tests can check what left the client and when.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include <wsnova/testing/echo_server.hpp>

namespace wsnova::test {

class rpc_peer : public std::enable_shared_from_this<rpc_peer> {
 public:
  /// One message the peer received.
  struct received {
    std::string method;  // empty for a message that is not a JSON-RPC request
    std::string text;
    /// When the peer's I/O thread handed it to the responder.
    std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now();
  };

  /// The secret "auth" accepts.
  std::string secret = "s3cret";
  /// `expires_in` of the tokens it hands out, in seconds.
  double expires_in = 3600;
  /// Channels whose subscribe is refused.
  std::set<std::string> refused_channels;
  /// Methods whose answers are held back until `take_held` (to prove a client waits).
  std::set<std::string> held_methods;

  /// Sets `held_methods` while the server runs (the fields are for setup before it does).
  void hold(std::set<std::string> methods) {
    std::lock_guard guard{mutex_};
    held_methods = std::move(methods);
  }

  /// Changes the script (`secret`, `expires_in`, `refused_channels`, `held_methods`) while
  /// the server runs: `change(*this)` under the peer's lock.
  template <class F>
  void configure(F change) {
    std::lock_guard guard{mutex_};
    change(*this);
  }

  /// Server options with this peer as the responder.
  server_options options() {
    server_options opts;
    opts.respond = [self = shared_from_this()](const std::string& text) {
      return self->answer(text);
    };
    return opts;
  }

  /// Everything received so far.
  std::vector<received> log() const {
    std::lock_guard guard{mutex_};
    return log_;
  }

  /// Waits until `n` messages were received; false at the deadline.
  bool wait_for(std::size_t n, std::chrono::milliseconds deadline) const {
    std::unique_lock lock{mutex_};
    return changed_.wait_for(lock, deadline, [&] { return log_.size() >= n; });
  }

  /// Counts received requests of `method`.
  std::size_t count(const std::string& method) const {
    std::lock_guard guard{mutex_};
    std::size_t n = 0;
    for (const auto& entry : log_) n += entry.method == method ? 1 : 0;
    return n;
  }

  /// Returns the answers held back so far (send them with `echo_server::send_all`).
  std::vector<std::string> take_held() {
    std::lock_guard guard{mutex_};
    return std::exchange(held_, {});
  }

  /// Sends the answers held back so far through `server` (to every open session, where only
  /// the connection that asked knows their ids); returns how many.
  std::size_t release_held(echo_server& server) {
    auto held = take_held();
    for (auto& text : held) server.send_all(std::move(text));
    return held.size();
  }

  /// Index of the first received request of `method` at or after `from`; `npos` if none.
  std::size_t find(const std::string& method, std::size_t from = 0) const {
    std::lock_guard guard{mutex_};
    for (auto i = from; i < log_.size(); ++i)
      if (log_[i].method == method) return i;
    return std::string::npos;
  }

  /// A notification of `channel` as the server would push it.
  static std::string notification(const std::string& channel, int seq) {
    boost::json::object params{{"channel", channel}, {"data", {{"seq", seq}}}};
    return boost::json::serialize(boost::json::object{
        {"jsonrpc", "2.0"}, {"method", "subscription"}, {"params", std::move(params)}});
  }

 private:
  std::vector<std::string> answer(const std::string& text) {
    std::lock_guard guard{mutex_};
    auto replies = answer_locked(text);
    if (!log_.empty() && held_methods.count(log_.back().method)) {
      held_.insert(held_.end(), replies.begin(), replies.end());
      return {};
    }
    return replies;
  }

  std::vector<std::string> answer_locked(const std::string& text) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    const auto* object = !ec ? value.if_object() : nullptr;
    const auto* method = object ? object->if_contains("method") : nullptr;
    if (!method || !method->is_string()) {
      record({{}, text});
      return {text};  // not JSON-RPC: echo
    }
    std::string name{method->as_string()};
    record({name, text});
    const auto id = object->if_contains("id") ? object->at("id") : boost::json::value{};
    const auto params = object->if_contains("params") ? object->at("params") : boost::json::value{};
    auto result = [&](boost::json::value r) {
      return std::vector<std::string>{boost::json::serialize(
          boost::json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(r)}})};
    };
    auto error = [&](int code, const char* message) {
      return std::vector<std::string>{boost::json::serialize(boost::json::object{
          {"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}})};
    };
    if (name == "auth") {
      const auto* p = params.if_object();
      const auto* given = p ? p->if_contains("client_secret") : nullptr;
      const auto* refresh = p ? p->if_contains("refresh_token") : nullptr;
      if ((given && given->is_string() && given->as_string() == secret) ||
          (refresh && refresh->is_string() && refresh->as_string() == "refresh-1")) {
        return result({{"access_token", "token-1"},
                       {"expires_in", expires_in},
                       {"refresh_token", "refresh-1"}});
      }
      return error(13004, "invalid_credentials");
    }
    if (name == "subscribe" || name == "unsubscribe") {
      const auto* p = params.if_object();
      const auto* channels = p ? p->if_contains("channels") : nullptr;
      if (channels && channels->is_array())
        for (const auto& channel : channels->as_array())
          if (channel.is_string() && refused_channels.count(std::string{channel.as_string()}))
            return error(11050, "bad_request");
      return result(channels ? *channels : boost::json::array{});
    }
    if (name == "echo") return result(params);
    if (name == "fail") return error(-32000, "failed on purpose");
    if (name == "never") return {};
    return error(-32601, "method not found");
  }

  void record(received entry) {
    log_.push_back(std::move(entry));
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<received> log_;
  std::vector<std::string> held_;
};

}  // namespace wsnova::test
