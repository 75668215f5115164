// wss:// through the client facade against the in-process TLS echo server and throw-away
// certificates: verification is on by default, trusts an explicit CA, checks the host name
// (and IP address), and is skipped only when `insecure` says so.
#define BOOST_TEST_MODULE connection_tls
#include <wsnova/actors/client.hpp>

#include <boost/test/unit_test.hpp>

#include <filesystem>

#include <wsnova/actors/io_module.hpp>

#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/certs.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

struct fixture : test::actor_system_fixture {
  test::temp_certs certs;

  /// Returns the options of a TLS echo server presenting `cert` with `key`.
  static test::server_options tls_server(const std::filesystem::path& cert,
                                         const std::filesystem::path& key) {
    test::server_options options;
    options.tls = true;
    options.cert_file = cert.string();
    options.key_file = key.string();
    return options;
  }

  test::server_options ca_signed() const {
    return tls_server(certs->server_cert, certs->server_key);
  }

  connection_config trusting_ca(std::string url) const {
    connection_config config;
    config.url = std::move(url);
    config.session.tls.ca_file = certs->ca_cert.string();
    return config;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(tls, fixture)

// A certificate from a CA the client does not trust fails with tls_verify_failed.
BOOST_AUTO_TEST_CASE(untrusted_ca_gives_tls_verify_failed) {
  test::echo_server server{ca_signed()};
  connection_config config;
  config.url = server.url();
  auto err = test::connect_error(system, config);
  BOOST_CHECK_MESSAGE(is(err, errc::tls_verify_failed), describe(err));
  BOOST_CHECK_EQUAL(server.accepted_count(), 0u);
}

// With the test CA in tls.ca_file the connection verifies, and messages flow.
BOOST_AUTO_TEST_CASE(trusted_ca_connects_and_echoes) {
  test::echo_server server{ca_signed()};
  BOOST_REQUIRE(server.url().starts_with("wss://localhost:"));
  auto c = test::connect_or_fail(system, trusting_ca(server.url()));
  BOOST_REQUIRE(!c.send_text("over tls"));
  BOOST_CHECK_EQUAL(test::receive_or_fail(c).payload, "over tls");
  BOOST_REQUIRE(!c.send_binary(std::string(70000, '\x01')));
  BOOST_CHECK_EQUAL(test::receive_or_fail(c).payload, std::string(70000, '\x01'));
  BOOST_REQUIRE(!c.close());
  BOOST_CHECK_EQUAL(c.closed()->code, close_code::normal);
}

// A close the server starts over TLS reaches the owner with its code and reason, and the
// client answers it (the TLS shutdown does not hold up the end of the connection).
BOOST_AUTO_TEST_CASE(server_close_over_tls_reaches_owner) {
  test::echo_server server{ca_signed()};
  auto c = test::connect_or_fail(system, trusting_ca(server.url()));
  BOOST_REQUIRE(!c.send_text("!close 4001 bye"));
  auto events = test::events_until_closed(c);
  const auto& closed = std::get<closed_event>(events.back());
  BOOST_CHECK_EQUAL(closed.code, 4001);
  BOOST_CHECK_EQUAL(closed.reason, "bye");
  auto answer = server.wait_for_client_close(5s);
  BOOST_REQUIRE(answer);
  BOOST_CHECK_EQUAL(answer->code, 4001);
}

// An IP literal URL verifies against the certificate's IP subjectAltName.
BOOST_AUTO_TEST_CASE(ip_literal_verifies_against_ip_san) {
  test::echo_server server{ca_signed()};
  auto url = "wss://127.0.0.1:" + std::to_string(server.port()) + "/";
  auto c = test::connect_or_fail(system, trusting_ca(url));
  BOOST_REQUIRE(!c.send_text("by address"));
  BOOST_CHECK_EQUAL(test::receive_or_fail(c).payload, "by address");
}

// A certificate from a trusted CA but for another host name fails with tls_verify_failed,
// and the detail names the hostname mismatch.
BOOST_AUTO_TEST_CASE(wrong_host_name_gives_tls_verify_failed) {
  test::echo_server server{tls_server(certs->wrong_host_cert, certs->wrong_host_key)};
  auto err = test::connect_error(system, trusting_ca(server.url()));
  BOOST_REQUIRE_MESSAGE(is(err, errc::tls_verify_failed), describe(err));
  BOOST_CHECK_MESSAGE(describe(err).find("hostname mismatch") != std::string::npos, describe(err));
}

// A self-signed certificate is refused even with the test CA trusted.
BOOST_AUTO_TEST_CASE(self_signed_refused_when_verifying) {
  test::echo_server server{tls_server(certs->self_signed_cert, certs->self_signed_key)};
  auto err = test::connect_error(system, trusting_ca(server.url()));
  BOOST_CHECK_MESSAGE(is(err, errc::tls_verify_failed), describe(err));
}

// tls.insecure skips verification: the self-signed server is reached.
BOOST_AUTO_TEST_CASE(insecure_accepts_self_signed) {
  test::echo_server server{tls_server(certs->self_signed_cert, certs->self_signed_key)};
  connection_config config;
  config.url = server.url();
  config.session.tls.insecure = true;
  auto c = test::connect_or_fail(system, config);
  BOOST_REQUIRE(!c.send_text("unverified"));
  BOOST_CHECK_EQUAL(test::receive_or_fail(c).payload, "unverified");
}

// A CA file that cannot be loaded is bad input, refused with invalid_argument before any
// connection starts.
BOOST_AUTO_TEST_CASE(missing_ca_file_gives_invalid_argument) {
  auto config = trusting_ca("wss://localhost:1/");
  config.session.tls.ca_file = (certs->dir / "no-such-ca.pem").string();
  auto err = test::connect_error(system, config);
  BOOST_CHECK_MESSAGE(is(err, errc::invalid_argument), describe(err));
}

// Connections made with equal TLS options share one context (none is built per connection),
// so a second connection to the same host resumes the first one's TLS session.
BOOST_AUTO_TEST_CASE(connections_share_the_context_and_resume) {
  test::echo_server server{ca_signed()};
  auto& contexts = io_module::of(system)->tls_contexts();
  auto before = contexts.size();
  auto first = test::connect_or_fail(system, trusting_ca(server.url()));
  BOOST_REQUIRE(!first.close());
  BOOST_CHECK(!server.last_tls_handshake()->resumed);
  for (int i = 0; i < 2; ++i) {
    auto next = test::connect_or_fail(system, trusting_ca(server.url()));
    BOOST_REQUIRE(!next.send_text("resumed"));
    BOOST_CHECK_EQUAL(test::receive_or_fail(next).payload, "resumed");
    BOOST_CHECK(server.last_tls_handshake()->resumed);
    BOOST_REQUIRE(!next.close());
  }
  BOOST_CHECK_EQUAL(contexts.size(), before + 1);
}

// A CA file replaced on disk is read again by the next connection: a CA that no longer
// signs the server's certificate fails it, the old one (restored) works again.
BOOST_AUTO_TEST_CASE(replaced_ca_file_is_read_again) {
  test::echo_server server{ca_signed()};
  auto ca_copy = certs->dir / "ca-copy.pem";
  std::filesystem::copy_file(certs->ca_cert, ca_copy);
  auto config = trusting_ca(server.url());
  config.session.tls.ca_file = ca_copy.string();
  auto c = test::connect_or_fail(system, config);
  BOOST_REQUIRE(!c.close());
  test::temp_certs other;  // another CA: it did not sign the server's certificate
  std::filesystem::copy_file(other->ca_cert, ca_copy,
                             std::filesystem::copy_options::overwrite_existing);
  auto err = test::connect_error(system, config);
  BOOST_CHECK_MESSAGE(is(err, errc::tls_verify_failed), describe(err));
}

BOOST_AUTO_TEST_SUITE_END()
