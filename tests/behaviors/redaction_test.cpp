// Redaction of secrets (behaviors/redaction.hpp): URLs with user info and token query
// parameters, credential headers, secret members of nested JSON, text that is not JSON; and
// a live connection whose every log event, at debug level, is free of its secrets.
#define BOOST_TEST_MODULE redaction
#include <wsnova/behaviors/redaction.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <wsnova/actors/client.hpp>
#include <wsnova/behaviors/behavior_set.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>
#include <wsnova/tests/behaviors/live_helpers.hpp>
#include <wsnova/tests/behaviors/rpc_peer.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(redact_url_)

// User info goes; token-like query values are replaced; the rest stays as it was.
BOOST_AUTO_TEST_CASE(user_info_and_token_parameters) {
  auto url = redact_url("wss://alice:pa55word@api.example.com:8443/ws/v2?token=T0K3N&depth=10");
  BOOST_TEST_MESSAGE(url);
  BOOST_CHECK(!contains(url, "alice"));
  BOOST_CHECK(!contains(url, "pa55word"));
  BOOST_CHECK(!contains(url, "T0K3N"));
  BOOST_CHECK(contains(url, "token="));
  BOOST_CHECK(contains(url, "redacted"));
  BOOST_CHECK(contains(url, "wss://api.example.com:8443/ws/v2?"));
  BOOST_CHECK(contains(url, "depth=10"));
}

// Every listed name, case-insensitive, and names containing token, secret, signature or
// password; each occurrence, not only the first.
BOOST_AUTO_TEST_CASE(every_secret_parameter) {
  auto url = redact_url(
      "ws://h/p?Access_Token=A1&api_key=K1&key=K2&SECRET=S1&signature=G1&password=P1&auth=U1"
      "&my_refresh_token=R1&channel=trades&token=A2");
  BOOST_TEST_MESSAGE(url);
  for (auto secret : {"A1", "K1", "K2", "S1", "G1", "P1", "U1", "R1", "A2"})
    BOOST_CHECK_MESSAGE(!contains(url, secret), secret << " in " << url);
  BOOST_CHECK(contains(url, "channel=trades"));
}

// Nothing to redact: unchanged. Not a URL at all: replaced whole.
BOOST_AUTO_TEST_CASE(clean_urls_unchanged_and_garbage_replaced) {
  BOOST_CHECK_EQUAL(redact_url("ws://127.0.0.1:8080/feed?x=1&y=two"),
                    "ws://127.0.0.1:8080/feed?x=1&y=two");
  BOOST_CHECK_EQUAL(redact_url("ws://[::1]:9000/"), "ws://[::1]:9000/");
  auto garbage = redact_url("not a url password=hunter2");
  BOOST_CHECK(!contains(garbage, "hunter2"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(redact_headers_)

BOOST_AUTO_TEST_CASE(credential_headers_are_recognised) {
  for (auto name : {"Authorization", "authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
                    "x-api-key", "X-API-KEY", "X-Auth-Token", "x-client-secret", "X-MBX-Signature"})
    BOOST_CHECK_MESSAGE(is_secret_header(name), name);
  for (auto name : {"Content-Type", "User-Agent", "Sec-WebSocket-Protocol", "Origin", "x-keyboard"})
    BOOST_CHECK_MESSAGE(!is_secret_header(name), name);
}

BOOST_AUTO_TEST_CASE(values_of_credential_headers_are_replaced) {
  auto headers = redact_headers({{"Authorization", "Bearer eyJhbGciOi"},
                                 {"Cookie", "session=abc123"},
                                 {"Proxy-Authorization", "Basic dXNlcjpwdw=="},
                                 {"x-api-key", "K-42"},
                                 {"User-Agent", "wsnova-test"}});
  BOOST_REQUIRE_EQUAL(headers.size(), 5u);
  for (std::size_t i = 0; i < 4; ++i) BOOST_CHECK_EQUAL(headers[i].second, redacted);
  BOOST_CHECK_EQUAL(headers[0].first, "Authorization");  // names stay
  BOOST_CHECK_EQUAL(headers[4].second, "wsnova-test");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(redact_json_)

// Secret members at any depth (objects in arrays in objects), of any value type, are
// replaced; other members keep their values.
BOOST_AUTO_TEST_CASE(nested_secrets) {
  auto json = redact_json(R"({"method":"public/auth","params":{"grant_type":"client_credentials",
      "client_id":"me","client_secret":"CS-1","nested":[{"password":1234},{"apiKey":"AK-1"},
      {"deeper":{"access_token":"AT-1","Signature":"SG-1","credentials":{"user":"u"}}}],
      "channel":"book"}})");
  BOOST_TEST_MESSAGE(json);
  for (auto secret : {"CS-1", "1234", "AK-1", "AT-1", "SG-1", "\"u\""})
    BOOST_CHECK_MESSAGE(!contains(json, secret), secret << " in " << json);
  BOOST_CHECK(contains(json, R"("client_id":"me")"));
  BOOST_CHECK(contains(json, R"("channel":"book")"));
  BOOST_CHECK(contains(json, R"("method":"public/auth")"));
  BOOST_CHECK(contains(json, R"("client_secret":"[redacted]")"));
}

// Text that is not JSON could hold anything: it is replaced whole.
BOOST_AUTO_TEST_CASE(text_that_is_not_json) {
  BOOST_CHECK_EQUAL(redact_json("client_secret=CS-2&x=1"), redacted);
  BOOST_CHECK_EQUAL(redact_json(R"({"password": "unterminated)"), redacted);
  BOOST_CHECK_EQUAL(redact_json("[1,2]"), "[1,2]");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct fixture : test::actor_system_fixture {
  std::shared_ptr<test::rpc_peer> peer = std::make_shared<test::rpc_peer>();
  test::echo_server server{peer->options()};
};

constexpr const char* auth_secret = "AUTH-SECRET-1";
constexpr const char* url_token = "URL-TOKEN-1";
constexpr const char* header_secret = "HEADER-SECRET-1";
constexpr const char* cookie_secret = "COOKIE-SECRET-1";
constexpr const char* url_password = "URL-PASSWORD-1";

}  // namespace

BOOST_FIXTURE_TEST_SUITE(live_log_events, fixture)

// Every log event of a connection, at debug level, through connect, authentication accepted
// and refused, a drop, the reconnect and the close, holds none of the secrets it was given:
// the URL's token, the credential headers, the Auth behaviour's parameters.
BOOST_AUTO_TEST_CASE(no_secret_in_any_log_event) {
  peer->configure([](test::rpc_peer& p) { p.secret = auth_secret; });
  auto events = std::make_shared<test::recorded<log_event>>();
  connection_config c;
  c.url = server.url(std::string{"/feed?token="} + url_token + "&depth=1");
  c.session.headers = {{"Authorization", std::string{"Bearer "} + header_secret},
                       {"Cookie", std::string{"sid="} + cookie_secret}};
  c.reconnect.initial_delay = 10ms;
  c.reconnect.max_delay = 50ms;
  c.log_threshold = log_level::debug;
  c.behaviors.logging = logging_behavior::local{}.on(
      log_atom::value, [events](handler_context&, log_event& event) { events->add(event); });
  c.behaviors.auth =
      auth_behavior::local{}.on(auth_req_atom::value, [](handler_context&, auth_attempt&) {
        return rpc_call{
            "auth", std::string{R"({"client_id":"me","client_secret":")"} + auth_secret + R"("})"};
      });
  auto conn = test::connect_or_fail(system, std::move(c));

  peer->configure([](test::rpc_peer& p) { p.secret = "rotated"; });
  auto refused = conn.authenticate();
  BOOST_CHECK_MESSAGE(is(refused, errc::auth_failed), describe(refused));
  BOOST_CHECK(!contains(describe(refused), auth_secret));
  BOOST_REQUIRE(server.wait_for_connections(1, 10s));
  server.drop_all();
  test::next_event_of<reconnected_event>(conn);  // auth refused again: the restore goes on
  BOOST_REQUIRE(!conn.close());

  auto seen = events->values();
  BOOST_REQUIRE(!seen.empty());
  std::vector<std::string> names;
  for (const auto& event : seen) {
    names.push_back(event.event);
    for (const auto* field :
         {&event.event, &event.connection_id, &event.state, &event.url, &event.detail})
      for (auto secret : {auth_secret, url_token, header_secret, cookie_secret})
        BOOST_CHECK_MESSAGE(!contains(*field, secret),
                            secret << " in the log event " << event.event << ": " << *field);
    BOOST_CHECK_MESSAGE(contains(event.url, "depth=1"), event.url);  // redacted, not dropped
  }
  for (auto expected : {"auth", "authenticated", "auth_failed", "disconnected", "closed"})
    BOOST_CHECK_MESSAGE(std::find(names.begin(), names.end(), expected) != names.end(),
                        "no log event " << expected);
}

// A URL with user info is refused; the refusal does not repeat the password.
BOOST_AUTO_TEST_CASE(user_info_url_refused_without_repeating_the_password) {
  connection_config c;
  c.url = "ws://alice:" + std::string{url_password} +
          "@127.0.0.1:" + std::to_string(server.port()) + "/";
  auto err = test::connect_error(system, std::move(c));
  BOOST_CHECK_MESSAGE(is(err, errc::bad_url), describe(err));
  BOOST_CHECK_MESSAGE(!contains(describe(err), url_password), describe(err));
}

BOOST_AUTO_TEST_SUITE_END()
