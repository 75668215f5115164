#include "options.hpp"

#include <cstdlib>
#include <iostream>

#include <boost/program_options.hpp>

namespace deribit_example {

namespace po = boost::program_options;

namespace {

constexpr const char* usage =
    "wsnova-deribit [--url URL] [--client-id ID --client-secret S] --subscribe CHANNEL ...\n"
    "               [--count N] [--heartbeat SECONDS] [--profile NAME]\n\n"
    "Streams Deribit notifications (API v2, JSON-RPC over WebSocket) as JSON lines\n"
    "{\"channel\": ..., \"data\": ...} on stdout; status and errors on stderr. The connection\n"
    "runs under a supervisor: drops, stalls and token expiry are survived, auth and\n"
    "subscriptions restored. Without --url a local exchange starts in-process (no network).\n"
    "Credentials also from WSNOVA_DERIBIT_CLIENT_ID and WSNOVA_DERIBIT_CLIENT_SECRET.\n"
    "Exit status: 0 after N notifications or Ctrl-C, 1 when the feed gave up, 2 on bad usage.\n\n";

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string{value} : std::move(fallback);
}

}  // namespace

std::optional<options> parse_options(int argc, char** argv, int& exit_code) {
  options result;
  std::string profile_name = "financial";
  long heartbeat = 10;
  long token_lifetime = 900;
  po::options_description flags{"Options"};
  flags.add_options()("help,h", "this text")(
      "url", po::value(&result.url), "wss://test.deribit.com/ws/api/v2, say; default: local")(
      "client-id", po::value(&result.client_id), "API key id (private channels, user.*)")(
      "client-secret", po::value(&result.client_secret), "API key secret")(
      "subscribe", po::value(&result.channels)->composing(),
      "a channel, e.g. ticker.BTC-PERPETUAL.100ms; repeat for more")(
      "count", po::value(&result.count), "exit 0 after N notifications (default: run on)")(
      "heartbeat", po::value(&heartbeat),
      "public/set_heartbeat interval, seconds (default 10, Deribit's minimum; 0: off)")(
      "profile", po::value(&profile_name), "financial (default), standard, lightweight or chat")(
      "ca-file", po::value(&result.ca_file), "extra trusted CA certificates (PEM) for wss://")(
      "token-lifetime", po::value(&token_lifetime),
      "local exchange only: token lifetime in seconds (default 900)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, flags), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "wsnova-deribit: " << e.what() << " (see --help)\n";
    exit_code = 2;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << usage << flags << '\n';
    exit_code = 0;
    return std::nullopt;
  }
  auto chosen = wsnova::profile_from_string(profile_name);
  if (!chosen || heartbeat < 0 || token_lifetime < 1 ||
      (result.channels.empty() && !result.url.empty())) {
    std::cerr << "wsnova-deribit: "
              << (!chosen              ? "unknown profile '" + profile_name + "'"
                  : heartbeat < 0      ? std::string{"--heartbeat must be 0 or more"}
                  : token_lifetime < 1 ? std::string{"--token-lifetime must be 1 or more"}
                                       : std::string{"--subscribe CHANNEL is required"})
              << " (see --help)\n";
    exit_code = 2;
    return std::nullopt;
  }
  result.profile = *chosen;
  result.heartbeat = std::chrono::seconds{heartbeat};
  result.local_token_lifetime = std::chrono::seconds{token_lifetime};
  result.client_id = env_or("WSNOVA_DERIBIT_CLIENT_ID", result.client_id);
  result.client_secret = env_or("WSNOVA_DERIBIT_CLIENT_SECRET", result.client_secret);
  if (vm.count("client-id")) result.client_id = vm["client-id"].as<std::string>();
  if (vm.count("client-secret")) result.client_secret = vm["client-secret"].as<std::string>();
  return result;
}

}  // namespace deribit_example
