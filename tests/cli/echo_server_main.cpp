// wsnova's in-process echo server (testing/echo_server.hpp) as a program, so the `wsnova`
// command's tests can talk to it like a user would.
//
//   wsnova_cli_echo_server [--tls DIR]
//
// Prints `PORT <n>` (and, with --tls, `CA <path>` of the CA to trust; the certificates are
// written into DIR) on stdout once listening, then serves until stdin reaches end of file.
// Commands on stdin, one per line: `drop` resets every connection (no close frame).

#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include <wsnova/testing/certs.hpp>
#include <wsnova/testing/echo_server.hpp>

int main(int argc, char** argv) {
  using namespace wsnova::test;
  try {
    server_options options;
    std::optional<test_certs> certs;
    if (argc == 3 && std::string{argv[1]} == "--tls") {
      certs = make_test_certs(argv[2]);
      options.tls = true;
      options.cert_file = certs->server_cert.string();
      options.key_file = certs->server_key.string();
    } else if (argc != 1) {
      std::cerr << "usage: wsnova_cli_echo_server [--tls DIR]\n";
      return 2;
    }
    echo_server server{options};
    std::cout << "PORT " << server.port() << '\n';
    if (certs) std::cout << "CA " << certs->ca_cert.string() << '\n';
    std::cout << std::flush;
    for (std::string line; std::getline(std::cin, line);)
      if (line == "drop") server.drop_all();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "wsnova_cli_echo_server: " << e.what() << '\n';
    return 1;
  }
}
