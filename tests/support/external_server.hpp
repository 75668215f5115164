// WebSocket echo servers written by others (Python websockets, Node ws), run as child
// processes so that wsnova is tested against peers it did not write.
#pragma once

#include <wsnova/testing/detail/child_process.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace wsnova::test {

/// Options of the interop peers in tests/interop/.
struct external_options {
  /// Serve `wss://` with `cert_file`/`key_file` (PEM). Default false.
  bool tls = false;

  /// PEM certificate chain for TLS, e.g. `make_test_certs(..).server_cert`.
  std::filesystem::path cert_file;

  /// PEM private key of `cert_file`.
  std::filesystem::path key_file;

  /// How long to wait for the `PORT n` line after starting. Default 10 s.
  std::chrono::milliseconds start_deadline{10000};
};

/// A WebSocket server running as a child process that prints `PORT <n>` on its own line
/// on stdout once it listens on 127.0.0.1:<n>.
///
/// The peers in tests/interop/ (`python_echo_server.py`, `node_ws_server.js`) echo every
/// message with the same kind and honour the text commands `!close CODE REASON` and
/// `!stream N` like `echo_server`. They exit on SIGTERM or when their stdin reaches EOF.
///
/// Missing interpreters or modules are errors, never a silent skip: the factories throw
/// `std::runtime_error` saying what to install.
class external_server {
 public:
  // -- constructors ---------------------------------------------------------------------

  /// Starts `argv` (no shell; argv[0] looked up on PATH) and waits up to `start_deadline`
  /// for its `PORT <n>` line. `tls` selects the scheme `url` reports. Throws
  /// `std::runtime_error` with the command line if the child cannot start, exits, or
  /// prints no port in time.
  external_server(std::vector<std::string> argv, bool tls,
                  std::chrono::milliseconds start_deadline = std::chrono::seconds(10));

  /// Starts tests/interop/python_echo_server.py with /usr/bin/python3 (websockets 10.x).
  static external_server python_echo(const external_options& opts = {});

  /// Starts tests/interop/node_ws_server.js with `node` (needs `ws` installed by
  /// `npm install --prefix tests/interop`).
  static external_server node_echo(const external_options& opts = {});

  /// Returns the directory of the interop scripts: `$WSNOVA_INTEROP_DIR` if set, otherwise
  /// tests/interop/ of the source tree this library was built from.
  static std::filesystem::path interop_dir();

  /// Takes over the running child; `other` no longer owns a process.
  external_server(external_server&& other) noexcept = default;

  /// Terminates the child this object owns, then takes over the one of `other`.
  external_server& operator=(external_server&& other) noexcept = default;

  /// Terminates the child (SIGTERM, then SIGKILL after one second) and reaps it.
  ~external_server() = default;

  // -- properties -----------------------------------------------------------------------

  /// Returns the port the child listens on (127.0.0.1).
  uint16_t port() const noexcept { return port_; }

  /// Returns `ws://127.0.0.1:PORT/path`, or `wss://localhost:PORT/path` for TLS.
  std::string url(std::string_view path = "/") const;

  /// Returns the child's process id.
  pid_t pid() const noexcept { return child_.pid(); }

  /// Returns the command line the child was started with.
  const std::string& command() const noexcept { return command_; }

 private:
  static std::vector<std::string> script_args(std::vector<std::string> argv,
                                              const external_options& opts);

  detail::child_process child_;  // the running peer
  std::string command_;          // for messages
  uint16_t port_ = 0;            // from the PORT line
  bool tls_ = false;             // scheme of url()
};

}  // namespace wsnova::test
