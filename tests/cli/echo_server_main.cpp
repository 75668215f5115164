// wsnova's in-process echo server (testing/echo_server.hpp) as a program, so the `wsnova`
// command's tests can talk to it like a user would.
//
//   wsnova_cli_echo_server [--tls DIR [--require-client-cert]] [--proxy CREDENTIALS]
//
// Prints `PORT <n>` on stdout once listening; with --tls also `CA <path>` of the CA to trust
// and `CLIENT_CERT <path>` / `CLIENT_KEY <path>` of a client certificate the CA issued (the
// files are written into DIR); --require-client-cert makes the server demand one (mutual
// TLS). --proxy also starts the test kit's CONNECT proxy (testing/connect_proxy.hpp),
// requiring the Basic credentials "user:password" (`-` for none), and prints
// `PROXY_PORT <n>`. Serves until stdin reaches end of file. Commands on stdin, one per line:
// `drop` resets every connection (no close frame).

#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include <wsnova/testing/certs.hpp>
#include <wsnova/testing/connect_proxy.hpp>
#include <wsnova/testing/echo_server.hpp>

int main(int argc, char** argv) {
  using namespace wsnova::test;
  try {
    server_options options;
    std::optional<test_certs> certs;
    std::optional<connect_proxy_options> proxy_options;
    bool require_client_cert = false;
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--tls" && i + 1 < argc) {
        certs = make_test_certs(argv[++i]);
        options.tls = true;
        options.cert_file = certs->server_cert.string();
        options.key_file = certs->server_key.string();
      } else if (arg == "--require-client-cert") {
        require_client_cert = true;
      } else if (arg == "--proxy" && i + 1 < argc) {
        std::string credentials = argv[++i];
        proxy_options = connect_proxy_options{.credentials = credentials == "-" ? "" : credentials};
      } else {
        std::cerr << "usage: wsnova_cli_echo_server [--tls DIR [--require-client-cert]] "
                     "[--proxy CREDENTIALS]\n";
        return 2;
      }
    }
    if (require_client_cert) {
      if (!certs) {
        std::cerr << "wsnova_cli_echo_server: --require-client-cert needs --tls\n";
        return 2;
      }
      options.client_ca_file = certs->ca_cert.string();
    }
    echo_server server{options};
    std::optional<connect_proxy> proxy;
    if (proxy_options) proxy.emplace(*proxy_options);
    std::cout << "PORT " << server.port() << '\n';
    if (certs)
      std::cout << "CA " << certs->ca_cert.string() << '\n'
                << "CLIENT_CERT " << certs->client_cert.string() << '\n'
                << "CLIENT_KEY " << certs->client_key.string() << '\n';
    if (proxy) std::cout << "PROXY_PORT " << proxy->port() << '\n';
    std::cout << std::flush;
    for (std::string line; std::getline(std::cin, line);)
      if (line == "drop") server.drop_all();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "wsnova_cli_echo_server: " << e.what() << '\n';
    return 1;
  }
}
