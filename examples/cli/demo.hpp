#pragma once

/// @file
/// `wsnova` without a URL: a guided tour against the embedded echo server.

#include "options.hpp"

namespace wsnova::cli {

/// Starts `wsnova::test::echo_server` on 127.0.0.1, connects to it with the connection
/// options in `options`, exchanges text, UTF-8, binary, a ping and a server-initiated close,
/// and narrates each step on stdout. Every echo is checked. Returns 0 when every step did
/// what it said, otherwise prints the failure and returns its exit code.
int run_demo(const cli_options& options);

}  // namespace wsnova::cli
