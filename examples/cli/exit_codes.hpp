#pragma once

/// @file
/// Exit codes of the `wsnova` command and how errors map to them.

#include <string>

#include <caf/error.hpp>

namespace wsnova::cli {

/// Process exit codes, one per failure category, so scripts can tell a typo from a dead
/// server without parsing stderr. `--help` prints this table (see `exit_code_table`).
enum exit_code : int {
  /// Success: the demo finished, or the connection closed with 1000.
  exit_ok = 0,
  /// Any failure not covered below (internal error).
  exit_failure = 1,
  /// Usage: unknown or malformed option, bad URL; bad input: a stdin line that is not
  /// UTF-8 in text mode, or longer than the send queue holds.
  exit_usage = 2,
  /// Could not reach the server: DNS failure, connection refused.
  exit_network = 3,
  /// TLS failed: certificate verification or handshake.
  exit_tls = 4,
  /// The server rejected the WebSocket upgrade (HTTP status other than 101).
  exit_rejected = 5,
  /// A deadline passed (connect, handshake, heartbeat, close).
  exit_timeout = 6,
  /// The open connection failed: dropped without a close handshake, or wsnova closed it
  /// because of the server (protocol violation 1002, invalid UTF-8 1007, too big 1009).
  exit_connection = 7,
  /// The server closed the connection with a code other than 1000.
  exit_closed_abnormally = 8,
};

/// Returns the exit code for a failure reported by the library.
exit_code exit_code_for(const caf::error& err);

/// Returns the exit-code table shown by `--help`, one "  N  meaning" line per code.
std::string exit_code_table();

}  // namespace wsnova::cli
