#include "options.hpp"

#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include <wsnova/transport/proxy.hpp>

#include "exit_codes.hpp"
#include "output.hpp"

#ifndef WSNOVA_VERSION
#define WSNOVA_VERSION "unknown"
#endif

namespace po = boost::program_options;

namespace wsnova::cli {

namespace {

constexpr const char* usage_line =
    "usage: wsnova [options] [ws://host:port/path | wss://host:port/path]\n"
    "\n"
    "Without a URL, wsnova runs a demo: it starts an embedded echo server on 127.0.0.1,\n"
    "talks to it and prints every step.\n"
    "\n"
    "With a URL, every line read from stdin is sent as one message and every message\n"
    "received is printed on stdout: text as is, binary as a line\n"
    "`binary(base64): <standard base64, RFC 4648>`. Status lines and errors go to stderr.\n"
    "Text lines must be UTF-8 (RFC 6455 requires it); send anything else with --binary.\n"
    "\n"
    "At the end of stdin wsnova closes with code 1000; every message that arrives before\n"
    "the server's Close is still printed, then wsnova exits. Ctrl-C or SIGTERM closes the\n"
    "same way but drops the lines not yet sent (and says how many); a second one kills.\n"
    "The close waits at most --connect-timeout. Whoever closes, wsnova prints\n"
    "`closed: CODE REASON (closed by the server|closed by wsnova|connection dropped ...)`.\n"
    "\n"
    "When the server reads slower than stdin delivers, wsnova stops reading stdin until\n"
    "its send queue drains (it says so once), so memory stays bounded: at most 16 MiB or\n"
    "4096 messages queued, plus the line being read; a line may not exceed 16 MiB.\n";

/// Splits "Name: value" (or "Name:value") at the first colon; the value's leading blanks
/// are not part of it, as in HTTP.
std::optional<std::pair<std::string, std::string>> split_header(const std::string& text) {
  auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  auto value_start = text.find_first_not_of(" \t", colon + 1);
  std::string value = value_start == std::string::npos ? "" : text.substr(value_start);
  return std::pair{text.substr(0, colon), std::move(value)};
}

/// Prints a usage error the way every error is printed and returns the usage exit code.
int usage_error(const std::string& detail) {
  print_error("usage", detail + " (see wsnova --help)");
  return exit_usage;
}

}  // namespace

parse_result parse_options(int argc, char** argv) {
  cli_options result;
  std::vector<std::string> headers;
  // Signed on purpose: program_options would otherwise turn "-5" into a huge number.
  long long ping_ms = 20000;
  long long max_message = static_cast<long long>(result.max_message);
  long long connect_ms = result.connect_timeout.count();
  long long linger_ms = result.linger.count();
  std::string profile_name;

  po::options_description visible{"options"};
  visible.add_options()("help,h", "print this help and exit")("version",
                                                              "print the version and exit")(
      "header,H", po::value(&headers)->composing(),
      "add an HTTP header to the upgrade request, K:V (repeatable)")(
      "subprotocol,s", po::value(&result.subprotocols)->composing(),
      "offer a subprotocol in Sec-WebSocket-Protocol (repeatable, in order of preference)")(
      "ca-file", po::value(&result.ca_file), "trust the CA certificates in this PEM file too")(
      "cert", po::value(&result.cert_file), "client certificate (PEM) for mutual TLS")(
      "key", po::value(&result.key_file), "private key (PEM) of --cert")(
      "proxy", po::value(&result.proxy)->value_name("URL"),
      "connect through this HTTP proxy (CONNECT tunnel, ws and wss): "
      "http://[user:password@]host[:port]")(
      "proxy-from-env", po::bool_switch(&result.proxy_from_env),
      "without --proxy, take the proxy from https_proxy (wss) or http_proxy (ws), and hosts to "
      "reach directly from no_proxy")("insecure,k", po::bool_switch(&result.insecure),
                                      "DANGEROUS: do not verify the server's TLS certificate")(
      "compress", po::bool_switch(&result.compress), "offer permessage-deflate compression")(
      "ping-interval", po::value(&ping_ms)->value_name("MS"),
      "send a heartbeat ping every MS milliseconds (default 20000, as Python websockets); 0 is "
      "off")("max-message", po::value(&max_message)->value_name("BYTES"),
             "largest message accepted from the server (default 16777216)")(
      "binary,b", po::bool_switch(&result.binary), "send stdin lines as binary messages")(
      "connect-timeout", po::value(&connect_ms)->value_name("MS"),
      "deadline for connecting, for the TLS and upgrade handshake, and for the close "
      "handshake (default 10000)")(
      "profile", po::value(&profile_name)->value_name("NAME"),
      "start from a deployment profile: financial, standard, lightweight or chat (timeouts, "
      "heartbeat, compression, queues, rate limit; flags given override it; the command "
      "still never reconnects)")(
      "linger", po::value(&linger_ms)->value_name("MS"),
      "at end of input, close once every line is written and nothing has arrived for MS "
      "milliseconds, so replies on their way are printed; at most 10 x MS after the end of "
      "input (default 1000); 0 closes at once")("quiet,q", po::bool_switch(&result.quiet),
                                                "print no status lines, only messages and errors");
  po::options_description hidden;
  hidden.add_options()("url", po::value(&result.url));
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("url", 1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }

  if (vm.count("help")) {
    std::ostringstream out;
    out << usage_line << '\n' << visible << "\nexit codes:\n" << exit_code_table();
    std::cout << out.str() << std::flush;
    return exit_ok;
  }
  if (vm.count("version")) {
    std::cout << "wsnova " << WSNOVA_VERSION << '\n' << std::flush;
    return exit_ok;
  }

  for (const auto& [name, value] : vm)
    if (!value.defaulted()) result.given.insert(name);
  if (!profile_name.empty()) {
    result.profile = profile_from_string(profile_name);
    if (!result.profile)
      return usage_error("--profile: unknown profile '" + profile_name +
                         "' (financial, standard, lightweight or chat)");
  }
  for (const auto& header : headers) {
    auto kv = split_header(header);
    if (!kv) return usage_error("--header needs K:V, got '" + header + "'");
    result.headers.push_back(std::move(*kv));
  }
  if (ping_ms < 0) return usage_error("--ping-interval must be 0 or more");
  if (max_message <= 0) return usage_error("--max-message must be positive");
  if (connect_ms <= 0) return usage_error("--connect-timeout must be positive");
  if (linger_ms < 0) return usage_error("--linger must be 0 or more");
  if (result.key_file.empty() != result.cert_file.empty())
    return usage_error("--cert and --key go together");
  // The detail never repeats the URL: it may hold a password.
  if (!result.proxy.empty())
    if (auto proxy = parse_proxy_url(result.proxy); !proxy)
      return usage_error("--proxy: " + proxy.error().detail);
  result.ping_interval = std::chrono::milliseconds{ping_ms};
  result.max_message = static_cast<std::size_t>(max_message);
  result.connect_timeout = std::chrono::milliseconds{connect_ms};
  result.linger = std::chrono::milliseconds{linger_ms};
  return result;
}

connection_config to_connection_config(const cli_options& options) {
  auto config = options.profile ? make_profile(*options.profile, options.url) : connection_config{};
  config.url = options.url;
  // Without a profile every option applies (with its default); with one, only those given.
  auto chosen = [&](const char* flag) { return !options.profile || options.given.contains(flag); };
  config.id = "wsnova-cli";
  // The tool reports every event itself (stderr); the library's log lines would repeat them.
  config.log_threshold = log_level::off;
  // A command reports a failure and exits with its code (scripts rely on that); silently
  // retrying forever, the library's default, would hide a dead server behind a hang.
  config.reconnect.enabled = false;
  // The send queue is the command's memory bound (see --help); stdin pauses above it.
  if (!options.profile) {
    config.sending.max_queued_messages = 4096;
    config.sending.max_queued_bytes = 16u << 20;
  }
  auto& session = config.session;
  session.headers = options.headers;
  session.subprotocols = options.subprotocols;
  if (chosen("compress")) session.compress = options.compress;
  if (chosen("max-message")) session.max_message_size = options.max_message;
  if (chosen("connect-timeout")) {
    session.connect_timeout = options.connect_timeout;
    session.handshake_timeout = options.connect_timeout;
  }
  if (chosen("ping-interval")) session.ping_interval = options.ping_interval;
  session.user_agent = std::string{"wsnova-cli/"} + WSNOVA_VERSION;
  session.tls.insecure = options.insecure;
  session.tls.ca_file = options.ca_file;
  session.tls.cert_file = options.cert_file;
  session.tls.key_file = options.key_file;
  session.proxy.url = options.proxy;
  session.proxy.from_environment = options.proxy_from_env;
  return config;
}

}  // namespace wsnova::cli
