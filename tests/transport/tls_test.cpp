// TLS as exchanges use it, against the echo server with test certificates: SNI for host
// names and not for IP literals, mutual TLS, the system CA store by default, and session
// resumption across the sessions of one TLS context.
#include <wsnova/transport/tls.hpp>
#include <wsnova/transport/tls_context_cache.hpp>

#define BOOST_TEST_MODULE tls
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <wsnova/testing/certs.hpp>

#include "session_fixture.hpp"

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::test;

namespace {

/// A TLS echo server with the test certificates, and a client context trusting the test CA.
struct tls_fixture : session_fixture {
  tls_fixture()
      : server(server_options{.tls = true,
                              .cert_file = certs->server_cert.string(),
                              .key_file = certs->server_key.string()}) {}

  std::shared_ptr<boost::asio::ssl::context> client(tls_options options = {}) {
    options.ca_file = certs->ca_cert.string();
    auto context = make_tls_context(options);
    BOOST_REQUIRE_MESSAGE(context, to_string(context.error()));
    return *context;
  }

  /// wss://127.0.0.1:PORT/ (the server's certificate names the IP too).
  std::string ip_url() const { return "wss://127.0.0.1:" + std::to_string(server.port()) + "/"; }

  temp_certs certs;
  echo_server server;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(server_name_indication, tls_fixture)

// A host name goes out in SNI (RFC 6066 section 3), and it is the URL's host.
BOOST_AUTO_TEST_CASE(host_name_is_sent) {
  auto run = session_fixture::run(server.url(), {}, client());
  BOOST_REQUIRE_MESSAGE(run.opened, describe(run));
  auto handshake = server.last_tls_handshake();
  BOOST_REQUIRE(handshake);
  BOOST_CHECK_EQUAL(handshake->server_name.value_or("(none)"), "localhost");
}

// An IP literal is not a server name: no SNI, and the certificate is still verified
// against the IP address in its subjectAltName.
BOOST_AUTO_TEST_CASE(ip_literal_is_not_sent) {
  auto run = session_fixture::run(ip_url(), {}, client());
  BOOST_REQUIRE_MESSAGE(run.opened, describe(run));
  BOOST_CHECK(run.echoed);
  auto handshake = server.last_tls_handshake();
  BOOST_REQUIRE(handshake);
  BOOST_CHECK_MESSAGE(!handshake->server_name, handshake->server_name.value_or(""));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mutual_tls)

// With the client certificate the server requires: connected, and the server saw it.
BOOST_AUTO_TEST_CASE(client_certificate_connects) {
  temp_certs certs;
  echo_server server{server_options{.tls = true,
                                    .cert_file = certs->server_cert.string(),
                                    .key_file = certs->server_key.string(),
                                    .client_ca_file = certs->ca_cert.string()}};
  session_fixture io;
  auto tls = make_tls_context(tls_options{.ca_file = certs->ca_cert.string(),
                                          .cert_file = certs->client_cert.string(),
                                          .key_file = certs->client_key.string()});
  BOOST_REQUIRE(tls);
  auto run = io.run(server.url(), {}, *tls);
  BOOST_REQUIRE_MESSAGE(run.opened, describe(run));
  BOOST_CHECK(run.echoed);
  BOOST_REQUIRE(server.last_tls_handshake());
  BOOST_CHECK(server.last_tls_handshake()->client_certificate);
}

// Without it the server's alert (TLS 1.3 certificate_required) ends the session with
// tls_handshake and a detail that says what is missing.
BOOST_AUTO_TEST_CASE(missing_client_certificate_fails_clearly) {
  temp_certs certs;
  echo_server server{server_options{.tls = true,
                                    .cert_file = certs->server_cert.string(),
                                    .key_file = certs->server_key.string(),
                                    .client_ca_file = certs->ca_cert.string()}};
  session_fixture io;
  auto tls = make_tls_context(tls_options{.ca_file = certs->ca_cert.string()});
  BOOST_REQUIRE(tls);
  auto run = io.run(server.url(), {}, *tls);
  BOOST_CHECK(!run.opened);
  BOOST_REQUIRE(run.end);
  BOOST_CHECK_MESSAGE(run.end->cause.code == errc::tls_handshake, describe(run));
  BOOST_CHECK_MESSAGE(
      run.end->cause.detail.find("requires a client certificate") != std::string::npos,
      run.end->cause.detail);
  BOOST_CHECK_EQUAL(server.accepted_count(), 0u);
}

// A certificate without its key (or the reverse) is refused when the context is built.
BOOST_AUTO_TEST_CASE(certificate_without_key_is_invalid) {
  temp_certs certs;
  auto tls = make_tls_context(tls_options{.cert_file = certs->client_cert.string()});
  BOOST_REQUIRE(!tls);
  BOOST_CHECK(tls.error().code == errc::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(system_ca_store)

// By default the context verifies the peer and loads OpenSSL's default verify paths (the
// system store). OpenSSL takes the default file from SSL_CERT_FILE when set: pointing it
// at the test CA shows that the default context loads it, and that it is all a client
// needs to verify the test server; without the system store the same server is refused.
BOOST_AUTO_TEST_CASE(default_context_verifies_with_the_default_paths) {
  temp_certs certs;
  // Before any thread of this test reads the environment; OpenSSL reads it below.
  BOOST_REQUIRE(::setenv("SSL_CERT_FILE", certs->ca_cert.c_str(), 1) == 0);

  auto defaults = make_tls_context({});
  BOOST_REQUIRE(defaults);
  SSL_CTX* handle = (*defaults)->native_handle();
  BOOST_CHECK_EQUAL(SSL_CTX_get_verify_mode(handle), SSL_VERIFY_PEER);
  auto* objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(handle));
  BOOST_REQUIRE_EQUAL(sk_X509_OBJECT_num(objects), 1);
  X509* loaded = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, 0));
  BOOST_REQUIRE(loaded != nullptr);
  char subject[256] = {};
  X509_NAME_oneline(X509_get_subject_name(loaded), subject, sizeof subject);
  BOOST_CHECK_EQUAL(std::string{subject}, "/CN=wsnova test CA");

  auto without_system = make_tls_context(tls_options{.use_system_ca = false});
  BOOST_REQUIRE(without_system);
  BOOST_CHECK_EQUAL(sk_X509_OBJECT_num(X509_STORE_get0_objects(
                        SSL_CTX_get_cert_store((*without_system)->native_handle()))),
                    0);

  echo_server server{server_options{.tls = true,
                                    .cert_file = certs->server_cert.string(),
                                    .key_file = certs->server_key.string()}};
  session_fixture io;
  auto trusted = io.run(server.url(), {}, *defaults);
  BOOST_CHECK_MESSAGE(trusted.opened && trusted.echoed, describe(trusted));
  auto refused = io.run(server.url(), {}, *without_system);
  BOOST_CHECK(!refused.opened);
  BOOST_CHECK_MESSAGE(refused.end && refused.end->cause.code == errc::tls_verify_failed,
                      describe(refused));
  ::unsetenv("SSL_CERT_FILE");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(session_resumption, tls_fixture)

// The second session of one context to the same host and port resumes the first one's
// TLS session (TLS 1.3 ticket), and both sides say so; the timings are filled.
BOOST_AUTO_TEST_CASE(second_session_resumes) {
  auto context = client();
  auto first = session_fixture::run(server.url(), {}, context);
  BOOST_REQUIRE_MESSAGE(first.opened && first.echoed, describe(first));
  BOOST_CHECK(!first.tls_resumed);
  BOOST_CHECK(!server.last_tls_handshake()->resumed);
  BOOST_CHECK(first.timings.tls_handshake > 0us);
  BOOST_CHECK(first.timings.tcp_connect > 0us);
  BOOST_CHECK(first.timings.upgrade > 0us);

  for (int i = 0; i < 2; ++i) {  // tickets are renewed: every reconnect resumes
    auto next = session_fixture::run(server.url(), {}, context);
    BOOST_REQUIRE_MESSAGE(next.opened && next.echoed, describe(next));
    BOOST_CHECK(next.tls_resumed);
    BOOST_CHECK(server.last_tls_handshake()->resumed);
  }
}

// Sessions are kept per host and port: a session for localhost is not offered to
// 127.0.0.1, and another context starts afresh.
BOOST_AUTO_TEST_CASE(sessions_are_per_host_and_context) {
  auto context = client();
  BOOST_REQUIRE(session_fixture::run(server.url(), {}, context).opened);
  auto other_host = session_fixture::run(ip_url(), {}, context);
  BOOST_REQUIRE_MESSAGE(other_host.opened, describe(other_host));
  BOOST_CHECK(!other_host.tls_resumed);
  auto other_context = session_fixture::run(server.url(), {}, client());
  BOOST_REQUIRE_MESSAGE(other_context.opened, describe(other_context));
  BOOST_CHECK(!other_context.tls_resumed);
  auto again = session_fixture::run(ip_url(), {}, context);
  BOOST_CHECK(again.tls_resumed);
}

// Resumption can be turned off (it costs a cached session per context): full handshakes.
BOOST_AUTO_TEST_CASE(resumption_can_be_turned_off) {
  auto context = client(tls_options{.resume_sessions = false});
  BOOST_REQUIRE(session_fixture::run(server.url(), {}, context).opened);
  auto second = session_fixture::run(server.url(), {}, context);
  BOOST_REQUIRE_MESSAGE(second.opened, describe(second));
  BOOST_CHECK(!second.tls_resumed);
  BOOST_CHECK(!server.last_tls_handshake()->resumed);
}

// ws:// has no TLS: never "resumed", no TLS time.
BOOST_AUTO_TEST_CASE(plain_sessions_have_no_tls_timing) {
  echo_server plain;
  auto run = session_fixture::run(plain.url());
  BOOST_REQUIRE(run.opened);
  BOOST_CHECK(!run.tls_resumed);
  BOOST_CHECK(run.timings.tls_handshake == 0us);
  BOOST_CHECK(run.timings.total() >= run.timings.upgrade);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(context_cache, tls_fixture)

// Equal options give the same context; options that differ in any field give another.
BOOST_AUTO_TEST_CASE(one_context_per_distinct_options) {
  tls_context_cache cache;
  tls_options options{.ca_file = certs->ca_cert.string()};
  auto a = cache.get(options);
  auto b = cache.get(options);
  BOOST_REQUIRE(a && b);
  BOOST_CHECK(a->get() == b->get());
  auto insecure = cache.get(tls_options{.insecure = true});
  auto no_resume = cache.get(tls_options{.ca_file = options.ca_file, .resume_sessions = false});
  BOOST_REQUIRE(insecure && no_resume);
  BOOST_CHECK(insecure->get() != a->get());
  BOOST_CHECK(no_resume->get() != a->get());
  BOOST_CHECK_EQUAL(cache.size(), 3u);
}

// A file that cannot be loaded is an error, and nothing is cached for it.
BOOST_AUTO_TEST_CASE(bad_file_is_an_error_and_not_cached) {
  tls_context_cache cache;
  auto bad = cache.get(tls_options{.ca_file = (certs->dir / "missing.pem").string()});
  BOOST_REQUIRE(!bad);
  BOOST_CHECK(bad.error().code == errc::invalid_argument);
  BOOST_CHECK_EQUAL(cache.size(), 0u);
}

// Sessions through contexts of one cache resume across sessions, as with one context.
BOOST_AUTO_TEST_CASE(sessions_of_cached_contexts_resume) {
  tls_context_cache cache;
  tls_options options{.ca_file = certs->ca_cert.string()};
  auto first = session_fixture::run(server.url(), {}, *cache.get(options));
  BOOST_REQUIRE_MESSAGE(first.opened, describe(first));
  auto second = session_fixture::run(server.url(), {}, *cache.get(options));
  BOOST_REQUIRE_MESSAGE(second.opened, describe(second));
  BOOST_CHECK(second.tls_resumed);
}

BOOST_AUTO_TEST_SUITE_END()
