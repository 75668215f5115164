// wsnova's local Deribit-style exchange (testing/deribit_exchange.hpp) as a program, for
// manual use and for peers in other languages (tests/exchange/python_client.py).
//
//   wsnova-exchange [--port N] [--tls DIR] [--client-id ID] [--client-secret S]
//                   [--token-lifetime SECONDS] [--interval MS] [--min-heartbeat SECONDS]
//                   [--close-on-rate-limit] [--ignore-stdin]
//
// Prints `URL <url>` and `PORT <n>` (with --tls also `CA <path>`, the CA to trust; the
// certificates are written into DIR) on stdout once listening. Then each stdin line is a
// control command (`drop`, `close CODE [REASON]`, `stall MS`, `expire`, `expire-all`,
// `lifetime SECONDS`, `ratelimit K`, `reject STATUS K`, `stats`, `subscriptions`), answered
// with one line; end of input stops the exchange. With --ignore-stdin it serves until
// SIGINT or SIGTERM instead.

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <wsnova/testing/certs.hpp>
#include <wsnova/testing/deribit_exchange.hpp>

namespace {

constexpr std::string_view usage =
    "usage: wsnova-exchange [--port N] [--tls DIR] [--client-id ID] [--client-secret S]\n"
    "                       [--token-lifetime SECONDS] [--interval MS] [--min-heartbeat SECONDS]\n"
    "                       [--close-on-rate-limit] [--ignore-stdin]\n";

/// Returns the number in `text`, or exits with status 2 naming `flag`.
long long number(std::string_view flag, const std::string& text) {
  try {
    std::size_t used = 0;
    auto value = std::stoll(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
    // reported below
  }
  std::cerr << "wsnova-exchange: " << flag << " needs a non-negative number, got '" << text << "'\n"
            << usage;
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace wsnova::test;
  try {
    exchange_options options;
    std::optional<std::string> tls_dir;
    bool ignore_stdin = false;
    for (int i = 1; i < argc; ++i) {
      std::string_view flag = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) {
          std::cerr << "wsnova-exchange: " << flag << " needs a value\n" << usage;
          std::exit(2);
        }
        return argv[++i];
      };
      if (flag == "--port") {
        options.port = static_cast<std::uint16_t>(number(flag, value()));
      } else if (flag == "--tls") {
        tls_dir = value();
      } else if (flag == "--client-id") {
        options.client_id = value();
      } else if (flag == "--client-secret") {
        options.client_secret = value();
      } else if (flag == "--token-lifetime") {
        options.token_lifetime = std::chrono::seconds(number(flag, value()));
      } else if (flag == "--interval") {
        options.notification_interval = std::chrono::milliseconds(number(flag, value()));
      } else if (flag == "--min-heartbeat") {
        options.min_heartbeat_interval = static_cast<double>(number(flag, value()));
      } else if (flag == "--close-on-rate-limit") {
        options.close_on_rate_limit = true;
      } else if (flag == "--ignore-stdin") {
        ignore_stdin = true;
      } else if (flag == "--help" || flag == "-h") {
        std::cout << usage;
        return 0;
      } else {
        std::cerr << "wsnova-exchange: unknown argument '" << flag << "'\n" << usage;
        return 2;
      }
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    // Blocked before any thread starts (openssl runs, I/O threads), so that only sigwait below
    // receives them.
    if (ignore_stdin) pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::optional<test_certs> certs;
    if (tls_dir) {
      certs = make_test_certs(*tls_dir);
      options.tls = true;
      options.cert_file = certs->server_cert.string();
      options.key_file = certs->server_key.string();
    }
    deribit_exchange exchange{options};
    std::cout << "URL " << exchange.url() << '\n' << "PORT " << exchange.port() << '\n';
    if (certs) std::cout << "CA " << certs->ca_cert.string() << '\n';
    std::cout << std::flush;
    if (ignore_stdin) {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      return 0;
    }
    for (std::string line; std::getline(std::cin, line);)
      std::cout << exchange.control(line) << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "wsnova-exchange: " << e.what() << '\n';
    return 1;
  }
}
