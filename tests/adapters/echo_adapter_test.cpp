// The echo adapter against the in-process echo server: a round trip returns the echo, a
// server's "Request served by ..." greeting never reaches the owner, and an answer that is
// not the echo is a protocol violation.
#define BOOST_TEST_MODULE echo_adapter
#include <wsnova/adapters/echo_adapter.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <wsnova/actors/profiles.hpp>
#include <wsnova/adapters/adapter.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

connection_config echo_config(const test::echo_server& server) {
  auto config = make_config(echo_adapter{}, profile::standard, server.url());
  config.log_threshold = log_level::off;
  return config;
}

/// The payload of a round trip's echo; fails the test on an error.
std::string echo_of(client& c, ws_message message) {
  auto echo = echo_round_trip(c, std::move(message), test::deadline);
  if (!echo) BOOST_FAIL("round trip failed: " << describe(echo.error()));
  return echo->payload;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(echo_adapter_live, test::actor_system_fixture)

BOOST_AUTO_TEST_CASE(configuration_and_default_url) {
  static_assert(wsnova::adapter<echo_adapter>);
  auto config = make_config(echo_adapter{});
  BOOST_CHECK_EQUAL(config.url, "wss://echo.websocket.org/");
  BOOST_CHECK(!config.behaviors.message.is_default());
  BOOST_CHECK(config.behaviors.auth.is_default());
  BOOST_CHECK_EQUAL(echo_adapter{}.name(), "echo");
}

BOOST_AUTO_TEST_CASE(round_trip_returns_the_echo) {
  test::echo_server server;
  auto c = test::connect_or_fail(system, echo_config(server));
  BOOST_CHECK_EQUAL(echo_of(c, {message_kind::text, "hello"}), "hello");
  auto binary = echo_round_trip(c, {message_kind::binary, std::string{"\x00\x01\xff", 3}});
  BOOST_REQUIRE(binary);
  BOOST_CHECK(binary->kind == message_kind::binary);
  BOOST_CHECK_EQUAL(binary->payload, std::string("\x00\x01\xff", 3));
}

BOOST_AUTO_TEST_CASE(greeting_is_not_delivered) {
  // Like echo.websocket.org: a greeting first, then the echoes. Here the greeting comes
  // right before each echo, so its order is certain.
  test::server_options options;
  options.respond = [](const std::string& text) {
    return std::vector<std::string>{"Request served by 1a2b3c", text};
  };
  test::echo_server server{options};
  auto c = test::connect_or_fail(system, echo_config(server));
  BOOST_CHECK_EQUAL(echo_of(c, {message_kind::text, "one"}), "one");
  BOOST_CHECK_EQUAL(echo_of(c, {message_kind::text, "two"}), "two");

  // A greeting pushed by the server on its own is dropped as well: the next round trip
  // still sees its own echo first.
  server.send_all("Request served by 4d5e6f");
  BOOST_CHECK_EQUAL(echo_of(c, {message_kind::text, "three"}), "three");

  // Without the adapter, the same server's greeting does reach the owner.
  auto plain = make_profile(profile::standard, server.url());
  plain.log_threshold = log_level::off;
  auto raw = test::connect_or_fail(system, plain);
  test::send_or_fail(raw, {message_kind::text, "four"});
  BOOST_CHECK_EQUAL(test::receive_or_fail(raw).payload, "Request served by 1a2b3c");
}

BOOST_AUTO_TEST_CASE(an_answer_that_is_not_the_echo_is_a_protocol_violation) {
  test::server_options options;
  options.respond = [](const std::string& text) {
    return std::vector<std::string>{text == "hello" ? "goodbye" : text};
  };
  test::echo_server server{options};
  auto c = test::connect_or_fail(system, echo_config(server));
  auto wrong = echo_round_trip(c, {message_kind::text, "hello"}, test::deadline);
  BOOST_REQUIRE(!wrong);
  BOOST_CHECK_MESSAGE(is(wrong.error(), errc::protocol_violation), describe(wrong.error()));
  // The connection stays usable.
  BOOST_CHECK_EQUAL(echo_of(c, {message_kind::text, "again"}), "again");
}

BOOST_AUTO_TEST_CASE(no_answer_is_a_timeout) {
  test::server_options options;
  options.respond = [](const std::string&) { return std::vector<std::string>{}; };
  test::echo_server server{options};
  auto c = test::connect_or_fail(system, echo_config(server));
  auto silent = echo_round_trip(c, {message_kind::text, "anyone?"}, 200ms);
  BOOST_REQUIRE(!silent);
  BOOST_CHECK_MESSAGE(is(silent.error(), errc::timeout), describe(silent.error()));
}

BOOST_AUTO_TEST_SUITE_END()
