// A connection actor against the in-process echo server on 127.0.0.1, through the blocking
// client facade: messages, pings, closes started by either side, limits, and the upgrade
// request (headers, subprotocols, compression).
#define BOOST_TEST_MODULE connection
#include <wsnova/actors/client.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using test::deadline;
using test::events_until_closed;
using test::find_event;
using test::index_of;
using test::receive_or_fail;
using test::send_or_fail;

namespace {

struct fixture : test::actor_system_fixture {
  test::echo_server server;

  explicit fixture(test::server_options options = {}) : server(std::move(options)) {}

  client open(connection_config config = {}) {
    if (config.url.empty()) config.url = server.url();
    return test::connect_or_fail(system, std::move(config));
  }
};

/// Returns `size` bytes: lowercase letters for text, every byte value for binary.
std::string payload_of(std::size_t size, message_kind kind) {
  std::string result(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    result[i] = kind == message_kind::text ? static_cast<char>('a' + i % 26)
                                           : static_cast<char>((i * 131 + 7) & 0xff);
  return result;
}

/// Checks that `got` equals `want` byte for byte without printing megabytes on failure.
void check_same_bytes(const std::string& got, const std::string& want) {
  BOOST_CHECK_EQUAL(got.size(), want.size());
  auto [g, w] = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
  BOOST_CHECK_MESSAGE(g == got.end() && w == want.end(),
                      "payloads differ from byte " << (g - got.begin()));
}

const std::vector<std::size_t> frame_size_edges = {0, 125, 126, 65535, 65536, 1u << 20};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(echo, fixture)

// A text message sent comes back unchanged, and a client close ends with code 1000.
BOOST_AUTO_TEST_CASE(text_round_trip) {
  auto c = open();
  BOOST_REQUIRE(!c.send_text("hello"));
  auto reply = c.receive(5s);
  if (!reply) BOOST_FAIL(describe(reply.error()));
  BOOST_CHECK_EQUAL(reply->payload, "hello");
  BOOST_CHECK(reply->kind == message_kind::text);
  BOOST_REQUIRE(!c.close());
  BOOST_REQUIRE(c.closed());
  BOOST_CHECK_EQUAL(c.closed()->code, 1000);
}

// Text payloads at every frame-length edge (7-bit, 16-bit, 64-bit lengths) come back byte
// for byte, as text.
BOOST_AUTO_TEST_CASE(text_sizes_at_frame_length_edges_round_trip) {
  auto c = open();
  for (auto size : frame_size_edges) {
    BOOST_TEST_CONTEXT("text of " << size << " bytes") {
      auto sent = payload_of(size, message_kind::text);
      send_or_fail(c, ws_message{message_kind::text, sent});
      auto got = receive_or_fail(c);
      BOOST_CHECK(got.kind == message_kind::text);
      check_same_bytes(got.payload, sent);
    }
  }
}

// Binary payloads with every byte value, at every frame-length edge, come back byte for
// byte, as binary.
BOOST_AUTO_TEST_CASE(binary_sizes_at_frame_length_edges_round_trip) {
  auto c = open();
  for (auto size : frame_size_edges) {
    BOOST_TEST_CONTEXT("binary of " << size << " bytes") {
      auto sent = payload_of(size, message_kind::binary);
      send_or_fail(c, ws_message{message_kind::binary, sent});
      auto got = receive_or_fail(c);
      BOOST_CHECK(got.kind == message_kind::binary);
      check_same_bytes(got.payload, sent);
    }
  }
}

// Multi-byte UTF-8 characters (2, 3 and 4 bytes) survive the round trip intact.
BOOST_AUTO_TEST_CASE(utf8_text_kept_intact) {
  auto c = open();
  const std::string text =
      "h\xC3\xA9llo w\xC3\xB6rld \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC "
      "\xF0\x9F\x8E\x89";  // "héllo wörld — 日本 🎉"
  BOOST_REQUIRE(!c.send_text(text));
  auto got = receive_or_fail(c);
  BOOST_CHECK(got.kind == message_kind::text);
  BOOST_CHECK_EQUAL(got.payload, text);
}

// A thousand messages sent back to back come back in the order sent, none lost.
BOOST_AUTO_TEST_CASE(thousand_messages_keep_their_order) {
  auto c = open();
  constexpr int n = 1000;
  for (int i = 0; i < n; ++i) send_or_fail(c, ws_message{message_kind::text, std::to_string(i)});
  for (int i = 0; i < n; ++i) {
    auto got = receive_or_fail(c);
    if (got.payload != std::to_string(i))
      BOOST_FAIL("message " << i << " arrived as '" << got.payload << "'");
  }
  auto status = c.status();
  if (!status) BOOST_FAIL(describe(status.error()));
  BOOST_CHECK_EQUAL(status->messages_sent, n);
  BOOST_CHECK_EQUAL(status->messages_received, n);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(pinging, fixture)

// A client ping is answered and reports a positive round-trip time.
BOOST_AUTO_TEST_CASE(client_ping_reports_positive_round_trip) {
  auto c = open();
  auto rtt = c.ping();
  if (!rtt) BOOST_FAIL(describe(rtt.error()));
  BOOST_CHECK_GT(rtt->count(), 0);
  BOOST_CHECK_LT(*rtt, caf::timespan{deadline});
}

// A ping the server sends is answered with a pong carrying the same payload.
BOOST_AUTO_TEST_CASE(server_ping_is_answered) {
  auto c = open();
  BOOST_REQUIRE(server.wait_for_connections(1, 5s));
  server.ping_all("x");
  auto pong = server.wait_for_pong_payload(5s);
  BOOST_REQUIRE(pong);
  BOOST_CHECK_EQUAL(*pong, "x");
  // The `!ping` command path too, and the connection still echoes afterwards.
  BOOST_REQUIRE(!c.send_text("!ping hello"));
  pong = server.wait_for_pong_payload(5s);
  BOOST_REQUIRE(pong);
  BOOST_CHECK_EQUAL(*pong, "hello");
  BOOST_REQUIRE(!c.send_text("still here"));
  BOOST_CHECK_EQUAL(receive_or_fail(c).payload, "still here");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(closing, fixture)

// A close the server starts reaches the owner with the server's code and reason: a
// disconnected_event, then a closed_event, both with 4001 "bye"; the client answers it.
BOOST_AUTO_TEST_CASE(server_close_code_and_reason_reach_owner) {
  auto c = open();
  BOOST_REQUIRE(!c.send_text("!close 4001 bye"));
  auto events = events_until_closed(c);
  auto* down = find_event<disconnected_event>(events);
  BOOST_REQUIRE_MESSAGE(down, "no disconnected_event before the closed_event");
  BOOST_CHECK_LT(index_of<disconnected_event>(events), index_of<closed_event>(events));
  BOOST_CHECK_EQUAL(down->code, 4001);
  BOOST_CHECK_EQUAL(down->reason, "bye");
  BOOST_CHECK_MESSAGE(is(down->cause, errc::closed_by_peer), describe(down->cause));
  const auto& closed = std::get<closed_event>(events.back());
  BOOST_CHECK_EQUAL(closed.code, 4001);
  BOOST_CHECK_EQUAL(closed.reason, "bye");
  BOOST_CHECK_MESSAGE(is(closed.cause, errc::closed_by_peer), describe(closed.cause));
  auto answer = server.wait_for_client_close(5s);
  BOOST_REQUIRE(answer);
  BOOST_CHECK_EQUAL(answer->code, 4001);
  BOOST_CHECK(answer->answered_server_close);
}

// A client close with an application code (3000) and a reason reaches the server as sent.
BOOST_AUTO_TEST_CASE(client_close_with_application_code) {
  auto c = open();
  if (auto err = c.close(3000, "custom")) BOOST_FAIL(describe(err));
  BOOST_REQUIRE(c.closed());
  BOOST_CHECK_EQUAL(c.closed()->code, 3000);
  BOOST_CHECK(!c.closed()->cause);
  auto got = server.wait_for_client_close(5s);
  BOOST_REQUIRE(got);
  BOOST_CHECK_EQUAL(got->code, 3000);
  BOOST_CHECK_EQUAL(got->reason, "custom");
  BOOST_CHECK(!got->answered_server_close);
}

// An exit message (a supervisor's shutdown) ends the connection like a close: the server
// gets 1001, the owner a closed_event whose cause is the exit reason, and the actor exits
// with that reason (so a supervisor classifies it as sent).
BOOST_AUTO_TEST_CASE(exit_message_closes_and_reports) {
  auto c = open();
  caf::scoped_actor watcher{system};
  watcher->monitor(c.handle());
  caf::anon_send_exit(c.handle(), caf::exit_reason::user_shutdown);
  auto closed = test::next_event_of<closed_event>(c);
  BOOST_CHECK_EQUAL(closed.code, close_code::going_away);
  BOOST_CHECK(closed.cause == caf::exit_reason::user_shutdown);
  auto got = server.wait_for_client_close(5s);
  BOOST_REQUIRE(got);
  BOOST_CHECK_EQUAL(got->code, close_code::going_away);
  caf::error reason;
  watcher->receive([&](const caf::down_msg& down) { reason = down.reason; },
                   caf::after(10s) >> [] { BOOST_FAIL("the connection actor did not exit"); });
  BOOST_CHECK(reason == caf::exit_reason::user_shutdown);
}

// Messages kept while disconnected are not lost when an exit message ends the connection:
// they come back to the owner in an unsent_event before the closed_event.
BOOST_AUTO_TEST_CASE(exit_message_returns_buffered_messages) {
  connection_config config;
  config.sending.when_disconnected = offline_send_policy::buffer;
  config.reconnect.initial_delay = 10s;  // stays down after the drop
  auto c = open(config);
  BOOST_REQUIRE(server.wait_for_connections(1, 10s));
  server.drop_all();
  test::next_event_of<reconnecting_event>(c);
  BOOST_REQUIRE(!c.send_text("kept while down"));
  caf::anon_send_exit(c.handle(), caf::exit_reason::user_shutdown);
  auto events = test::events_until_closed(c);
  auto unsent = test::find_event<unsent_event>(events);
  BOOST_REQUIRE(unsent);
  BOOST_REQUIRE_EQUAL(unsent->messages.size(), 1u);
  BOOST_CHECK_EQUAL(unsent->messages.front().payload, "kept while down");
  BOOST_CHECK_LT(test::index_of<unsent_event>(events), test::index_of<closed_event>(events));
}

// Close codes that may not be sent (1005, 1006, 1015 are reserved for reports, 999 and 5000
// are out of range) are refused with invalid_argument, and the connection stays usable.
BOOST_AUTO_TEST_CASE(unsendable_close_codes_are_refused) {
  auto c = open();
  for (std::uint16_t code : {999, 1004, 1005, 1006, 1015, 2999, 5000}) {
    BOOST_TEST_CONTEXT("close code " << code) {
      auto err = c.close(code, "nope");
      BOOST_CHECK_MESSAGE(is(err, errc::invalid_argument), describe(err));
      BOOST_CHECK(!c.closed());
    }
  }
  BOOST_REQUIRE(!c.send_text("still open"));
  BOOST_CHECK_EQUAL(receive_or_fail(c).payload, "still open");
  BOOST_CHECK(!server.wait_for_client_close(0ms));
}

// A message over max_message_size fails the connection with message_too_big and close
// code 1009, which Beast sends to the server; a message of exactly the limit passes.
BOOST_AUTO_TEST_CASE(message_over_limit_fails_with_1009) {
  connection_config config;
  config.session.max_message_size = 1024;
  auto c = open(config);
  BOOST_REQUIRE(!c.send_binary(std::string(1024, 'x')));
  BOOST_CHECK_EQUAL(receive_or_fail(c).payload.size(), 1024u);
  BOOST_REQUIRE(!c.send_binary(std::string(2048, 'y')));
  auto events = events_until_closed(c);
  auto* error = find_event<error_event>(events);
  BOOST_REQUIRE_MESSAGE(error, "no error_event");
  BOOST_CHECK_MESSAGE(is(error->error, errc::message_too_big), describe(error->error));
  auto* down = find_event<disconnected_event>(events);
  BOOST_REQUIRE_MESSAGE(down, "no disconnected_event");
  BOOST_CHECK_EQUAL(down->code, close_code::too_big);
  const auto& closed = std::get<closed_event>(events.back());
  BOOST_CHECK_MESSAGE(is(closed.cause, errc::message_too_big), describe(closed.cause));
  BOOST_CHECK_EQUAL(closed.code, close_code::too_big);
  BOOST_CHECK(find_event<message_event>(events) == nullptr);
  auto seen = server.wait_for_client_close(5s);
  BOOST_REQUIRE_MESSAGE(seen, "the server saw no close frame");
  BOOST_CHECK_EQUAL(seen->code, close_code::too_big);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct subprotocol_fixture : fixture {
  subprotocol_fixture() : fixture(options()) {}
  static test::server_options options() {
    test::server_options result;
    result.subprotocol = "chat.v2";
    return result;
  }
};

struct deflate_fixture : fixture {
  deflate_fixture() : fixture(options()) {}
  static test::server_options options() {
    test::server_options result;
    result.deflate = true;
    return result;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(upgrade)

// Extra headers, the User-Agent and the offered subprotocols reach the server, and the
// subprotocol it chose is reported in connected_event and in the status.
BOOST_FIXTURE_TEST_CASE(headers_and_subprotocol_reach_server, subprotocol_fixture) {
  connection_config config;
  config.session.headers = {{"X-Wsnova-Test", "42"}, {"Authorization", "Bearer t0k3n"}};
  config.session.subprotocols = {"chat.v1", "chat.v2"};
  auto c = open(config);
  auto headers = server.last_request_headers();
  BOOST_CHECK_EQUAL(headers["x-wsnova-test"], "42");
  BOOST_CHECK_EQUAL(headers["authorization"], "Bearer t0k3n");
  BOOST_CHECK_EQUAL(headers["sec-websocket-protocol"], "chat.v1, chat.v2");
  BOOST_CHECK_EQUAL(headers["user-agent"], "wsnova/0.1");
  BOOST_CHECK_EQUAL(headers["host"], "127.0.0.1:" + std::to_string(server.port()));
  auto connected = test::next_event_of<connected_event>(c);
  BOOST_CHECK_EQUAL(connected.subprotocol, "chat.v2");
  BOOST_CHECK_EQUAL(connected.url, server.url());
  BOOST_CHECK(!connected.compressed);
  auto status = c.status();
  if (!status) BOOST_FAIL(describe(status.error()));
  BOOST_CHECK_EQUAL(status->subprotocol, "chat.v2");
  BOOST_CHECK(status->state == connection_state::connected);
  BOOST_CHECK_EQUAL(status->connects, 1u);
}

// Without offered subprotocols the request carries none and none is reported.
BOOST_FIXTURE_TEST_CASE(no_subprotocol_offered_none_reported, subprotocol_fixture) {
  auto c = open();
  BOOST_CHECK_EQUAL(server.last_request_headers().count("sec-websocket-protocol"), 0u);
  BOOST_CHECK_EQUAL(test::next_event_of<connected_event>(c).subprotocol, "");
}

// permessage-deflate, offered and accepted, is reported and carries a 100 KB text intact.
BOOST_FIXTURE_TEST_CASE(permessage_deflate_round_trip, deflate_fixture) {
  connection_config config;
  config.session.compress = true;
  auto c = open(config);
  BOOST_CHECK_NE(
      server.last_request_headers()["sec-websocket-extensions"].find("permessage-deflate"),
      std::string::npos);
  BOOST_CHECK(test::next_event_of<connected_event>(c).compressed);
  std::string text;
  while (text.size() < 100 * 1024) text += "the quick brown fox " + std::to_string(text.size());
  BOOST_REQUIRE(!c.send_text(text));
  auto got = receive_or_fail(c);
  BOOST_CHECK(got.kind == message_kind::text);
  check_same_bytes(got.payload, text);
}

// Compression is off unless both sides agree: a client that does not offer it gets none.
BOOST_FIXTURE_TEST_CASE(no_deflate_unless_offered, deflate_fixture) {
  auto c = open();
  BOOST_CHECK_EQUAL(server.last_request_headers().count("sec-websocket-extensions"), 0u);
  BOOST_CHECK(!test::next_event_of<connected_event>(c).compressed);
}

BOOST_AUTO_TEST_SUITE_END()
