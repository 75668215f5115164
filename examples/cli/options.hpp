#pragma once

/// @file
/// Command-line options of the `wsnova` command.

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <wsnova/actors/connection_config.hpp>
#include <wsnova/actors/profiles.hpp>

namespace wsnova::cli {

/// Everything the command line says. Defaults match the library's defaults.
struct cli_options {
  /// ws:// or wss:// URL; empty runs the demo against the embedded server.
  std::string url;
  /// Extra upgrade request headers from `--header K:V`, in order.
  std::vector<std::pair<std::string, std::string>> headers;
  /// Offered subprotocols from `--subprotocol`, in order of preference.
  std::vector<std::string> subprotocols;
  /// Extra CA file (PEM) to trust.
  std::string ca_file;
  /// Client certificate (PEM) for mutual TLS.
  std::string cert_file;
  /// Private key (PEM) of `cert_file`.
  std::string key_file;
  /// HTTP CONNECT proxy URL from `--proxy`; empty for none.
  std::string proxy;
  /// Take the proxy from https_proxy / http_proxy / no_proxy (`--proxy-from-env`).
  bool proxy_from_env = false;
  /// Skip certificate verification.
  bool insecure = false;
  /// Offer permessage-deflate.
  bool compress = false;
  /// Heartbeat interval; zero is off.
  std::chrono::milliseconds ping_interval{20000};
  /// Largest message accepted from the server, in bytes.
  std::size_t max_message = 16u << 20;
  /// Send stdin lines as binary messages instead of text.
  bool binary = false;
  /// Deadline for connecting (DNS, TCP, TLS and upgrade each).
  std::chrono::milliseconds connect_timeout{10'000};
  /// Print no status lines, only messages and errors.
  bool quiet = false;
  /// After the end of input: close once every line is written and nothing has arrived for
  /// this long (replies still on their way are printed); zero closes at once.
  std::chrono::milliseconds linger{1000};
  /// A deployment profile to start from (`--profile`); the flags given explicitly override
  /// its settings. The command never reconnects, whatever the profile says.
  std::optional<wsnova::profile> profile;
  /// The long names of the flags given on the command line.
  std::set<std::string> given;
};

/// What to do after parsing: run with options, or exit at once with a code (after `--help`,
/// `--version`, or a usage error, which `parse_options` has already printed).
using parse_result = std::variant<cli_options, int>;

/// Parses `argv`. Prints help or version to stdout and usage errors to stderr
/// (`wsnova: error: usage: ...`), returning the exit code in those cases.
parse_result parse_options(int argc, char** argv);

/// Builds the connection configuration for `options` (the URL included).
connection_config to_connection_config(const cli_options& options);

}  // namespace wsnova::cli
