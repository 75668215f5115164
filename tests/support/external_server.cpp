#include <wsnova/tests/support/external_server.hpp>

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#ifndef WSNOVA_INTEROP_DIR
#error "WSNOVA_INTEROP_DIR must name tests/interop (set by tests/support/CMakeLists.txt)"
#endif

namespace wsnova::test {

namespace fs = std::filesystem;

external_server::external_server(std::vector<std::string> argv, bool tls,
                                 std::chrono::milliseconds start_deadline)
    : child_(argv), command_(detail::command_line(argv)), tls_(tls) {
  using clock = std::chrono::steady_clock;
  auto until = clock::now() + start_deadline;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now());
    auto line = left.count() > 0 ? child_.read_line(left) : std::nullopt;
    if (!line) {
      // EOF on stdout usually means the child is exiting: give it a moment to be reaped
      // so the message can carry its exit status.
      auto status = child_.wait_for_exit(std::chrono::milliseconds(500));
      throw std::runtime_error(
          "external_server: `" + command_ + "` " +
          (status ? "exited with status " + std::to_string(*status) + " (see its stderr)"
                  : "printed no `PORT <n>` line within " + std::to_string(start_deadline.count()) +
                        " ms") +
          " before listening");
    }
    std::string_view text(*line);
    if (text.substr(0, 5) == "PORT ") {
      text.remove_prefix(5);
      uint16_t port = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
      if (ec == std::errc{} && end == text.data() + text.size() && port != 0) {
        port_ = port;
        return;
      }
      throw std::runtime_error("external_server: `" + command_ +
                               "` printed a bad port line: " + *line);
    }
    // Any other line (a banner, a warning) is ignored.
  }
}

fs::path external_server::interop_dir() {
  if (const char* env = std::getenv("WSNOVA_INTEROP_DIR"); env && *env) return fs::path(env);
  return fs::path(WSNOVA_INTEROP_DIR);
}

std::vector<std::string> external_server::script_args(std::vector<std::string> argv,
                                                      const external_options& opts) {
  if (opts.tls) {
    if (opts.cert_file.empty() || opts.key_file.empty())
      throw std::runtime_error("external_server: tls needs cert_file and key_file");
    argv.insert(argv.end(), {"--tls", opts.cert_file.string(), opts.key_file.string()});
  }
  return argv;
}

external_server external_server::python_echo(const external_options& opts) {
  const std::string python = "/usr/bin/python3";
  if (!detail::find_program(python))
    throw std::runtime_error("external_server: " + python +
                             " not found; install it: apt-get install python3 "
                             "python3-websockets");
  auto script = interop_dir() / "python_echo_server.py";
  if (!fs::exists(script)) throw std::runtime_error("external_server: missing " + script.string());
  // The script itself reports a missing `websockets` module and exits with status 3.
  return external_server(script_args({python, "-u", script.string()}, opts), opts.tls,
                         opts.start_deadline);
}

external_server external_server::node_echo(const external_options& opts) {
  auto node = detail::find_program("node");
  if (!node) throw std::runtime_error("external_server: `node` not found on PATH; install Node.js");
  auto dir = interop_dir();
  auto script = dir / "node_ws_server.js";
  if (!fs::exists(script)) throw std::runtime_error("external_server: missing " + script.string());
  if (!fs::exists(dir / "node_modules" / "ws" / "package.json"))
    throw std::runtime_error(
        "external_server: the node module `ws` is not installed; run: "
        "npm install --prefix " +
        dir.string() + " --no-audit --no-fund");
  return external_server(script_args({node->string(), script.string()}, opts), opts.tls,
                         opts.start_deadline);
}

std::string external_server::url(std::string_view path) const {
  std::string out = tls_ ? "wss://localhost:" : "ws://127.0.0.1:";
  out += std::to_string(port_);
  if (path.empty() || path.front() != '/') out += '/';
  out += path;
  return out;
}

}  // namespace wsnova::test
