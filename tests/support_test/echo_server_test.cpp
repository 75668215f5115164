// Tests of the test servers: echo_server, the certificates, and the interop peers
// (Python websockets, Node ws) started through external_server. The client is plain
// Boost.Beast driven on the test thread with a deadline on every operation.
#include <wsnova/testing/echo_server.hpp>

#include <wsnova/testing/certs.hpp>
#include <wsnova/tests/support/external_server.hpp>

#define BOOST_TEST_MODULE echo_server
#include <boost/test/unit_test.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;
using wsnova::test::echo_server;
using wsnova::test::server_options;

/// Deadline of every single client operation and server observation.
constexpr auto deadline = 5s;

/// Thrown when a client operation misses its deadline.
struct timed_out : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Runs `ioc` on the calling thread until the operation started by `initiate` completes
/// or `deadline` elapses; returns its error code. `initiate` receives the handler.
template <class Initiate>
error_code run_op(net::io_context& ioc, const char* what, Initiate&& initiate) {
  std::optional<error_code> result;
  initiate([&result](error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!result && ioc.run_one_until(until) > 0) {
    // keep going
  }
  if (!result) throw timed_out(std::string("client operation timed out: ") + what);
  return *result;
}

/// A message read by the client.
struct message {
  bool text = false;
  std::string data;
};

/// A synchronous-looking Beast WebSocket client; `Stream` is plain or TLS.
template <class Stream>
class basic_client {
 public:
  static constexpr bool is_tls = !std::is_same_v<Stream, websocket::stream<beast::tcp_stream>>;

  basic_client() requires(!is_tls) : ws_(ioc_) {}

  explicit basic_client(ssl::context& ctx) requires is_tls : ws_(ioc_, ctx) {}

  /// Connects to 127.0.0.1:port and upgrades; `decorate` may add request headers.
  /// Returns the handshake error (the HTTP response is in `response()`).
  template <class Decorator = void (*)(websocket::request_type&)>
  error_code connect(
      uint16_t port, const std::string& host = "127.0.0.1",
      Decorator decorate = [](websocket::request_type&) {}) {
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
    auto ec = run_op(ioc_, "connect",
                     [&](auto h) { beast::get_lowest_layer(ws_).async_connect(ep, std::move(h)); });
    if (ec) return ec;
    if constexpr (is_tls) {
      SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), host.c_str());
      ws_.next_layer().set_verify_callback(ssl::host_name_verification(host));
      ec = run_op(ioc_, "tls handshake", [&](auto h) {
        ws_.next_layer().async_handshake(ssl::stream_base::client, std::move(h));
      });
      if (ec) return ec;
    }
    ws_.set_option(websocket::stream_base::decorator(decorate));
    return run_op(ioc_, "websocket handshake", [&](auto h) {
      ws_.async_handshake(response_, host + ":" + std::to_string(port), "/", std::move(h));
    });
  }

  void write(const std::string& data, bool text = true) {
    ws_.text(text);
    auto ec =
        run_op(ioc_, "write", [&](auto h) { ws_.async_write(net::buffer(data), std::move(h)); });
    // Throws rather than asserting: clients also run on helper threads.
    if (ec) throw std::runtime_error("write failed: " + ec.message());
  }

  /// Reads one message; returns the error (e.g. websocket::error::closed) or the message.
  std::pair<error_code, message> read() {
    buffer_.clear();
    auto ec = run_op(ioc_, "read", [&](auto h) { ws_.async_read(buffer_, std::move(h)); });
    return {ec, message{ws_.got_text(), beast::buffers_to_string(buffer_.data())}};
  }

  /// Reads one message and requires success.
  message read_ok() {
    auto [ec, msg] = read();
    if (ec) throw std::runtime_error("read failed: " + ec.message());
    return msg;
  }

  error_code close(uint16_t code, const std::string& reason) {
    return run_op(ioc_, "close", [&](auto h) {
      ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code),
                                              beast::string_view(reason)),
                      std::move(h));
    });
  }

  Stream& stream() { return ws_; }
  const websocket::response_type& response() const { return response_; }

 private:
  net::io_context ioc_;  // declared first: destroyed after the stream
  Stream ws_;
  beast::flat_buffer buffer_;
  websocket::response_type response_;
};

using plain_client = basic_client<websocket::stream<beast::tcp_stream>>;
using tls_client = basic_client<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>;

/// A client TLS context trusting only the generated CA.
ssl::context client_tls_context(const wsnova::test::test_certs& certs) {
  ssl::context ctx{ssl::context::tls_client};
  ctx.load_verify_file(certs.ca_cert.string());
  ctx.set_verify_mode(ssl::verify_peer);
  return ctx;
}

/// Sends text and binary messages and requires each back unchanged, in order.
template <class Client>
void check_echo(Client& c) {
  c.write("hello");
  std::string bin{"\x00\x01\xff binary", 10};
  c.write(bin, false);
  c.write("");
  auto m1 = c.read_ok();
  BOOST_TEST(m1.text);
  BOOST_TEST(m1.data == "hello");
  auto m2 = c.read_ok();
  BOOST_TEST(!m2.text);
  BOOST_TEST(m2.data == bin);
  auto m3 = c.read_ok();
  BOOST_TEST(m3.text);
  BOOST_TEST(m3.data.empty());
}

/// Sends `!close 4001 bye` and requires the server's close frame to carry it.
template <class Client>
void check_close_command(Client& c) {
  c.write("!close 4001 bye");
  auto [ec, msg] = c.read();
  BOOST_TEST((ec == websocket::error::closed), "read ended with " << ec.message());
  BOOST_TEST(c.stream().reason().code == 4001);
  BOOST_TEST(std::string(c.stream().reason().reason.c_str()) == "bye");
}

}  // namespace

// -- echo over ws ---------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(echo)

// Every message comes back with the same kind and payload, in order.
BOOST_AUTO_TEST_CASE(echoes_text_and_binary_in_order) {
  echo_server srv;
  BOOST_TEST(srv.url() == "ws://127.0.0.1:" + std::to_string(srv.port()) + "/");
  BOOST_TEST(srv.url("x") == "ws://127.0.0.1:" + std::to_string(srv.port()) + "/x");
  plain_client c;
  BOOST_REQUIRE(!c.connect(srv.port()));
  BOOST_TEST(srv.wait_for_connections(1, deadline));
  BOOST_TEST(srv.accepted_count() == 1u);
  check_echo(c);
}

// `!stream N` sends "1".."N" in order, then the server goes on echoing.
BOOST_AUTO_TEST_CASE(stream_command_sends_numbers_then_echoes) {
  echo_server srv;
  plain_client c;
  BOOST_REQUIRE(!c.connect(srv.port()));
  c.write("!stream 2000");
  c.write("after");
  for (int i = 1; i <= 2000; ++i) {
    auto m = c.read_ok();
    BOOST_REQUIRE_EQUAL(m.data, std::to_string(i));
  }
  BOOST_TEST(c.read_ok().data == "after");
}

// A malformed command is answered with `!error`, an unknown one is echoed.
BOOST_AUTO_TEST_CASE(bad_and_unknown_commands) {
  echo_server srv;
  plain_client c;
  BOOST_REQUIRE(!c.connect(srv.port()));
  c.write("!close notanumber");
  BOOST_TEST(c.read_ok().data.rfind("!error", 0) == 0u);
  c.write("!hello there");
  BOOST_TEST(c.read_ok().data == "!hello there");
}

// The server echoes through permessage-deflate when the client offers it.
BOOST_AUTO_TEST_CASE(deflate_is_negotiated_when_enabled) {
  echo_server srv{server_options{.deflate = true}};
  plain_client c;
  websocket::permessage_deflate pmd;
  pmd.client_enable = true;
  c.stream().set_option(pmd);
  BOOST_REQUIRE(!c.connect(srv.port()));
  auto ext = c.response()[http::field::sec_websocket_extensions];
  BOOST_TEST(std::string(ext).find("permessage-deflate") != std::string::npos);
  std::string big(200000, 'a');
  c.write(big);
  BOOST_TEST(c.read_ok().data == big);
}

// With several I/O threads, concurrent clients each get their own messages back in order.
BOOST_AUTO_TEST_CASE(concurrent_clients_on_several_threads) {
  echo_server srv{server_options{.threads = 3}};
  constexpr int clients = 4;
  constexpr int messages = 200;
  std::vector<int> in_order(clients, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < clients; ++k) {
    threads.emplace_back([&, k] {
      try {
        plain_client c;
        if (c.connect(srv.port())) return;
        for (int i = 0; i < messages; ++i) c.write(std::to_string(k) + ":" + std::to_string(i));
        for (int i = 0; i < messages; ++i) {
          auto [ec, msg] = c.read();
          if (ec || msg.data != std::to_string(k) + ":" + std::to_string(i)) return;
          ++in_order[k];
        }
      } catch (const std::exception&) {
        // counted as missing messages below (Boost.Test asserts only on the main thread)
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int k = 0; k < clients; ++k) BOOST_TEST(in_order[k] == messages, "client " << k);
  BOOST_TEST(srv.accepted_count() == std::size_t{clients});
}

BOOST_AUTO_TEST_SUITE_END()

// -- handshake ------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(handshake)

// With reject_status the upgrade fails with that HTTP status; headers are still recorded.
BOOST_AUTO_TEST_CASE(reject_status_fails_upgrade_with_403) {
  echo_server srv{server_options{.reject_status = 403}};
  plain_client c;
  auto ec = c.connect(srv.port(), "127.0.0.1",
                      [](websocket::request_type& req) { req.set("X-Test-Token", "abc"); });
  BOOST_TEST((ec == websocket::error::upgrade_declined), "handshake gave " << ec.message());
  BOOST_TEST(c.response().result_int() == 403u);
  BOOST_TEST(srv.accepted_count() == 0u);
  auto headers = srv.last_request_headers();
  BOOST_TEST(headers["x-test-token"] == "abc");
}

// The configured subprotocol is selected when offered; request headers are recorded.
BOOST_AUTO_TEST_CASE(subprotocol_selected_and_headers_recorded) {
  echo_server srv{server_options{.subprotocol = "chat.v2"}};
  plain_client c;
  auto ec = c.connect(srv.port(), "127.0.0.1", [](websocket::request_type& req) {
    req.set(http::field::sec_websocket_protocol, "other, chat.v2");
    req.set("Authorization", "Bearer t0k3n");
  });
  BOOST_REQUIRE_MESSAGE(!ec, ec.message());
  BOOST_TEST(std::string(c.response()[http::field::sec_websocket_protocol]) == "chat.v2");
  auto headers = srv.last_request_headers();
  BOOST_TEST(headers["authorization"] == "Bearer t0k3n");
  BOOST_TEST(headers["sec-websocket-protocol"] == "other, chat.v2");
  BOOST_TEST(headers.count("sec-websocket-key") == 1u);
}

// A subprotocol the client did not offer is not selected.
BOOST_AUTO_TEST_CASE(subprotocol_not_selected_when_not_offered) {
  echo_server srv{server_options{.subprotocol = "chat.v2"}};
  plain_client c;
  BOOST_REQUIRE(!c.connect(srv.port()));
  BOOST_TEST(c.response().count(http::field::sec_websocket_protocol) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// -- closing and faults ---------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(closing)

// `!close 4001 bye` makes the server close with that code and reason; the client's
// answering close frame is recorded as such.
BOOST_AUTO_TEST_CASE(close_command_closes_with_code_and_reason) {
  echo_server srv;
  plain_client c;
  BOOST_REQUIRE(!c.connect(srv.port()));
  check_close_command(c);
  auto rec = srv.wait_for_client_close(deadline);
  BOOST_REQUIRE(rec);
  BOOST_TEST(rec->code == 4001);
  BOOST_TEST(rec->answered_server_close);
  BOOST_TEST(srv.wait_for_connections(0, deadline));
}

// A close frame the client starts is recorded by wait_for_client_close, in order.
BOOST_AUTO_TEST_CASE(client_close_is_recorded) {
  echo_server srv;
  plain_client a;
  plain_client b;
  BOOST_REQUIRE(!a.connect(srv.port()));
  BOOST_REQUIRE(!b.connect(srv.port()));
  BOOST_REQUIRE(srv.wait_for_connections(2, deadline));
  BOOST_TEST(!a.close(1000, "done"));
  auto first = srv.wait_for_client_close(deadline);
  BOOST_TEST(!b.close(4002, "second"));
  auto second = srv.wait_for_client_close(deadline);
  BOOST_REQUIRE(first);
  BOOST_REQUIRE(second);
  BOOST_TEST(first->code == 1000);
  BOOST_TEST(first->reason == "done");
  BOOST_TEST(!first->answered_server_close);
  BOOST_TEST(second->code == 4002);
  BOOST_TEST(second->reason == "second");
  BOOST_TEST(srv.wait_for_connections(0, deadline));
  BOOST_TEST(!srv.wait_for_client_close(50ms));  // each record is returned once
}

// close_all starts the closing handshake on every session.
BOOST_AUTO_TEST_CASE(close_all_closes_every_session) {
  echo_server srv;
  plain_client a;
  plain_client b;
  BOOST_REQUIRE(!a.connect(srv.port()));
  BOOST_REQUIRE(!b.connect(srv.port()));
  BOOST_REQUIRE(srv.wait_for_connections(2, deadline));
  srv.close_all(1001, "going away");
  for (auto* c : {&a, &b}) {
    auto [ec, msg] = c->read();
    BOOST_TEST((ec == websocket::error::closed), ec.message());
    BOOST_TEST(c->stream().reason().code == 1001);
    BOOST_TEST(std::string(c->stream().reason().reason.c_str()) == "going away");
  }
  BOOST_TEST(srv.wait_for_connections(0, deadline));
}

// drop_all ends the TCP connection without a close frame.
BOOST_AUTO_TEST_CASE(drop_all_closes_without_close_frame) {
  echo_server srv;
  plain_client c;
  BOOST_REQUIRE(!c.connect(srv.port()));
  BOOST_REQUIRE(srv.wait_for_connections(1, deadline));
  srv.drop_all();
  auto [ec, msg] = c.read();
  BOOST_TEST(ec);
  BOOST_TEST((ec != websocket::error::closed), "got a close frame: " << ec.message());
  BOOST_TEST(srv.wait_for_connections(0, deadline));
}

// Pings from `!ping` and ping_all are answered by the client; the server sees the pongs.
BOOST_AUTO_TEST_CASE(pings_are_answered_with_pongs) {
  echo_server srv;
  plain_client c;
  BOOST_REQUIRE(!c.connect(srv.port()));
  BOOST_REQUIRE(srv.wait_for_connections(1, deadline));
  BOOST_TEST(!srv.wait_for_pong(50ms));  // nothing pinged yet
  c.write("!ping hello");
  c.write("marker");
  BOOST_TEST(c.read_ok().data == "marker");  // the read answers the ping on the way
  BOOST_TEST(srv.wait_for_pong_payload(deadline).value_or("<none>") == "hello");
  srv.ping_all("all");
  c.write("marker2");
  BOOST_TEST(c.read_ok().data == "marker2");
  BOOST_TEST(srv.wait_for_pong_payload(deadline).value_or("<none>") == "all");
}

// A client breaking the protocol loses its session; the server keeps serving others.
BOOST_AUTO_TEST_CASE(survives_misbehaving_clients) {
  echo_server srv;
  net::io_context ioc;
  {  // plain HTTP without upgrade: refused with 426
    tcp::socket sock{ioc};
    sock.connect({net::ip::make_address("127.0.0.1"), srv.port()});
    net::write(sock, net::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
    std::string reply;
    error_code ec;
    net::read_until(sock, net::dynamic_buffer(reply), "\r\n", ec);
    BOOST_TEST(reply.rfind("HTTP/1.1 426", 0) == 0u, reply);
  }
  {  // a valid upgrade followed by an unmasked frame: protocol error, close 1002
    plain_client bad;
    BOOST_REQUIRE(!bad.connect(srv.port()));
    BOOST_REQUIRE(srv.wait_for_connections(1, deadline));
    auto& sock = beast::get_lowest_layer(bad.stream()).socket();
    std::string frame("\x81\x05hello", 7);  // FIN+text, unmasked: illegal from a client
    net::write(sock, net::buffer(frame));
    auto [ec, msg] = bad.read();  // the server fails the connection (RFC 6455 5.1)
    BOOST_TEST((ec == websocket::error::closed), ec.message());
    BOOST_TEST(bad.stream().reason().code == 1002);
    BOOST_TEST(srv.wait_for_connections(0, deadline));
  }
  {  // garbage instead of an HTTP request, then silence from the peer
    tcp::socket sock{ioc};
    sock.connect({net::ip::make_address("127.0.0.1"), srv.port()});
    net::write(sock, net::buffer(std::string("\x16\x03\x01 garbage\r\n\r\n")));
  }
  plain_client good;
  BOOST_REQUIRE(!good.connect(srv.port()));
  check_echo(good);
}

// The destructor returns promptly even while a session is busy writing to a client
// that never reads.
BOOST_AUTO_TEST_CASE(destructor_does_not_hang_on_busy_sessions) {
  plain_client c;
  auto start = std::chrono::steady_clock::now();
  {
    echo_server srv{server_options{.threads = 2}};
    BOOST_REQUIRE(!c.connect(srv.port()));
    c.write("!stream 100000000");
    c.write("!ping x");
    BOOST_REQUIRE(srv.wait_for_connections(1, deadline));
  }
  BOOST_TEST((std::chrono::steady_clock::now() - start < deadline));
}

BOOST_AUTO_TEST_SUITE_END()

// -- TLS ------------------------------------------------------------------------------

namespace {

/// Fresh certificates in a temporary directory, removed afterwards.
struct certs_fixture {
  wsnova::test::temp_certs certs;

  server_options tls_options(const std::filesystem::path& cert,
                             const std::filesystem::path& key) const {
    return server_options{.tls = true, .cert_file = cert.string(), .key_file = key.string()};
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(tls, certs_fixture)

// make_test_certs writes every file; the temp directory goes away with its owner.
BOOST_AUTO_TEST_CASE(certs_are_written_and_cleaned_up) {
  std::filesystem::path dir;
  {
    wsnova::test::temp_certs local;
    dir = local->dir;
    for (const auto& p : {local->ca_cert, local->ca_key, local->server_cert, local->server_key,
                          local->wrong_host_cert, local->wrong_host_key, local->self_signed_cert,
                          local->self_signed_key})
      BOOST_TEST(std::filesystem::file_size(p) > 0u, p);
    BOOST_TEST(dir.string().rfind("/tmp/", 0) == 0u);
  }
  BOOST_TEST(!std::filesystem::exists(dir));
}

// wss with the CA-signed localhost certificate echoes like ws.
BOOST_AUTO_TEST_CASE(echoes_over_wss_with_generated_ca) {
  echo_server srv{tls_options(certs->server_cert, certs->server_key)};
  BOOST_TEST(srv.url("/a") == "wss://localhost:" + std::to_string(srv.port()) + "/a");
  auto ctx = client_tls_context(certs.certs());
  tls_client c{ctx};
  auto ec = c.connect(srv.port(), "localhost");
  BOOST_REQUIRE_MESSAGE(!ec, ec.message());
  check_echo(c);
  check_close_command(c);
}

// The certificate names 127.0.0.1 as well as localhost.
BOOST_AUTO_TEST_CASE(server_cert_verifies_for_ip_address) {
  echo_server srv{tls_options(certs->server_cert, certs->server_key)};
  auto ctx = client_tls_context(certs.certs());
  tls_client c{ctx};
  auto ec = c.connect(srv.port(), "127.0.0.1");
  BOOST_TEST(!ec, ec.message());
}

// A CA-signed certificate for another host fails hostname verification.
BOOST_AUTO_TEST_CASE(wrong_host_cert_fails_verification) {
  echo_server srv{tls_options(certs->wrong_host_cert, certs->wrong_host_key)};
  auto ctx = client_tls_context(certs.certs());
  tls_client c{ctx};
  auto ec = c.connect(srv.port(), "localhost");
  BOOST_TEST((ec.category() == net::error::get_ssl_category()), ec.message());
}

// A self-signed certificate not issued by the CA fails verification.
BOOST_AUTO_TEST_CASE(self_signed_cert_fails_verification) {
  echo_server srv{tls_options(certs->self_signed_cert, certs->self_signed_key)};
  auto ctx = client_tls_context(certs.certs());
  tls_client c{ctx};
  auto ec = c.connect(srv.port(), "localhost");
  BOOST_TEST((ec.category() == net::error::get_ssl_category()), ec.message());
}

BOOST_AUTO_TEST_SUITE_END()

// -- interop peers --------------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(interop, certs_fixture)

using wsnova::test::external_options;
using wsnova::test::external_server;

// Python websockets echoes text and binary and honours `!close`.
BOOST_AUTO_TEST_CASE(python_echo_server_echoes_and_closes) {
  auto srv = external_server::python_echo();
  BOOST_TEST(srv.url() == "ws://127.0.0.1:" + std::to_string(srv.port()) + "/");
  plain_client c;
  BOOST_REQUIRE(!c.connect(srv.port()));
  check_echo(c);
  check_close_command(c);
}

// Node ws echoes text and binary and honours `!close`.
BOOST_AUTO_TEST_CASE(node_ws_server_echoes_and_closes) {
  auto srv = external_server::node_echo();
  plain_client c;
  BOOST_REQUIRE(!c.connect(srv.port()));
  check_echo(c);
  c.write("!stream 100");
  for (int i = 1; i <= 100; ++i) BOOST_REQUIRE_EQUAL(c.read_ok().data, std::to_string(i));
  check_close_command(c);
}

// Both peers serve wss with the generated certificates.
BOOST_AUTO_TEST_CASE(peers_serve_wss) {
  external_options opts{
      .tls = true, .cert_file = certs->server_cert, .key_file = certs->server_key};
  auto ctx = client_tls_context(certs.certs());
  for (auto start : {&external_server::python_echo, &external_server::node_echo}) {
    auto srv = start(opts);
    BOOST_TEST_CONTEXT(srv.command()) {
      BOOST_TEST(srv.url().rfind("wss://localhost:", 0) == 0u);
      tls_client c{ctx};
      auto ec = c.connect(srv.port(), "localhost");
      BOOST_REQUIRE_MESSAGE(!ec, ec.message());
      check_echo(c);
      check_close_command(c);
    }
  }
}

// A script that never prints its port is an error with the command line, not a hang. The
// exit is reported as soon as it happens; the 20 s deadline only bounds a failure (a slow
// start on a busy machine must not turn the exit into a timeout).
BOOST_AUTO_TEST_CASE(missing_port_line_is_a_clear_error) {
  BOOST_CHECK_EXCEPTION(external_server({"/bin/sh", "-c", "exit 7"}, false, 20s),
                        std::runtime_error, [](const std::runtime_error& e) {
                          return std::string(e.what()).find("status 7") != std::string::npos;
                        });
  auto start = std::chrono::steady_clock::now();
  BOOST_CHECK_THROW(external_server({"/bin/sleep", "30"}, false, 300ms), std::runtime_error);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 3s));
}

BOOST_AUTO_TEST_SUITE_END()
