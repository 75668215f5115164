// Nothing lost at close (GitHub issue 11): data the server sends before its Close reaches the
// listener, the Close in the same segment as data is processed, a failed connection sends
// and reports its code and is torn down without a reset, and frames never written come back.
#include <wsnova/transport/session.hpp>

#define BOOST_TEST_MODULE session_close
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "session_fixture.hpp"

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::test;

namespace {

/// Returns a close frame payload: the code in network order, then the reason.
std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  payload.append(reason);
  return payload;
}

/// Returns `i` as a zero-padded 6-digit prefix, so payloads tell their order.
std::string numbered(std::size_t i, std::size_t size = 0) {
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06zu", i);
  std::string payload{digits};
  if (size > payload.size()) payload.resize(size, 'x');
  return payload;
}

/// Options with a short close deadline, so a stalled close shows as a timeout quickly.
session_options short_close() {
  session_options options;
  options.handshake_timeout = 5'000ms;
  return options;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(closing_delivers_everything, session_fixture)

// `seq 1 1000 | wsnova URL`: every echo the server sent before answering our Close is
// delivered, in order, before on_end; the close itself is clean.
BOOST_AUTO_TEST_CASE(echoes_of_messages_sent_before_close_all_arrive) {
  echo_server server;
  auto s = start(server.url(), short_close());
  BOOST_REQUIRE(events->wait_open());
  constexpr std::size_t count = 1000;
  for (std::size_t i = 0; i < count; ++i) s->send({message_kind::text, numbered(i)});
  s->close(close_code::normal, "done");
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(!end->cause, to_string(end->cause));
  BOOST_CHECK_EQUAL(end->code, close_code::normal);
  // The server answers our Close as soon as it reads it, so it may not echo them all;
  // every echo it wrote before its Close must arrive.
  BOOST_REQUIRE(server.wait_for_connections(0, deadline));
  auto got = events->messages();
  BOOST_CHECK_EQUAL(got.size(), server.messages_written());
  BOOST_CHECK_GT(got.size(), 0u);
  for (std::size_t i = 0; i < got.size(); ++i) BOOST_CHECK_EQUAL(got[i].payload, numbered(i));
  BOOST_CHECK(end->unsent.empty());
  BOOST_CHECK_EQUAL(events->late_events(), 0);
}

// A 1 MiB message echoed back arrives although we closed right after sending it. (The
// server sends it as one frame: Beast's default fragmenting lets its Close cut the echo
// short, which is the server's right.)
BOOST_AUTO_TEST_CASE(a_one_mib_echo_arrives_after_our_close) {
  echo_server server{server_options{.auto_fragment = false}};
  auto s = start(server.url(), short_close());
  BOOST_REQUIRE(events->wait_open());
  std::string big(1u << 20, 'm');
  s->send({message_kind::binary, big});
  s->close(close_code::normal, {});
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(!end->cause, to_string(end->cause));
  BOOST_CHECK_EQUAL(end->code, close_code::normal);
  auto read_end = server.wait_for_read_end(deadline);
  BOOST_CHECK_EQUAL(read_end.value_or("none"), "closed");
  BOOST_CHECK_EQUAL(server.messages_written(), 1u);
  auto got = events->messages();
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  BOOST_CHECK(got[0].payload == big);
}

// Data and the server's Close in one segment: all messages, then the Close is processed
// at once (closed_by_peer, not a close-handshake timeout).
BOOST_AUTO_TEST_CASE(messages_and_close_in_one_segment_are_all_processed) {
  echo_server server;
  auto s = start(server.url(), short_close());
  BOOST_REQUIRE(events->wait_open());
  s->send({message_kind::text, "!raw " + frame_hex(1, "one") + frame_hex(1, "two") +
                                   frame_hex(2, "three") +
                                   frame_hex(8, close_payload(close_code::normal, "bye"))});
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(end->cause.code == errc::closed_by_peer, to_string(end->cause));
  BOOST_CHECK_EQUAL(end->code, close_code::normal);
  BOOST_CHECK_EQUAL(end->reason, "bye");
  auto got = events->messages();
  BOOST_REQUIRE_EQUAL(got.size(), 3u);
  BOOST_CHECK_EQUAL(got[2].payload, "three");
  BOOST_CHECK(got[2].kind == message_kind::binary);
}

// `echo hello | wsnova URL`: we close while the echo and the server's Close arrive in one
// segment; the echo is delivered and the close completes cleanly, without a stall.
BOOST_AUTO_TEST_CASE(echo_and_close_in_one_segment_while_we_close) {
  echo_server server;
  auto s = start(server.url(), short_close());
  BOOST_REQUIRE(events->wait_open());
  s->send({message_kind::text,
           "!raw " + frame_hex(1, "hello") + frame_hex(8, close_payload(close_code::normal))});
  s->close(close_code::normal, {});
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(end->cause.code != errc::timeout, to_string(end->cause));
  BOOST_CHECK_EQUAL(end->code, close_code::normal);
  auto got = events->messages();
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  BOOST_CHECK_EQUAL(got[0].payload, "hello");
  auto read_end = server.wait_for_read_end(deadline);
  BOOST_REQUIRE(read_end);
  BOOST_CHECK_EQUAL(*read_end, "closed");
}

// Our close waits for the server's TCP close: the server sees a clean end, no reset.
BOOST_AUTO_TEST_CASE(our_close_leaves_the_server_a_clean_end) {
  echo_server server;
  auto s = start(server.url(), short_close());
  BOOST_REQUIRE(events->wait_open());
  s->send({message_kind::text, "!stream 2000"});
  BOOST_REQUIRE(events->wait_messages(1));
  s->close(close_code::normal, {});
  BOOST_REQUIRE(events->wait_end());
  auto read_end = server.wait_for_read_end(deadline);
  BOOST_REQUIRE(read_end);
  BOOST_CHECK_EQUAL(*read_end, "closed");
  auto seen = server.wait_for_client_close(deadline);
  BOOST_REQUIRE(seen);
  BOOST_CHECK_EQUAL(seen->code, close_code::normal);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(close_codes, session_fixture)

// An empty Close frame from the peer reports 1005 (no status), not 0.
BOOST_AUTO_TEST_CASE(empty_close_from_peer_reports_1005) {
  echo_server server;
  auto s = start(server.url(), short_close());
  BOOST_REQUIRE(events->wait_open());
  s->send({message_kind::text, "!close 0"});
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_EQUAL(end->code, close_code::no_status);
  BOOST_CHECK(end->cause.code == errc::closed_by_peer);
}

// Invalid UTF-8 in a text message while the server keeps sending: we send 1007, report
// 1007, and tear down so that the server reads our Close (no reset).
BOOST_AUTO_TEST_CASE(invalid_utf8_sends_and_reports_1007) {
  echo_server server;
  auto s = start(server.url(), short_close());
  BOOST_REQUIRE(events->wait_open());
  s->send({message_kind::text, "!raw " + frame_hex(1, "\xc3\x28")});
  s->send({message_kind::text, "!stream 100000"});
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(end->cause.code == errc::protocol_violation, to_string(end->cause));
  BOOST_CHECK_EQUAL(end->code, 1007);
  auto seen = server.wait_for_client_close(deadline);
  BOOST_REQUIRE(seen);
  BOOST_CHECK_EQUAL(seen->code, 1007);
  auto read_end = server.wait_for_read_end(deadline);
  BOOST_REQUIRE(read_end);
  BOOST_CHECK_EQUAL(*read_end, "closed");
}

// A frame with reserved bits set: we send and report 1002.
BOOST_AUTO_TEST_CASE(protocol_error_sends_and_reports_1002) {
  echo_server server;
  auto s = start(server.url(), short_close());
  BOOST_REQUIRE(events->wait_open());
  s->send({message_kind::text, "!raw f100"});
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_CHECK_MESSAGE(end->cause.code == errc::protocol_violation, to_string(end->cause));
  BOOST_CHECK_EQUAL(end->code, close_code::protocol_error);
  auto seen = server.wait_for_client_close(deadline);
  BOOST_REQUIRE(seen);
  BOOST_CHECK_EQUAL(seen->code, close_code::protocol_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(unsent_frames, session_fixture)

// Messages queued before a connect that fails all come back, in order.
BOOST_AUTO_TEST_CASE(sends_before_a_failed_connect_come_back_unsent) {
  refusing_port port;
  auto s = create(port.url());
  for (std::size_t i = 0; i < 3; ++i) s->send({message_kind::text, numbered(i)});
  s->start();
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  BOOST_REQUIRE_EQUAL(end->unsent.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) BOOST_CHECK_EQUAL(end->unsent[i].payload, numbered(i));
  BOOST_CHECK_EQUAL(s->queued_messages(), 0u);
}

// Aborting with a long queue: the frames not written come back as the tail of what was
// sent, in order, and the queue counters return to zero.
BOOST_AUTO_TEST_CASE(abort_returns_the_unwritten_tail_in_order) {
  echo_server server;
  auto s = start(server.url());
  BOOST_REQUIRE(events->wait_open());
  constexpr std::size_t count = 200;
  for (std::size_t i = 0; i < count; ++i) s->send({message_kind::binary, numbered(i, 64 * 1024)});
  s->abort();
  auto end = events->wait_end();
  BOOST_REQUIRE(end);
  const auto& unsent = end->unsent;
  BOOST_REQUIRE(!unsent.empty());
  auto first = count - unsent.size();
  for (std::size_t i = 0; i < unsent.size(); ++i)
    BOOST_CHECK(unsent[i].payload == numbered(first + i, 64 * 1024));
  BOOST_CHECK_EQUAL(s->queued_messages(), 0u);
  BOOST_CHECK_EQUAL(s->queued_bytes(), 0u);
}

BOOST_AUTO_TEST_SUITE_END()
