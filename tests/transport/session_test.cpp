// transport::session against the in-process echo server, with no actor system: open, echo,
// control frames, both close handshakes, connect failures, and a listener that stops listening.
#include <wsnova/transport/session.hpp>

#define BOOST_TEST_MODULE session
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "session_fixture.hpp"

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::test;

namespace {

/// Answers the upgrade with "101" and then header lines without end, until the client
/// hangs up: a server that would make an unbounded client buffer forever.
class endless_header_server {
 public:
  endless_header_server() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      socket_ = std::move(socket);
      boost::asio::async_read_until(socket_, request_, "\r\n\r\n",
                                    [this](boost::system::error_code ec, std::size_t) {
                                      if (ec) return;
                                      line_ = "HTTP/1.1 101 Switching Protocols\r\n";
                                      write_next();
                                    });
    });
    thread_ = std::thread{[this] { io_.run(); }};
  }

  ~endless_header_server() {
    io_.stop();
    thread_.join();
  }

  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/";
  }

 private:
  using tcp = boost::asio::ip::tcp;

  void write_next() {
    boost::asio::async_write(
        socket_, boost::asio::buffer(line_), [this](boost::system::error_code ec, std::size_t) {
          if (ec) return;  // the client gave up: done
          line_ = "X-Filler-" + std::to_string(++lines_) + ": " + std::string(200, 'f') + "\r\n";
          write_next();
        });
  }

  boost::asio::io_context io_;
  tcp::acceptor acceptor_{io_, {boost::asio::ip::address_v4::loopback(), 0}};
  tcp::socket socket_{io_};
  boost::asio::streambuf request_;
  std::string line_;
  std::size_t lines_ = 0;
  std::thread thread_;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(session_open, session_fixture)

// The upgrade reports on_open with the subprotocol the server chose, then messages come
// back in order with their kind.
BOOST_AUTO_TEST_CASE(echoes_text_and_binary_in_order) {
  echo_server server{server_options{.subprotocol = "chat"}};
  session_options options;
  options.subprotocols = {"chat"};
  auto s = start(server.url(), options);
  BOOST_REQUIRE(events->wait_open());
  BOOST_CHECK_EQUAL(events->subprotocol(), "chat");
  s->send({message_kind::text, "hello"});
  s->send({message_kind::binary, std::string{"\0\1\2", 3}});
  BOOST_REQUIRE(events->wait_messages(2));
  auto got = events->messages();
  BOOST_CHECK(got[0].kind == message_kind::text);
  BOOST_CHECK_EQUAL(got[0].payload, "hello");
  BOOST_CHECK(got[1].kind == message_kind::binary);
  BOOST_CHECK_EQUAL(got[1].payload, std::string("\0\1\2", 3));
  BOOST_CHECK_EQUAL(events->end_count(), 0);
}

// Messages that grow and shrink (a large one is read into a string sized by its header) come
// back intact, including ones larger than the write buffer (masked and sent in pieces), with
// the default write buffer and with Beast's smallest.
BOOST_AUTO_TEST_CASE(messages_of_changing_sizes_echo_intact) {
  const std::vector<std::size_t> sizes{16 * 1024, 3, 64 * 1024 + 1, 0, 200 * 1000, 16 * 1024};
  for (std::size_t write_buffer : {std::size_t{64} * 1024, std::size_t{8}}) {
    BOOST_TEST_CONTEXT("write_buffer_bytes " << write_buffer) {
      echo_server server;
      session_options options;
      options.write_buffer_bytes = write_buffer;
      auto listener = std::make_shared<recording_listener>();
      auto s = session::make(io, *parse_ws_url(server.url()), options, nullptr, listener, 1);
      s->start();
      BOOST_REQUIRE(listener->wait_open());
      std::vector<std::string> sent;
      for (std::size_t i = 0; i < sizes.size(); ++i) {
        bool text = i % 2 == 1;  // text must be UTF-8: letters; binary: any byte
        std::string payload(sizes[i], '\0');
        for (std::size_t j = 0; j < payload.size(); ++j)
          payload[j] = static_cast<char>(text ? 'a' + (j * 31 + i) % 26 : (j * 31 + i) % 251);
        s->send({text ? message_kind::text : message_kind::binary, payload});
        sent.push_back(std::move(payload));
      }
      BOOST_REQUIRE(listener->wait_messages(sizes.size()));
      auto got = listener->messages();
      for (std::size_t i = 0; i < sizes.size(); ++i) {
        BOOST_CHECK(got[i].kind == (i % 2 ? message_kind::text : message_kind::binary));
        BOOST_CHECK_EQUAL(got[i].payload.size(), sizes[i]);
        BOOST_CHECK(got[i].payload == sent[i]);
      }
      s->close(close_code::normal, {});
      auto end = listener->wait_end();
      if (!end) s->abort();
      BOOST_REQUIRE(end);
      BOOST_CHECK_MESSAGE(!end->cause, to_string(end->cause));
    }
  }
}

// A connection that was quiet reads its next message straight into the delivered string,
// offering Beast one byte before the header is there (message_buffer): every size, from the
// empty message to one larger than Beast's TCP frame, comes back intact that way, and so do
// messages after a burst (read through the copy buffer) and the quiet one after it.
BOOST_AUTO_TEST_CASE(messages_after_a_quiet_spell_echo_intact) {
  echo_server server;
  auto s = start(server.url());
  BOOST_REQUIRE(events->wait_open());
  const std::vector<std::size_t> sizes{0, 1, 15, 16, 64, 1535, 1536, 1537, 16 * 1024 + 1, 3};
  std::vector<std::string> sent;
  auto send = [&](std::size_t size) {
    std::string payload(size, '\0');
    for (std::size_t j = 0; j < size; ++j)
      payload[j] = static_cast<char>((j * 31 + sent.size()) % 251);
    s->send({message_kind::binary, payload});
    sent.push_back(std::move(payload));
  };
  for (std::size_t size : sizes) {
    // The quiet spell itself is what is tested: nothing to wait for but time.
    std::this_thread::sleep_for(std::chrono::milliseconds{15});
    send(size);
    BOOST_REQUIRE(events->wait_messages(sent.size()));
  }
  for (int i = 0; i < 50; ++i) send(64);  // a burst: read through the copy buffer
  std::this_thread::sleep_for(std::chrono::milliseconds{15});
  send(64);
  BOOST_REQUIRE(events->wait_messages(sent.size()));
  auto got = events->messages();
  BOOST_REQUIRE_EQUAL(got.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    BOOST_TEST_CONTEXT("message " << i << " of " << sent[i].size() << " bytes") {
      BOOST_CHECK(got[i].kind == message_kind::binary);
      BOOST_CHECK(got[i].payload == sent[i]);
    }
  }
  BOOST_CHECK_EQUAL(events->end_count(), 0);
}

// A server ping is reported as a control event and answered with a pong.
BOOST_AUTO_TEST_CASE(server_ping_is_reported_and_answered) {
  echo_server server;
  auto s = start(server.url());
  BOOST_REQUIRE(events->wait_open());
  BOOST_REQUIRE(server.wait_for_connections(1, deadline));
  server.ping_all("are-you-there");
  auto pong = server.wait_for_pong_payload(deadline);
  BOOST_REQUIRE(pong);
  BOOST_CHECK_EQUAL(*pong, "are-you-there");
  BOOST_REQUIRE(events->wait_control(1));
  BOOST_CHECK(events->controls()[0].first == control_kind::ping);
  BOOST_CHECK_EQUAL(events->controls()[0].second, "are-you-there");
}

// A ping of ours is answered by the server and its pong reported.
BOOST_AUTO_TEST_CASE(our_ping_reports_the_pong) {
  echo_server server;
  auto s = start(server.url());
  BOOST_REQUIRE(events->wait_open());
  s->ping("p1");
  BOOST_REQUIRE(events->wait_control(1));
  BOOST_CHECK(events->controls()[0].first == control_kind::pong);
  BOOST_CHECK_EQUAL(events->controls()[0].second, "p1");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(session_timer, session_fixture)

// The timer armed for the connect deadline is still pending when the session opens: it must
// neither end the session nor ping early; the first heartbeat comes at ping_interval.
BOOST_AUTO_TEST_CASE(first_heartbeat_comes_at_its_interval_after_a_shorter_connect_limit) {
  echo_server server;
  session_options options;
  options.connect_timeout = 100ms;  // the wait armed first ends long before the heartbeat
  options.handshake_timeout = 3'000ms;
  options.ping_interval = 1'000ms;
  options.pong_timeout = 3'000ms;
  auto started = std::chrono::steady_clock::now();
  auto s = start(server.url(), options);
  BOOST_REQUIRE(events->wait_open());
  BOOST_REQUIRE(events->wait_control(1, 10'000ms));
  // No correct session pongs before open + ping_interval; a wrong one pongs at ~100 ms.
  BOOST_CHECK_GE(std::chrono::steady_clock::now() - started, 1'000ms);
  BOOST_CHECK(events->controls()[0].first == control_kind::pong);
  BOOST_CHECK_EQUAL(events->end_count(), 0);
  s->send(ws_message{message_kind::text, "still open"});
  BOOST_REQUIRE(events->wait_messages(1));
  BOOST_CHECK_EQUAL(events->messages()[0].payload, "still open");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(session_close, session_fixture)

// Our close completes cleanly: no cause, the code we sent, the server saw it.
BOOST_AUTO_TEST_CASE(our_close_ends_cleanly_with_our_code) {
  echo_server server;
  auto s = start(server.url());
  BOOST_REQUIRE(events->wait_open());
  s->close(close_code::normal, "bye");
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(!end->cause, to_string(end->cause));
  BOOST_CHECK_EQUAL(end->code, close_code::normal);
  auto seen = server.wait_for_client_close(deadline);
  BOOST_REQUIRE(seen);
  BOOST_CHECK_EQUAL(seen->code, close_code::normal);
  BOOST_CHECK_EQUAL(seen->reason, "bye");
  BOOST_CHECK(!seen->answered_server_close);
  BOOST_CHECK_EQUAL(events->end_count(), 1);
}

// A close started by the server is closed_by_peer with its code and reason.
BOOST_AUTO_TEST_CASE(server_close_reports_its_code_and_reason) {
  echo_server server;
  auto s = start(server.url());
  BOOST_REQUIRE(events->wait_open());
  s->send({message_kind::text, "!close 4001 done here"});
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK(end->cause.code == errc::closed_by_peer);
  BOOST_CHECK_EQUAL(end->code, 4001);
  BOOST_CHECK_EQUAL(end->reason, "done here");
  auto seen = server.wait_for_client_close(deadline);
  BOOST_REQUIRE(seen);
  BOOST_CHECK(seen->answered_server_close);
}

// A listener that answers false makes the session drop the connection (1001), and it
// still gets exactly one on_end and nothing after it.
BOOST_AUTO_TEST_CASE(listener_that_stops_listening_closes_the_session) {
  echo_server server;
  events->stop_listening_after_messages(1);
  auto s = start(server.url());
  BOOST_REQUIRE(events->wait_open());
  BOOST_REQUIRE(server.wait_for_connections(1, deadline));
  s->send({message_kind::text, "last one"});
  s->send({message_kind::text, "not heard"});
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_EQUAL(end->code, close_code::going_away);
  BOOST_CHECK(server.wait_for_connections(0, deadline));
  BOOST_CHECK_EQUAL(events->end_count(), 1);
  BOOST_CHECK_EQUAL(events->late_events(), 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(session_connect_failures, session_fixture)

// A port nobody listens on: connect_refused, code 1006, no on_open, one on_end.
BOOST_AUTO_TEST_CASE(refused_port_gives_connect_refused) {
  refusing_port port;
  auto s = start(port.url());
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(end->cause.code == errc::connect_refused, to_string(end->cause));
  BOOST_CHECK_EQUAL(end->code, close_code::abnormal);
  BOOST_CHECK(!events->opened());
  BOOST_CHECK_EQUAL(events->end_count(), 1);
}

// A non-101 answer is upgrade_rejected carrying the HTTP status.
BOOST_AUTO_TEST_CASE(bad_upgrade_status_gives_upgrade_rejected_with_status) {
  echo_server server{server_options{.reject_status = 403}};
  auto s = start(server.url());
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(end->cause.code == errc::upgrade_rejected, to_string(end->cause));
  BOOST_CHECK_EQUAL(end->cause.http_status, 403);
  BOOST_CHECK_NE(end->cause.detail.find("403"), std::string::npos);
  BOOST_CHECK(!events->opened());
}

// Endless upgrade headers stop at the header limit, reported as a protocol violation of
// the upgrade response (not as a big message), and the session ends.
BOOST_AUTO_TEST_CASE(endless_upgrade_headers_stop_at_the_limit) {
  endless_header_server server;
  auto s = start(server.url());
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(end->cause.code == errc::protocol_violation, to_string(end->cause));
  BOOST_CHECK_NE(end->cause.detail.find("headers"), std::string::npos);
  BOOST_CHECK(!events->opened());
}

// Options that would inject headers end the session with invalid_argument before it
// connects: the server never sees a request.
BOOST_AUTO_TEST_CASE(header_injection_is_refused_before_connecting) {
  echo_server server;
  session_options options;
  options.headers.emplace_back("X-Test", "a\r\nEvil: 1");
  auto s = start(server.url(), options);
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(end->cause.code == errc::invalid_argument, to_string(end->cause));
  BOOST_CHECK(!events->opened());
  BOOST_CHECK(server.last_request_headers().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(local_address, session_fixture)

// The socket is bound to the local address asked for: the server sees it as the peer.
BOOST_AUTO_TEST_CASE(connects_from_the_local_address) {
  boost::asio::ip::tcp::acceptor acceptor{io, {boost::asio::ip::address_v4::loopback(), 0}};
  boost::asio::ip::tcp::socket accepted{io};
  std::promise<std::string> peer;
  acceptor.async_accept(accepted, [&](boost::system::error_code ec) {
    peer.set_value(ec ? ec.message() : accepted.remote_endpoint().address().to_string());
    accepted.close(ec);  // the upgrade fails: only the address matters here
  });
  session_options options;
  options.local_address = "127.0.0.2";
  auto url = "ws://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/";
  auto ran = run(url, options);
  auto seen = peer.get_future();
  BOOST_REQUIRE(seen.wait_for(deadline) == std::future_status::ready);
  BOOST_CHECK_EQUAL(seen.get(), "127.0.0.2");
  BOOST_CHECK(!ran.opened);
}

// A connection from another loopback address works end to end.
BOOST_AUTO_TEST_CASE(echoes_from_another_loopback_address) {
  echo_server server;
  session_options options;
  options.local_address = "127.0.0.3";
  auto ran = run("ws://127.0.0.1:" + std::to_string(server.port()) + "/", options);
  BOOST_CHECK_MESSAGE(ran.opened && ran.echoed, describe(ran));
}

// An IPv6 local address for an IPv4 server has nothing to connect to: a clear error.
BOOST_AUTO_TEST_CASE(family_mismatch_is_a_clear_error) {
  echo_server server;
  session_options options;
  options.local_address = "::1";
  auto ran = run("ws://127.0.0.1:" + std::to_string(server.port()) + "/", options);
  BOOST_REQUIRE(ran.end);
  BOOST_CHECK(ran.end->cause.code == errc::connect_refused);
  BOOST_CHECK_MESSAGE(ran.end->cause.detail.find("no IPv6 address") != std::string::npos,
                      ran.end->cause.detail);
  BOOST_CHECK_EQUAL(server.accepted_count(), 0u);
}

// An address this host does not have cannot be bound: a clear error naming it.
BOOST_AUTO_TEST_CASE(foreign_address_cannot_be_bound) {
  echo_server server;
  session_options options;
  options.local_address = "192.0.2.1";  // TEST-NET-1 (RFC 5737): on no interface here
  auto ran = run("ws://127.0.0.1:" + std::to_string(server.port()) + "/", options);
  BOOST_REQUIRE(ran.end);
  BOOST_CHECK(ran.end->cause.code == errc::connect_refused);
  BOOST_CHECK_MESSAGE(
      ran.end->cause.detail.find("cannot bind to local address 192.0.2.1") != std::string::npos,
      ran.end->cause.detail);
}

BOOST_AUTO_TEST_SUITE_END()
