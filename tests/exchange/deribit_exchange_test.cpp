// The local Deribit-style exchange, driven by a plain Boost.Beast client over loopback (not
// the wsnova library): auth, refresh, subscriptions and their sequence numbers, private
// channels, heartbeats, credits and every fault hook.
#define BOOST_TEST_MODULE deribit_exchange
#include <wsnova/testing/deribit_exchange.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <type_traits>

#include <wsnova/testing/certs.hpp>

using namespace std::chrono_literals;
using namespace wsnova::test;

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

/// How long any single expected event may take, generous for loaded machines.
constexpr auto deadline = 10s;

/// A JSON-RPC client on a Beast WebSocket stream (plain or TLS). Every wait has a deadline:
/// the operation runs on the client's own io_context for at most that long, and a timeout
/// closes the socket (and fails the test that expected the event).
template <bool Tls>
class rpc_client {
 public:
  using stream_type =
      std::conditional_t<Tls, websocket::stream<beast::ssl_stream<beast::tcp_stream>>,
                         websocket::stream<beast::tcp_stream>>;

  /// Connects to 127.0.0.1:`port` and upgrades; check `handshake_error()`.
  explicit rpc_client(std::uint16_t port, ssl::context* tls_ctx = nullptr)
      : ws_(make_stream(tls_ctx)) {
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    tcp_layer.socket().connect({net::ip::make_address_v4("127.0.0.1"), port}, handshake_error_);
    if (handshake_error_) return;
    if constexpr (Tls) {
      SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), "localhost");
      ws_.next_layer().set_verify_callback(ssl::host_name_verification("localhost"));
      run([&](auto done) {
        ws_.next_layer().async_handshake(ssl::stream_base::client, [this, done](error_code ec) {
          handshake_error_ = ec;
          done();
        });
      });
      if (handshake_error_) return;
    }
    run([&](auto done) {
      ws_.async_handshake(response_, "localhost", "/ws/api/v2", [this, done](error_code ec) {
        handshake_error_ = ec;
        done();
      });
    });
  }

  error_code handshake_error() const { return handshake_error_; }

  /// HTTP status of the upgrade response (101 when upgraded).
  unsigned handshake_status() const { return response_.result_int(); }

  /// Sends `text` as is.
  void send_raw(const std::string& text) {
    error_code ec;
    run([&](auto done) {
      ws_.async_write(net::buffer(text), [&ec, done](error_code e, std::size_t) {
        ec = e;
        done();
      });
    });
    BOOST_REQUIRE_MESSAGE(!ec, "write failed: " << ec.message());
  }

  /// Sends a request and returns its id.
  std::int64_t request(std::string_view method, json::object params = {}) {
    auto id = next_id_++;
    send_raw(json::serialize(json::object{
        {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}));
    return id;
  }

  /// Sends a request and returns its response; messages arriving before it are kept for
  /// `next`.
  json::object call(std::string_view method, json::object params = {}) {
    auto id = request(method, std::move(params));
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (is_response_to(*it, id)) {
        auto out = std::move(*it);
        pending_.erase(it);
        return out;
      }
    }
    while (auto msg = read()) {
      if (is_response_to(*msg, id)) return std::move(*msg);
      pending_.push_back(std::move(*msg));
    }
    BOOST_FAIL("no response to " << method << ": " << read_error_.message());
    return {};
  }

  /// Returns the next message not yet returned, or nothing when the connection ends or
  /// `deadline` passes (see `read_error()`).
  std::optional<json::object> next() {
    if (!pending_.empty()) {
      auto out = std::move(pending_.front());
      pending_.pop_front();
      return out;
    }
    return read();
  }

  /// Returns the next message whose `method` is `method` ("subscription", "heartbeat"),
  /// dropping others; fails the test if none arrives.
  json::object next_with_method(std::string_view method) {
    while (auto msg = next()) {
      auto* m = msg->if_contains("method");
      if (m != nullptr && m->is_string() && m->get_string() == method) return std::move(*msg);
    }
    BOOST_FAIL("no " << method << " message: " << read_error_.message());
    return {};
  }

  /// Reads until the connection ends; returns how (websocket::error::closed after a close
  /// frame, whose code is `close_code()`).
  error_code wait_for_end() {
    pending_.clear();
    while (read()) {
      // discard
    }
    return read_error_;
  }

  error_code read_error() const { return read_error_; }

  /// Forgets the messages read but not yet returned.
  void forget_pending() { pending_.clear(); }

  /// Closes the connection with 1000 and waits for the exchange's close frame.
  void close() {
    run([&](auto done) {
      ws_.async_close(websocket::close_code::normal, [done](error_code) { done(); });
    });
  }

  std::uint16_t close_code() const { return ws_.reason().code; }

 private:
  static stream_type make_stream(ssl::context* tls_ctx) {
    if constexpr (Tls)
      return stream_type{io(), *tls_ctx};
    else
      return stream_type{io()};
  }

  /// One io_context per thread: each client runs its own operations on the test thread.
  static net::io_context& io() {
    thread_local net::io_context ctx;
    return ctx;
  }

  static bool is_response_to(const json::object& msg, std::int64_t id) {
    auto* v = msg.if_contains("id");
    return v != nullptr && v->is_int64() && v->get_int64() == id;
  }

  /// Starts `op(done)` and runs the io_context until `done` is called or the deadline
  /// passes; on a timeout the socket is closed so the operation completes with an error.
  template <class Op>
  void run(Op op) {
    bool finished = false;
    op([&finished] { finished = true; });
    auto& ctx = io();
    ctx.restart();
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!finished && std::chrono::steady_clock::now() < until) ctx.run_one_until(until);
    if (!finished) {
      beast::get_lowest_layer(ws_).close();
      ctx.restart();
      while (!finished) ctx.run_one();
    }
  }

  std::optional<json::object> read() {
    if (read_error_) return std::nullopt;
    run([&](auto done) {
      ws_.async_read(buffer_, [this, done](error_code ec, std::size_t) {
        read_error_ = ec;
        done();
      });
    });
    if (read_error_) return std::nullopt;
    auto text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    auto value = json::parse(text);
    BOOST_REQUIRE_MESSAGE(value.is_object(), "not a JSON object: " << text);
    return std::move(value.get_object());
  }

  stream_type ws_;
  beast::flat_buffer buffer_;
  websocket::response_type response_;
  std::deque<json::object> pending_;
  error_code handshake_error_;
  error_code read_error_;
  std::int64_t next_id_ = 1;
};

using client = rpc_client<false>;

/// Returns the error code of a response, or 0 when it carries a result.
std::int64_t error_of(const json::object& response) {
  auto* err = response.if_contains("error");
  return err == nullptr ? 0 : err->at("code").as_int64();
}

std::string error_message(const json::object& response) {
  return json::value_to<std::string>(response.at("error").at("message"));
}

json::object credentials(const exchange_options& opts) {
  return {{"grant_type", "client_credentials"},
          {"client_id", opts.client_id},
          {"client_secret", opts.client_secret}};
}

/// Authenticates with the configured key and returns the result object.
json::object authenticate(client& c, const exchange_options& opts) {
  auto resp = c.call("public/auth", credentials(opts));
  BOOST_REQUIRE_MESSAGE(error_of(resp) == 0, json::serialize(resp));
  return resp.at("result").as_object();
}

json::array channels(std::initializer_list<std::string_view> names) {
  json::array out;
  for (auto n : names) out.emplace_back(n);
  return out;
}

/// The sequence number in a notification's data: `sequence` of the object, or of the first
/// trade when the data is an array (trades channels).
std::uint64_t sequence_of(const json::object& notification) {
  const auto& data = notification.at("params").at("data");
  const auto& obj = data.is_array() ? data.as_array().at(0).as_object() : data.as_object();
  return obj.at("sequence").to_number<std::uint64_t>();
}

std::string channel_of(const json::object& notification) {
  return json::value_to<std::string>(notification.at("params").at("channel"));
}

struct fixture {
  exchange_options opts = [] {
    exchange_options o;
    o.notification_interval = 20ms;
    o.min_heartbeat_interval = 0.5;
    return o;
  }();
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(deribit_exchange_suite, fixture)

BOOST_AUTO_TEST_CASE(auth_with_client_credentials_returns_documented_fields) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  BOOST_REQUIRE(!c.handshake_error());
  auto result = authenticate(c, opts);
  BOOST_CHECK(!result.at("access_token").as_string().empty());
  BOOST_CHECK(!result.at("refresh_token").as_string().empty());
  BOOST_CHECK_EQUAL(result.at("expires_in").as_int64(), 900);
  BOOST_CHECK_EQUAL(result.at("token_type").as_string(), "bearer");
  BOOST_CHECK(result.at("scope").is_string());
  BOOST_CHECK_EQUAL(ex.stats().auth_client_credentials, 1u);
}

BOOST_AUTO_TEST_CASE(wrong_or_missing_credentials_are_refused) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  auto params = credentials(opts);
  params["client_secret"] = "wrong";
  auto resp = c.call("public/auth", params);
  BOOST_CHECK_EQUAL(error_of(resp), 13004);
  BOOST_CHECK_EQUAL(error_message(resp), "invalid_credentials");
  BOOST_CHECK(resp.at("id").as_int64() == 1);
  params.erase("client_id");
  BOOST_CHECK_EQUAL(error_of(c.call("public/auth", params)), -32602);
  BOOST_CHECK_EQUAL(error_of(c.call("public/auth", {{"grant_type", "password"}})), -32602);
  BOOST_CHECK_EQUAL(ex.stats().auth_failed, 1u);
  BOOST_CHECK_EQUAL(ex.stats().auth_client_credentials, 0u);
}

BOOST_AUTO_TEST_CASE(refresh_token_grants_new_tokens_once) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  auto first = authenticate(c, opts);
  auto refresh = first.at("refresh_token");
  auto resp = c.call("public/auth", {{"grant_type", "refresh_token"}, {"refresh_token", refresh}});
  BOOST_REQUIRE_MESSAGE(error_of(resp) == 0, json::serialize(resp));
  const auto& second = resp.at("result").as_object();
  BOOST_CHECK(second.at("access_token") != first.at("access_token"));
  BOOST_CHECK(second.at("refresh_token") != refresh);
  auto again = c.call("public/auth", {{"grant_type", "refresh_token"}, {"refresh_token", refresh}});
  BOOST_CHECK_EQUAL(error_of(again), 13009);
  auto s = ex.stats();
  BOOST_CHECK_EQUAL(s.auth_client_credentials, 1u);
  BOOST_CHECK_EQUAL(s.auth_refresh_token, 1u);
  BOOST_CHECK_EQUAL(s.auth_failed, 1u);
}

BOOST_AUTO_TEST_CASE(subscribe_delivers_notifications_with_consecutive_sequences) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  auto resp =
      c.call("public/subscribe",
             {{"channels", channels({"ticker.BTC-PERPETUAL.100ms", "trades.BTC-PERPETUAL.raw",
                                     "book.BTC-PERPETUAL.100ms", "nonsense"})}});
  BOOST_REQUIRE_MESSAGE(error_of(resp) == 0, json::serialize(resp));
  BOOST_CHECK(resp.at("result") ==
              json::value(channels({"ticker.BTC-PERPETUAL.100ms", "trades.BTC-PERPETUAL.raw",
                                    "book.BTC-PERPETUAL.100ms"})));
  BOOST_CHECK_EQUAL(ex.stats().subscribe_calls, 1u);
  BOOST_CHECK_EQUAL(ex.subscriptions().at(1).size(), 3u);

  std::map<std::string, std::uint64_t> last;  // channel -> last sequence seen
  std::map<std::string, int> seen;
  while (seen.size() < 3 ||
         std::any_of(seen.begin(), seen.end(), [](const auto& kv) { return kv.second < 5; })) {
    auto n = c.next_with_method("subscription");
    BOOST_CHECK_EQUAL(n.at("jsonrpc").as_string(), "2.0");
    BOOST_CHECK(n.if_contains("id") == nullptr);
    auto channel = channel_of(n);
    auto seq = sequence_of(n);
    if (last.count(channel) > 0) BOOST_CHECK_EQUAL(seq, last[channel] + 1);
    last[channel] = seq;
    ++seen[channel];
    const auto& data = n.at("params").at("data");
    if (channel.rfind("trades.", 0) == 0) {
      BOOST_CHECK_EQUAL(data.as_array().at(0).at("trade_seq").to_number<std::uint64_t>(), seq);
    } else if (channel.rfind("book.", 0) == 0 && seq > 1) {
      BOOST_CHECK_EQUAL(data.at("prev_change_id").to_number<std::uint64_t>() + 1,
                        data.at("change_id").to_number<std::uint64_t>());
    } else if (channel.rfind("ticker.", 0) == 0) {
      BOOST_CHECK_EQUAL(data.at("instrument_name").as_string(), "BTC-PERPETUAL");
    }
  }

  auto unsub =
      c.call("public/unsubscribe", {{"channels", channels({"ticker.BTC-PERPETUAL.100ms"})}});
  BOOST_CHECK(unsub.at("result") == json::value(channels({"ticker.BTC-PERPETUAL.100ms"})));
  BOOST_CHECK_EQUAL(ex.subscriptions().at(1).count("ticker.BTC-PERPETUAL.100ms"), 0u);
  BOOST_CHECK_EQUAL(c.call("public/unsubscribe_all").at("result").as_string(), "ok");
  BOOST_CHECK(ex.subscriptions().at(1).empty());
  BOOST_CHECK_EQUAL(ex.stats().unsubscribe_calls, 2u);
}

BOOST_AUTO_TEST_CASE(channels_keep_counting_while_nobody_listens) {
  deribit_exchange ex{opts};
  client clock_watcher{ex.port()};  // counts ticks on another channel
  clock_watcher.call("public/subscribe", {{"channels", channels({"trades.ETH-PERPETUAL.raw"})}});
  std::uint64_t last_seen = 0;
  {
    client first{ex.port()};
    first.call("public/subscribe", {{"channels", channels({"ticker.BTC-PERPETUAL.100ms"})}});
    last_seen = sequence_of(first.next_with_method("subscription"));
    first.close();
  }
  BOOST_REQUIRE(ex.wait_until([](const auto& s) { return s.connections_open == 1; }, deadline));
  // A request as a barrier: notifications after its answer come from ticks after the close.
  clock_watcher.call("public/test");
  clock_watcher.forget_pending();
  for (int i = 0; i < 3; ++i) clock_watcher.next_with_method("subscription");  // 3 ticks pass
  client second{ex.port()};
  second.call("public/subscribe", {{"channels", channels({"ticker.BTC-PERPETUAL.100ms"})}});
  auto n = second.next_with_method("subscription");
  BOOST_CHECK_EQUAL(channel_of(n), "ticker.BTC-PERPETUAL.100ms");
  BOOST_CHECK_GE(sequence_of(n), last_seen + 3);  // the gap a reconnecting client counts
}

BOOST_AUTO_TEST_CASE(private_channels_need_a_valid_token) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  auto orders = channels({"user.orders.BTC-PERPETUAL.raw"});
  auto refused = c.call("private/subscribe", {{"channels", orders}});
  BOOST_CHECK_EQUAL(error_of(refused), 13009);
  BOOST_CHECK_EQUAL(error_message(refused), "unauthorized");
  BOOST_CHECK_EQUAL(ex.stats().unauthorized, 1u);
  // public/subscribe leaves private channels out of its result, as Deribit does.
  BOOST_CHECK(c.call("public/subscribe", {{"channels", orders}}).at("result").as_array().empty());

  auto token = authenticate(c, opts).at("access_token");
  BOOST_CHECK(c.call("private/subscribe", {{"channels", orders}}).at("result") ==
              json::value(orders));
  auto n = c.next_with_method("subscription");
  BOOST_CHECK_EQUAL(channel_of(n), "user.orders.BTC-PERPETUAL.raw");
  BOOST_CHECK_GE(sequence_of(n), 1u);

  // Another connection may pass the token as a parameter instead of authenticating.
  client other{ex.port()};
  auto resp = other.call("private/subscribe", {{"channels", orders}, {"access_token", token}});
  BOOST_CHECK_EQUAL(error_of(resp), 0);
  BOOST_CHECK_EQUAL(
      error_of(other.call("private/subscribe", {{"channels", orders}, {"access_token", "forged"}})),
      13009);
}

BOOST_AUTO_TEST_CASE(expired_tokens_get_13009_until_refreshed) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  auto refresh = authenticate(c, opts).at("refresh_token");
  auto orders = channels({"user.orders.BTC-PERPETUAL.raw"});
  BOOST_CHECK_EQUAL(error_of(c.call("private/subscribe", {{"channels", orders}})), 0);
  ex.expire_tokens();
  auto expired = c.call("private/subscribe", {{"channels", orders}});
  BOOST_CHECK_EQUAL(error_of(expired), 13009);
  auto refreshed =
      c.call("public/auth", {{"grant_type", "refresh_token"}, {"refresh_token", refresh}});
  BOOST_REQUIRE_EQUAL(error_of(refreshed), 0);
  BOOST_CHECK_EQUAL(error_of(c.call("private/subscribe", {{"channels", orders}})), 0);

  // A lifetime of 0 s issues tokens that are expired at once; expires_in reports it.
  ex.set_token_lifetime(0s);
  BOOST_CHECK_EQUAL(authenticate(c, opts).at("expires_in").as_int64(), 0);
  BOOST_CHECK_EQUAL(error_of(c.call("private/subscribe", {{"channels", orders}})), 13009);

  // expire_tokens(true) also revokes refresh tokens.
  ex.set_token_lifetime(900s);
  auto last_refresh = authenticate(c, opts).at("refresh_token");
  ex.expire_tokens(true);
  BOOST_CHECK_EQUAL(error_of(c.call("public/auth", {{"grant_type", "refresh_token"},
                                                    {"refresh_token", last_refresh}})),
                    13009);
}

BOOST_AUTO_TEST_CASE(heartbeat_test_requests_answered_keep_the_connection) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  BOOST_CHECK_EQUAL(error_of(c.call("public/set_heartbeat", {{"interval", 0.1}})), -32602);
  auto ok = c.call("public/set_heartbeat", {{"interval", 1}});
  BOOST_REQUIRE_EQUAL(ok.at("result").as_string(), "ok");
  bool saw_plain_heartbeat = false;
  for (int answered = 0; answered < 2;) {
    auto hb = c.next_with_method("heartbeat");
    auto type = hb.at("params").at("type").as_string();
    if (type == "heartbeat") {
      saw_plain_heartbeat = true;
      continue;
    }
    BOOST_REQUIRE_EQUAL(type, "test_request");
    auto test = c.call("public/test");
    BOOST_CHECK(test.at("result").at("version").is_string());
    ++answered;
  }
  BOOST_CHECK(saw_plain_heartbeat);
  BOOST_CHECK(ex.wait_until([](const auto& s) { return s.test_requests_answered == 2; }, deadline));
  BOOST_CHECK_EQUAL(ex.stats().test_requests_missed, 0u);
  BOOST_CHECK_EQUAL(ex.stats().connections_open, 1u);
}

BOOST_AUTO_TEST_CASE(unanswered_test_request_closes_the_connection) {
  opts.heartbeat_close_code = 4009;
  deribit_exchange ex{opts};
  client c{ex.port()};
  auto start = std::chrono::steady_clock::now();  // before the exchange starts its timer
  BOOST_REQUIRE_EQUAL(c.call("public/set_heartbeat", {{"interval", 0.5}}).at("result").as_string(),
                      "ok");
  BOOST_CHECK(c.wait_for_end() == websocket::error::closed);
  BOOST_CHECK_EQUAL(c.close_code(), 4009);
  // Closed no earlier than one interval after the test_request, itself one interval in.
  BOOST_CHECK(std::chrono::steady_clock::now() - start >= 1s);
  auto s = ex.stats();
  BOOST_CHECK_EQUAL(s.test_requests_sent, 1u);
  BOOST_CHECK_EQUAL(s.test_requests_missed, 1u);
  BOOST_CHECK_EQUAL(s.test_requests_answered, 0u);
  BOOST_CHECK(ex.wait_until([](const auto& st) { return st.connections_open == 0; }, deadline));
}

BOOST_AUTO_TEST_CASE(credits_run_out_and_injected_rate_limits) {
  opts.credit_max = 1500;  // three requests, no refill
  opts.credit_refill_per_second = 0;
  deribit_exchange ex{opts};
  client c{ex.port()};
  for (int i = 0; i < 3; ++i) BOOST_CHECK_EQUAL(error_of(c.call("public/test")), 0);
  auto limited = c.call("public/test");
  BOOST_CHECK_EQUAL(error_of(limited), 10028);
  BOOST_CHECK_EQUAL(error_message(limited), "too_many_requests");

  client fresh{ex.port()};  // credits are per connection
  ex.inject_rate_limit(2);
  BOOST_CHECK_EQUAL(error_of(fresh.call("public/get_time")), 10028);
  BOOST_CHECK_EQUAL(error_of(fresh.call("public/get_time")), 10028);
  auto time = fresh.call("public/get_time");
  BOOST_CHECK_EQUAL(error_of(time), 0);
  BOOST_CHECK(time.at("result").is_int64());
  BOOST_CHECK_EQUAL(ex.stats().rate_limited, 3u);
}

BOOST_AUTO_TEST_CASE(rate_limit_can_close_the_connection_like_deribit) {
  opts.close_on_rate_limit = true;
  deribit_exchange ex{opts};
  client c{ex.port()};
  ex.inject_rate_limit(1);
  BOOST_CHECK_EQUAL(error_of(c.call("public/test")), 10028);
  BOOST_CHECK(c.wait_for_end() == websocket::error::closed);
  BOOST_CHECK_EQUAL(c.close_code(), 1008);
}

BOOST_AUTO_TEST_CASE(drop_resets_every_connection) {
  deribit_exchange ex{opts};
  client a{ex.port()};
  client b{ex.port()};
  a.call("public/subscribe", {{"channels", channels({"ticker.BTC-PERPETUAL.100ms"})}});
  BOOST_REQUIRE(ex.wait_until([](const auto& s) { return s.connections_open == 2; }, deadline));
  ex.drop_all();
  for (auto* c : {&a, &b}) {
    auto how = c->wait_for_end();
    BOOST_CHECK_MESSAGE(how && how != websocket::error::closed, "ended by " << how.message());
  }
  BOOST_CHECK(ex.wait_until([](const auto& s) { return s.connections_open == 0; }, deadline));
  BOOST_CHECK(ex.subscriptions().empty());
  client again{ex.port()};  // the exchange itself goes on
  BOOST_CHECK_EQUAL(error_of(again.call("public/test")), 0);
  BOOST_CHECK_EQUAL(ex.stats().connections_accepted, 3u);
}

BOOST_AUTO_TEST_CASE(stall_holds_answers_and_notifications) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  c.call("public/subscribe", {{"channels", channels({"ticker.BTC-PERPETUAL.100ms"})}});
  auto before = sequence_of(c.next_with_method("subscription"));
  auto start = std::chrono::steady_clock::now();
  ex.stall(400ms);
  auto id = c.request("public/test");
  std::optional<json::object> reply;
  while (auto msg = c.next()) {
    if (msg->if_contains("id") != nullptr && msg->at("id").as_int64() == id) {
      reply = std::move(*msg);
      break;
    }
    BOOST_CHECK_EQUAL(sequence_of(*msg), ++before);  // stalled notifications are not lost
  }
  BOOST_REQUIRE(reply);
  BOOST_CHECK(std::chrono::steady_clock::now() - start >= 400ms);
  BOOST_CHECK_EQUAL(sequence_of(c.next_with_method("subscription")), before + 1);
}

BOOST_AUTO_TEST_CASE(rejected_upgrades_get_the_status) {
  deribit_exchange ex{opts};
  ex.reject_upgrades(503, 1);
  client refused{ex.port()};
  BOOST_CHECK(refused.handshake_error());
  BOOST_CHECK_EQUAL(refused.handshake_status(), 503u);
  client accepted{ex.port()};
  BOOST_CHECK(!accepted.handshake_error());
  BOOST_CHECK(ex.wait_until([](const auto& s) { return s.connections_accepted == 1; }, deadline));
  BOOST_CHECK_EQUAL(ex.stats().upgrades_rejected, 1u);
}

BOOST_AUTO_TEST_CASE(close_all_sends_the_code) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  BOOST_REQUIRE(ex.wait_until([](const auto& s) { return s.connections_open == 1; }, deadline));
  ex.close_all(4001, "maintenance");
  BOOST_CHECK(c.wait_for_end() == websocket::error::closed);
  BOOST_CHECK_EQUAL(c.close_code(), 4001);
}

BOOST_AUTO_TEST_CASE(protocol_errors_have_deribit_codes) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  auto unknown = c.call("public/no_such_method");
  BOOST_CHECK_EQUAL(error_of(unknown), -32601);
  BOOST_CHECK_EQUAL(error_message(unknown), "Method not found");
  BOOST_CHECK_EQUAL(error_of(c.call("x")), -32601);
  BOOST_CHECK_EQUAL(error_of(c.call("private/get_positions")), 13009);  // the gate comes first
  BOOST_CHECK_EQUAL(c.call("public/hello").at("result").at("version").as_string(), "1.2.26");
  c.send_raw("{not json");
  auto parse = c.next();
  BOOST_REQUIRE(parse);
  BOOST_CHECK_EQUAL(error_of(*parse), -32700);
  BOOST_CHECK(parse->at("id").is_null());
  c.send_raw(R"({"jsonrpc":"2.0","id":77,"method":"public/test","params":{"pad":")" +
             std::string(40000, 'x') + "\"}}");
  auto big = c.next();
  BOOST_REQUIRE(big);
  BOOST_CHECK_EQUAL(error_of(*big), -32600);
  BOOST_CHECK_EQUAL(c.call("public/subscribe", {{"channels", 5}}).at("error").at("code"), -32602);
}

BOOST_AUTO_TEST_CASE(control_commands_drive_the_faults) {
  deribit_exchange ex{opts};
  client c{ex.port()};
  BOOST_CHECK_EQUAL(ex.control("ratelimit 1"), "ok");
  BOOST_CHECK_EQUAL(error_of(c.call("public/test")), 10028);
  BOOST_CHECK_EQUAL(ex.control("lifetime 5"), "ok");
  BOOST_CHECK_EQUAL(authenticate(c, opts).at("expires_in").as_int64(), 5);
  BOOST_CHECK_EQUAL(ex.control("expire"), "ok");
  BOOST_CHECK_EQUAL(error_of(c.call("private/unsubscribe_all")), 13009);
  auto stats = json::parse(ex.control("stats"));
  BOOST_CHECK_EQUAL(stats.at("rate_limited").to_number<std::size_t>(), 1u);
  BOOST_CHECK_EQUAL(stats.at("auth_client_credentials").to_number<std::size_t>(), 1u);
  BOOST_CHECK_EQUAL(ex.control("stall"), "error stall needs milliseconds: stall MS");
  BOOST_CHECK_EQUAL(ex.control("reject 42 1"),
                    "error reject needs an HTTP status and a count: reject STATUS K");
  BOOST_CHECK(ex.control("launch rockets").rfind("error unknown command", 0) == 0);
  BOOST_CHECK_EQUAL(ex.control("close 4002 going down"), "ok");
  BOOST_CHECK(c.wait_for_end() == websocket::error::closed);
  BOOST_CHECK_EQUAL(c.close_code(), 4002);
}

BOOST_AUTO_TEST_CASE(serves_wss_with_the_test_certificates) {
  temp_certs certs;
  opts.tls = true;
  opts.cert_file = certs->server_cert.string();
  opts.key_file = certs->server_key.string();
  deribit_exchange ex{opts};
  BOOST_CHECK(ex.url().rfind("wss://localhost:", 0) == 0);
  ssl::context ctx{ssl::context::tls_client};
  ctx.load_verify_file(certs->ca_cert.string());
  ctx.set_verify_mode(ssl::verify_peer);
  rpc_client<true> c{ex.port(), &ctx};
  BOOST_REQUIRE_MESSAGE(!c.handshake_error(), c.handshake_error().message());
  auto resp = c.call("public/auth", credentials(opts));
  BOOST_CHECK_EQUAL(error_of(resp), 0);
  c.call("private/subscribe", {{"channels", channels({"user.orders.BTC-PERPETUAL.raw"})}});
  BOOST_CHECK_GE(sequence_of(c.next_with_method("subscription")), 1u);
}

BOOST_AUTO_TEST_SUITE_END()
