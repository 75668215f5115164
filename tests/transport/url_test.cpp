// parse_ws_url: ws:// and wss:// URLs in, host/port/target out; anything else is bad_url.
#include <wsnova/transport/url.hpp>

#define BOOST_TEST_MODULE url
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include <wsnova/core/failure.hpp>

using namespace wsnova;

namespace {

struct good_url {
  std::string text;
  bool secure;
  std::string host;
  bool ipv6;
  std::uint16_t port;
  std::string target;
  std::string host_header;
};

const std::vector<good_url> good_urls = {
    {"ws://example.com", false, "example.com", false, 80, "/", "example.com"},
    {"wss://example.com", true, "example.com", false, 443, "/", "example.com"},
    {"ws://example.com/", false, "example.com", false, 80, "/", "example.com"},
    {"ws://example.com:8080/feed", false, "example.com", false, 8080, "/feed", "example.com:8080"},
    {"wss://example.com:8443/a/b?x=1&y=2", true, "example.com", false, 8443, "/a/b?x=1&y=2",
     "example.com:8443"},
    {"ws://example.com?token=abc", false, "example.com", false, 80, "/?token=abc", "example.com"},
    {"ws://example.com/a%20b", false, "example.com", false, 80, "/a%20b", "example.com"},
    {"ws://example.com:80/", false, "example.com", false, 80, "/", "example.com"},
    {"wss://example.com:80/", true, "example.com", false, 80, "/", "example.com:80"},
    {"ws://[::1]:9000/x", false, "::1", true, 9000, "/x", "[::1]:9000"},
    {"wss://[2001:db8::1]/", true, "2001:db8::1", true, 443, "/", "[2001:db8::1]"},
    {"ws://127.0.0.1:1/", false, "127.0.0.1", false, 1, "/", "127.0.0.1:1"},
    {"ws://127.0.0.1:65535/", false, "127.0.0.1", false, 65535, "/", "127.0.0.1:65535"},
    {"WS://example.com/", false, "example.com", false, 80, "/", "example.com"},
    {"WsS://example.com/", true, "example.com", false, 443, "/", "example.com"},
};

const std::vector<std::string> bad_urls = {
    "",                           // empty
    "http://example.com/",        // not a WebSocket scheme
    "https://example.com/",       // not a WebSocket scheme
    "ftp://example.com/",         // not a WebSocket scheme
    "ws://",                      // missing host
    "ws:///path",                 // missing host
    "ws://:8080/",                // missing host
    "ws:example.com",             // no authority at all
    "ws://example.com:0/",        // port 0
    "ws://example.com:65536/",    // port out of range
    "ws://example.com:99999/",    // port out of range
    "ws://example.com:abc/",      // port not a number
    "ws://example.com:-1/",       // negative port
    "ws://user@example.com/",     // user info
    "ws://user:pw@example.com/",  // user info with a password
    "ws://example.com/#frag",     // fragment
    "ws://example.com/path#",     // empty fragment
    "garbage",                    // no scheme
    "not a url at all",           // spaces, no scheme
    "://example.com",             // empty scheme
    "ws://[::1/",                 // unterminated IPv6 literal
    "ws://exa mple.com/",         // space in host
};

}  // namespace

BOOST_AUTO_TEST_SUITE(parse_ws_url_accepts)

// Every good URL yields its scheme, host, port (80/443 when absent), target (path and
// query, "/" when empty) and Host header.
BOOST_AUTO_TEST_CASE(good_urls_are_parsed) {
  for (const auto& want : good_urls) {
    BOOST_TEST_CONTEXT("URL '" << want.text << "'") {
      auto got = parse_ws_url(want.text);
      if (!got) {
        BOOST_ERROR("refused: " << to_string(got.error()));
        continue;
      }
      BOOST_CHECK_EQUAL(got->secure, want.secure);
      BOOST_CHECK_EQUAL(got->host, want.host);
      BOOST_CHECK_EQUAL(got->ipv6, want.ipv6);
      BOOST_CHECK_EQUAL(got->port, want.port);
      BOOST_CHECK_EQUAL(got->target, want.target);
      BOOST_CHECK_EQUAL(got->host_header(), want.host_header);
    }
  }
}

// to_string gives the canonical form: lowercase scheme, explicit port, target.
BOOST_AUTO_TEST_CASE(to_string_is_canonical) {
  auto url = parse_ws_url("WSS://example.com/feed?x=1");
  if (!url) BOOST_FAIL(to_string(url.error()));
  BOOST_CHECK_EQUAL(url->to_string(), "wss://example.com:443/feed?x=1");
  auto v6 = parse_ws_url("ws://[::1]:9000/x");
  if (!v6) BOOST_FAIL(to_string(v6.error()));
  BOOST_CHECK_EQUAL(v6->to_string(), "ws://[::1]:9000/x");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(parse_ws_url_refuses)

// Every bad URL is refused with errc::bad_url and a detail quoting the input, without its
// user info (the two such inputs start with "ws://"): a password is never repeated.
BOOST_AUTO_TEST_CASE(bad_urls_give_bad_url) {
  for (const auto& text : bad_urls) {
    BOOST_TEST_CONTEXT("URL '" << text << "'") {
      auto got = parse_ws_url(text);
      if (got) {
        BOOST_ERROR("accepted as " << got->to_string());
        continue;
      }
      BOOST_CHECK_MESSAGE(got.error().code == errc::bad_url, to_string(got.error()));
      const auto at = text.find('@');
      const auto shown = at == std::string::npos ? text : "ws://" + text.substr(at + 1);
      BOOST_CHECK_NE(to_string(got.error()).find("'" + shown + "'"), std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
