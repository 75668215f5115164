// wsnova-deribit's command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <wsnova/actors/profiles.hpp>

namespace deribit_example {

/// What the command line asks for.
struct options {
  /// Empty: start the local exchange in-process and stream from it.
  std::string url;
  std::string client_id;
  std::string client_secret;
  std::vector<std::string> channels;
  /// 0: run until Ctrl-C.
  std::uint64_t count = 0;
  std::chrono::seconds heartbeat{10};
  wsnova::profile profile = wsnova::profile::financial;
  /// Extra CA certificates (PEM) for wss://.
  std::string ca_file;
  /// Token lifetime of the local exchange (shows a refresh on stderr), seconds.
  std::chrono::seconds local_token_lifetime{900};
};

/// Parses `argv`; returns nothing after printing help (exit 0) or an error (exit 2), with
/// `exit_code` set.
std::optional<options> parse_options(int argc, char** argv, int& exit_code);

}  // namespace deribit_example
