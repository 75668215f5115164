// wsnova against WebSocket servers it did not write: Python `websockets` and Node `ws`, run
// as child processes, over ws:// and over wss:// with the test CA. Text and binary echo,
// and a server close with an application code.
#define BOOST_TEST_MODULE interop
#include <wsnova/actors/client.hpp>

#include <boost/test/unit_test.hpp>

#include <functional>
#include <optional>
#include <string>

#include <wsnova/core/error.hpp>
#include <wsnova/testing/certs.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>
#include <wsnova/tests/support/external_server.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using test::receive_or_fail;

namespace {

using server_factory = std::function<test::external_server(const test::external_options&)>;

struct fixture : test::actor_system_fixture {
  test::temp_certs certs;
  std::optional<test::external_server> peer;

  /// Starts the peer (plain or TLS) and connects to it, trusting the test CA.
  client open(const server_factory& start, bool tls) {
    test::external_options options;
    if (tls) {
      options.tls = true;
      options.cert_file = certs->server_cert;
      options.key_file = certs->server_key;
    }
    peer.emplace(start(options));
    connection_config config;
    config.url = peer->url();
    config.session.tls.ca_file = certs->ca_cert.string();
    return test::connect_or_fail(system, std::move(config));
  }

  /// Text and binary (every byte value, 70000 bytes: a 64-bit frame length) come back.
  void check_echo(client& c) {
    const std::string utf8 = "interop \xC3\xA9\xE6\x97\xA5\xF0\x9F\x8E\x89";
    BOOST_REQUIRE(!c.send_text(utf8));
    auto got = receive_or_fail(c);
    BOOST_CHECK(got.kind == message_kind::text);
    BOOST_CHECK_EQUAL(got.payload, utf8);
    std::string bytes(70000, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i & 0xff);
    BOOST_REQUIRE(!c.send_binary(bytes));
    got = receive_or_fail(c);
    BOOST_CHECK(got.kind == message_kind::binary);
    BOOST_CHECK(got.payload == bytes);
    BOOST_REQUIRE(!c.close());
    BOOST_CHECK_EQUAL(c.closed()->code, close_code::normal);
  }

  /// `!close 4002 bye` closes with 4002 "bye", reported in disconnected and closed events.
  void check_server_close(client& c) {
    BOOST_REQUIRE(!c.send_text("!close 4002 bye"));
    auto events = test::events_until_closed(c);
    auto* down = test::find_event<disconnected_event>(events);
    BOOST_REQUIRE_MESSAGE(down, "no disconnected_event");
    BOOST_CHECK_EQUAL(down->code, 4002);
    BOOST_CHECK_EQUAL(down->reason, "bye");
    BOOST_CHECK_MESSAGE(is(down->cause, errc::closed_by_peer), describe(down->cause));
    const auto& closed = std::get<closed_event>(events.back());
    BOOST_CHECK_EQUAL(closed.code, 4002);
    BOOST_CHECK_EQUAL(closed.reason, "bye");
  }
};

const server_factory python = [](const test::external_options& o) {
  return test::external_server::python_echo(o);
};
const server_factory node = [](const test::external_options& o) {
  return test::external_server::node_echo(o);
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(python_websockets, fixture)

// Text and binary messages round-trip through Python websockets over ws://.
BOOST_AUTO_TEST_CASE(plain_echo) {
  auto c = open(python, false);
  check_echo(c);
}

// Text and binary messages round-trip through Python websockets over wss://.
BOOST_AUTO_TEST_CASE(tls_echo) {
  auto c = open(python, true);
  check_echo(c);
}

// A close from Python websockets reaches the owner with its code and reason.
BOOST_AUTO_TEST_CASE(server_close_code) {
  auto c = open(python, false);
  check_server_close(c);
}

// The same over wss://.
BOOST_AUTO_TEST_CASE(tls_server_close_code) {
  auto c = open(python, true);
  check_server_close(c);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(node_ws, fixture)

// Text and binary messages round-trip through Node ws over ws://.
BOOST_AUTO_TEST_CASE(plain_echo) {
  auto c = open(node, false);
  check_echo(c);
}

// Text and binary messages round-trip through Node ws over wss://.
BOOST_AUTO_TEST_CASE(tls_echo) {
  auto c = open(node, true);
  check_echo(c);
}

// A close from Node ws reaches the owner with its code and reason.
BOOST_AUTO_TEST_CASE(server_close_code) {
  auto c = open(node, false);
  check_server_close(c);
}

// The same over wss://.
BOOST_AUTO_TEST_CASE(tls_server_close_code) {
  auto c = open(node, true);
  check_server_close(c);
}

BOOST_AUTO_TEST_SUITE_END()
