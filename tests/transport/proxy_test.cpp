// HTTP CONNECT proxies: proxy URLs, the environment variables and no_proxy (pure functions),
// then ws:// and wss:// sessions through the test kit's proxy to the echo server: tunnels,
// credentials, refusals, a proxy that is down or silent, and the connect timings.
#include <wsnova/transport/proxy.hpp>

#define BOOST_TEST_MODULE proxy
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include <wsnova/testing/certs.hpp>
#include <wsnova/testing/connect_proxy.hpp>
#include <wsnova/transport/tls.hpp>

#include "session_fixture.hpp"

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::test;

namespace {

ws_url url_of(const std::string& text) {
  auto url = parse_ws_url(text);
  BOOST_REQUIRE_MESSAGE(url, to_string(url.error()));
  return *url;
}

bool bypasses(const std::string& target, std::string_view no_proxy) {
  return bypasses_proxy(url_of(target), no_proxy);
}

proxy_environment environment(std::map<std::string, std::string> variables) {
  return proxy_environment::read([&](const std::string& name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  });
}

/// A proxy that accepts TCP connections (the kernel's backlog) and never answers.
class silent_proxy {
 public:
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_, {boost::asio::ip::address_v4::loopback(), 0}};
};

session_options through(const std::string& proxy_url) {
  session_options options;
  options.proxy.url = proxy_url;
  return options;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_urls)

// Userinfo is percent-decoded and becomes Basic credentials; port, IPv6 and a missing
// scheme are understood.
BOOST_AUTO_TEST_CASE(parses_host_port_and_credentials) {
  auto proxy = parse_proxy_url("http://user:p%40ss@127.0.0.1:3128");
  BOOST_REQUIRE(proxy);
  BOOST_CHECK_EQUAL(proxy->host, "127.0.0.1");
  BOOST_CHECK_EQUAL(proxy->port, 3128);
  BOOST_CHECK_EQUAL(proxy->authorization, "Basic dXNlcjpwQHNz");  // base64("user:p@ss")
  BOOST_CHECK_EQUAL(proxy->name(), "127.0.0.1:3128");

  auto bare = parse_proxy_url("proxy.example:8080");
  BOOST_REQUIRE(bare);
  BOOST_CHECK_EQUAL(bare->host, "proxy.example");
  BOOST_CHECK_EQUAL(bare->port, 8080);
  BOOST_CHECK(bare->authorization.empty());

  auto v6 = parse_proxy_url("HTTP://[::1]/");
  BOOST_REQUIRE(v6);
  BOOST_CHECK(v6->ipv6);
  BOOST_CHECK_EQUAL(v6->port, 80);
  BOOST_CHECK_EQUAL(v6->name(), "[::1]:80");
}

// Bad proxy URLs are invalid_argument, and the detail never repeats the password.
BOOST_AUTO_TEST_CASE(refuses_bad_urls_without_echoing_the_password) {
  for (const char* text : {"https://user:sekrit@proxy:443", "socks5://user:sekrit@proxy:1080",
                           "http://user:sekrit@proxy:0", "http://user:sekrit@proxy:99999",
                           "http://user:sekrit@proxy:3128/path", "http://user:sekrit@:3128", ""}) {
    auto proxy = parse_proxy_url(text);
    BOOST_REQUIRE_MESSAGE(!proxy, text);
    BOOST_CHECK(proxy.error().code == errc::invalid_argument);
    BOOST_CHECK_MESSAGE(proxy.error().detail.find("sekrit") == std::string::npos,
                        proxy.error().detail);
  }
  session_options options;
  options.proxy.url = "ftp://user:sekrit@proxy";
  auto bad = check_session_options(options);
  BOOST_CHECK(bad.code == errc::invalid_argument);
  BOOST_CHECK(bad.detail.find("sekrit") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(proxy_environment_variables)

// Lower case wins; an unset or empty lower-case variable falls back to upper case.
BOOST_AUTO_TEST_CASE(lower_case_first_then_upper_case) {
  auto env = environment({{"http_proxy", "http://lower:1"},
                          {"HTTP_PROXY", "http://upper:1"},
                          {"https_proxy", ""},
                          {"HTTPS_PROXY", "http://upper:2"},
                          {"NO_PROXY", "localhost"}});
  BOOST_CHECK_EQUAL(env.http_proxy, "http://lower:1");
  BOOST_CHECK_EQUAL(env.https_proxy, "http://upper:2");
  BOOST_CHECK_EQUAL(env.no_proxy, "localhost");
  auto none = environment({});
  BOOST_CHECK(none.http_proxy.empty() && none.https_proxy.empty() && none.no_proxy.empty());
}

// The environment counts only when asked for; wss takes https_proxy, ws http_proxy; an
// explicit URL and an explicit bypass list win over the variables.
BOOST_AUTO_TEST_CASE(select_proxy_by_scheme_and_opt_in) {
  auto env = environment({{"http_proxy", "http://plain-proxy:3128"},
                          {"https_proxy", "http://tls-proxy:3129"},
                          {"no_proxy", "internal.example"}});
  proxy_options options;
  auto ignored = select_proxy(options, url_of("wss://feed.example/"), env);
  BOOST_REQUIRE(ignored);
  BOOST_CHECK(!*ignored);

  options.from_environment = true;
  auto secure = select_proxy(options, url_of("wss://feed.example/"), env);
  BOOST_REQUIRE(secure && *secure);
  BOOST_CHECK_EQUAL((*secure)->name(), "tls-proxy:3129");
  auto plain = select_proxy(options, url_of("ws://feed.example/"), env);
  BOOST_REQUIRE(plain && *plain);
  BOOST_CHECK_EQUAL((*plain)->name(), "plain-proxy:3128");
  auto bypassed = select_proxy(options, url_of("wss://api.internal.example/"), env);
  BOOST_REQUIRE(bypassed);
  BOOST_CHECK(!*bypassed);

  options.url = "http://mine:8080";
  options.no_proxy = "other.example";
  auto explicit_url = select_proxy(options, url_of("wss://api.internal.example/"), env);
  BOOST_REQUIRE(explicit_url && *explicit_url);
  BOOST_CHECK_EQUAL((*explicit_url)->name(), "mine:8080");

  auto bad = select_proxy(proxy_options{.url = "https://x"}, url_of("ws://a/"), env);
  BOOST_CHECK(!bad && bad.error().code == errc::invalid_argument);
}

// no_proxy: `*`, host suffixes on label boundaries, leading dots, exact IPs, ports, IPv6,
// blanks and case.
BOOST_AUTO_TEST_CASE(no_proxy_matching) {
  BOOST_CHECK(bypasses("wss://anything.example/", "*"));
  BOOST_CHECK(bypasses("wss://example.com/", "example.com"));
  BOOST_CHECK(bypasses("wss://a.b.example.com/", "example.com"));
  BOOST_CHECK(!bypasses("wss://badexample.com/", "example.com"));
  BOOST_CHECK(bypasses("wss://a.example.com/", ".example.com"));
  BOOST_CHECK(bypasses("wss://example.com/", ".example.com"));
  BOOST_CHECK(bypasses("wss://a.example.com/", "*.example.com"));
  BOOST_CHECK(bypasses("wss://API.Example.COM/", "example.com"));
  BOOST_CHECK(bypasses("ws://127.0.0.1:8080/", "localhost, 127.0.0.1"));
  BOOST_CHECK(!bypasses("ws://127.0.0.2/", "127.0.0.1"));
  BOOST_CHECK(!bypasses("ws://localhost/", "127.0.0.1"));  // names are not resolved
  BOOST_CHECK(bypasses("ws://127.0.0.1:8080/", "127.0.0.1:8080"));
  BOOST_CHECK(!bypasses("ws://127.0.0.1:8081/", "127.0.0.1:8080"));
  BOOST_CHECK(bypasses("wss://example.com/", "example.com:443"));
  BOOST_CHECK(!bypasses("ws://example.com/", "example.com:443"));
  BOOST_CHECK(bypasses("ws://[::1]:9000/", "::1"));
  BOOST_CHECK(bypasses("ws://[::1]:9000/", "[::1]:9000"));
  BOOST_CHECK(!bypasses("ws://[::1]:9001/", "[::1]:9000"));
  BOOST_CHECK(bypasses("ws://[::1]:9000/", "[0:0::1]"));  // addresses compare as addresses
  BOOST_CHECK(bypasses("ws://b.example/", "a.example\tb.example"));
  BOOST_CHECK(!bypasses("ws://example.com/", ""));
  BOOST_CHECK(!bypasses("ws://example.com/", " , ,"));
  BOOST_CHECK(!bypasses("ws://example.com/", "[broken"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(through_a_proxy, session_fixture)

// ws:// through the proxy: one tunnel, CONNECT names the server with its port (request line
// and Host), no credentials sent, and the echo comes back through the tunnel.
BOOST_AUTO_TEST_CASE(ws_echoes_through_the_tunnel) {
  echo_server server;
  connect_proxy proxy;
  auto run = session_fixture::run(server.url(), through(proxy.url()));
  BOOST_REQUIRE_MESSAGE(run.opened, describe(run));
  BOOST_CHECK(run.echoed);
  BOOST_REQUIRE(run.end);
  BOOST_CHECK_MESSAGE(!run.end->cause, describe(run));
  BOOST_CHECK_EQUAL(proxy.tunnel_count(), 1u);
  auto request = proxy.last_request();
  BOOST_REQUIRE(request);
  auto authority = "127.0.0.1:" + std::to_string(server.port());
  BOOST_CHECK_EQUAL(request->target, authority);
  BOOST_CHECK_EQUAL(request->host, authority);
  BOOST_CHECK(request->authorization.empty());
  BOOST_CHECK(run.timings.proxy_connect > 0us);
  BOOST_CHECK(run.timings.tcp_connect > 0us);
  BOOST_CHECK(run.timings.upgrade > 0us);
  BOOST_CHECK(run.timings.tls_handshake == 0us);
}

// wss:// through the proxy: TLS runs end to end inside the tunnel, verified against the
// test CA, with the server's name (not the proxy's) in SNI; credentials from the URL's
// percent-decoded userinfo reach the proxy as Basic credentials.
BOOST_AUTO_TEST_CASE(wss_echoes_through_the_tunnel_with_credentials) {
  temp_certs certs;
  echo_server server{server_options{.tls = true,
                                    .cert_file = certs->server_cert.string(),
                                    .key_file = certs->server_key.string()}};
  connect_proxy proxy{connect_proxy_options{.credentials = "alice:p@ss:word"}};
  auto tls = make_tls_context(tls_options{.ca_file = certs->ca_cert.string()});
  BOOST_REQUIRE(tls);
  auto run = session_fixture::run(server.url(), through(proxy.url("alice:p%40ss%3Aword")), *tls);
  BOOST_REQUIRE_MESSAGE(run.opened, describe(run));
  BOOST_CHECK(run.echoed);
  BOOST_CHECK_EQUAL(proxy.tunnel_count(), 1u);
  BOOST_CHECK_EQUAL(proxy.last_request()->target, "localhost:" + std::to_string(server.port()));
  BOOST_CHECK_EQUAL(proxy.last_request()->authorization, "Basic YWxpY2U6cEBzczp3b3Jk");
  auto handshake = server.last_tls_handshake();
  BOOST_REQUIRE(handshake);
  BOOST_CHECK_EQUAL(handshake->server_name.value_or("(none)"), "localhost");
  BOOST_CHECK(run.timings.proxy_connect > 0us);
  BOOST_CHECK(run.timings.tls_handshake > 0us);
}

// Wrong credentials: 407 becomes proxy_auth_required with the status, naming the proxy and
// never the password; the server is never reached.
BOOST_AUTO_TEST_CASE(wrong_credentials_give_proxy_auth_required) {
  echo_server server;
  connect_proxy proxy{connect_proxy_options{.credentials = "alice:right"}};
  auto run = session_fixture::run(server.url(), through(proxy.url("alice:wrong")));
  BOOST_CHECK(!run.opened);
  BOOST_REQUIRE(run.end);
  const auto& cause = run.end->cause;
  BOOST_CHECK_MESSAGE(cause.code == errc::proxy_auth_required, to_string(cause));
  BOOST_CHECK_EQUAL(cause.http_status, 407);
  BOOST_CHECK_NE(cause.detail.find("127.0.0.1:" + std::to_string(proxy.port())), std::string::npos);
  BOOST_CHECK_NE(cause.detail.find("refused the credentials"), std::string::npos);
  BOOST_CHECK_EQUAL(cause.detail.find("wrong"), std::string::npos);
  BOOST_CHECK_EQUAL(proxy.tunnel_count(), 0u);
  BOOST_CHECK_EQUAL(server.accepted_count(), 0u);

  auto anonymous = session_fixture::run(server.url(), through(proxy.url()));
  BOOST_REQUIRE(anonymous.end);
  BOOST_CHECK_MESSAGE(anonymous.end->cause.code == errc::proxy_auth_required, describe(anonymous));
  BOOST_CHECK_NE(anonymous.end->cause.detail.find("no credentials"), std::string::npos);
}

// Any other refusal is proxy_failed carrying the proxy's status.
BOOST_AUTO_TEST_CASE(refusal_gives_proxy_failed_with_the_status) {
  echo_server server;
  connect_proxy proxy{connect_proxy_options{.refuse_status = 403}};
  auto run = session_fixture::run(server.url(), through(proxy.url()));
  BOOST_CHECK(!run.opened);
  BOOST_REQUIRE(run.end);
  BOOST_CHECK_MESSAGE(run.end->cause.code == errc::proxy_failed, describe(run));
  BOOST_CHECK_EQUAL(run.end->cause.http_status, 403);
  BOOST_CHECK_EQUAL(server.accepted_count(), 0u);
}

// A host in the bypass list is reached directly: the proxy sees nothing.
BOOST_AUTO_TEST_CASE(no_proxy_host_connects_directly) {
  echo_server server;
  connect_proxy proxy;
  auto options = through(proxy.url());
  options.proxy.no_proxy = "example.com, 127.0.0.1";
  auto run = session_fixture::run(server.url(), options);
  BOOST_REQUIRE_MESSAGE(run.opened, describe(run));
  BOOST_CHECK(run.echoed);
  BOOST_CHECK_EQUAL(proxy.request_count(), 0u);
  BOOST_CHECK(run.timings.proxy_connect == 0us);
}

// A proxy that is down: connect_refused, and the detail says it was the proxy.
BOOST_AUTO_TEST_CASE(proxy_down_gives_connect_refused_naming_the_proxy) {
  echo_server server;
  refusing_port down;
  auto proxy_url = "http://" + down.url().substr(5, down.url().size() - 6);  // ws://H:P/ -> H:P
  auto run = session_fixture::run(server.url(), through(proxy_url));
  BOOST_CHECK(!run.opened);
  BOOST_REQUIRE(run.end);
  BOOST_CHECK_MESSAGE(run.end->cause.code == errc::connect_refused, describe(run));
  BOOST_CHECK_NE(run.end->cause.detail.find("proxy " + proxy_url.substr(7)), std::string::npos);
  BOOST_CHECK_EQUAL(server.accepted_count(), 0u);
}

// A proxy that never answers CONNECT: a timeout within connect_timeout, naming the proxy.
BOOST_AUTO_TEST_CASE(silent_proxy_times_out_within_the_connect_timeout) {
  echo_server server;
  silent_proxy proxy;
  auto options = through(proxy.url());
  options.connect_timeout = 300ms;
  auto started = std::chrono::steady_clock::now();
  auto run = session_fixture::run(server.url(), options);
  auto took = std::chrono::steady_clock::now() - started;
  BOOST_CHECK(!run.opened);
  BOOST_REQUIRE(run.end);
  BOOST_CHECK_MESSAGE(run.end->cause.code == errc::timeout, describe(run));
  BOOST_CHECK_NE(run.end->cause.detail.find("proxy"), std::string::npos);
  BOOST_CHECK(took >= 300ms);
  BOOST_CHECK(took < 5s);
}

BOOST_AUTO_TEST_SUITE_END()
