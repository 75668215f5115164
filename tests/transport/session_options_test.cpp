// session_options: defaults, and check_session_options refusing what would inject headers.
#include <wsnova/transport/session_options.hpp>

#define BOOST_TEST_MODULE session_options
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

session_options with_header(std::string name, std::string value) {
  session_options options;
  options.headers.emplace_back(std::move(name), std::move(value));
  return options;
}

session_options with_subprotocol(std::string protocol) {
  session_options options;
  options.subprotocols.push_back(std::move(protocol));
  return options;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(session_options_defaults)

// Heartbeats are on unless turned off with an explicit 0: 20 s ping, 20 s pong timeout.
BOOST_AUTO_TEST_CASE(heartbeat_is_on_by_default) {
  session_options options;
  BOOST_CHECK(options.ping_interval == 20s);
  BOOST_CHECK(options.pong_timeout == 20s);
}

// A 16 KiB message is masked and sent in one pass, not in Beast's 4 KiB pieces.
BOOST_AUTO_TEST_CASE(write_buffer_holds_a_16_kib_message) {
  BOOST_CHECK_EQUAL(session_options{}.write_buffer_bytes, 64u * 1024);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(check_session_options_refuses)

// Beast throws below 8 bytes of write buffer: refused up front, with the size named.
BOOST_AUTO_TEST_CASE(write_buffer_below_8_bytes) {
  session_options options;
  options.write_buffer_bytes = 7;
  auto result = check_session_options(options);
  BOOST_CHECK(result.code == errc::invalid_argument);
  BOOST_CHECK_NE(result.detail.find("7 bytes"), std::string::npos);
  options.write_buffer_bytes = 8;
  BOOST_CHECK(!check_session_options(options));
}

// Defaults and ordinary headers and subprotocols pass.
BOOST_AUTO_TEST_CASE(ordinary_options_pass) {
  auto options = with_header("Authorization", "Bearer abc.def=");
  options.headers.emplace_back("X-Trace_ID", "a b\tc");
  options.subprotocols = {"graphql-transport-ws", "v2.json"};
  auto result = check_session_options(options);
  BOOST_CHECK_MESSAGE(!result, to_string(result));
  BOOST_CHECK(!check_session_options(session_options{}));
}

// CR, LF or NUL in a header value would start a new header: invalid_argument naming it.
BOOST_AUTO_TEST_CASE(line_breaks_and_nul_in_header_values) {
  for (std::string value :
       std::vector<std::string>{"a\r\nEvil: 1", "a\nb", "a\rb", std::string{"a\0b", 3}}) {
    auto result = check_session_options(with_header("X-Test", value));
    BOOST_CHECK(result.code == errc::invalid_argument);
    BOOST_CHECK_NE(result.detail.find("X-Test"), std::string::npos);
  }
}

// Header names must be HTTP tokens (RFC 9110 tchar).
BOOST_AUTO_TEST_CASE(header_names_that_are_not_tokens) {
  for (std::string name : std::vector<std::string>{"", "Bad Name", "X:Y", "X\r\nY", "X(1)", "Ä",
                                                   std::string{"X\0", 2}}) {
    auto result = check_session_options(with_header(name, "v"));
    BOOST_CHECK_MESSAGE(result.code == errc::invalid_argument, "name '" << name << "'");
  }
}

// Subprotocols are tokens too; a comma or a line break would forge the list or a header.
BOOST_AUTO_TEST_CASE(subprotocols_that_are_not_tokens) {
  for (std::string protocol :
       std::vector<std::string>{"", "a b", "a,b", "chat\r\nEvil: 1", std::string{"c\0", 2}}) {
    auto result = check_session_options(with_subprotocol(protocol));
    BOOST_CHECK_MESSAGE(result.code == errc::invalid_argument, "subprotocol '" << protocol << "'");
  }
}

// The user agent goes into a header as well.
// A local address must be an IP address; IPv4 and IPv6 pass.
BOOST_AUTO_TEST_CASE(local_address_that_is_not_an_address) {
  session_options options;
  options.local_address = "localhost";
  auto result = check_session_options(options);
  BOOST_CHECK(result.code == errc::invalid_argument);
  BOOST_CHECK_NE(result.detail.find("'localhost' is not an IP address"), std::string::npos);
  for (const auto* address : {"127.0.0.2", "::1"}) {
    options.local_address = address;
    BOOST_CHECK(!check_session_options(options));
  }
}

BOOST_AUTO_TEST_CASE(line_breaks_in_the_user_agent) {
  session_options options;
  options.user_agent = "me\r\nEvil: 1";
  BOOST_CHECK(check_session_options(options).code == errc::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
