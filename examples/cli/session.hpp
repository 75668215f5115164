#pragma once

/// @file
/// `wsnova URL`: stdin lines out, received messages to stdout.

#include "options.hpp"

namespace wsnova::cli {

/// Connects to `options.url` and runs until the connection closes: each stdin line becomes
/// a message, each received message is printed. Returns the process exit code
/// (exit_codes.hpp): 0 after a 1000 close, the error's code otherwise.
int run_session(const cli_options& options);

}  // namespace wsnova::cli
