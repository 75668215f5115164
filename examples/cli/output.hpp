#pragma once

/// @file
/// Everything the `wsnova` command prints: messages on stdout, status lines, warnings and
/// errors on stderr. Each call writes whole lines under one lock, so lines from the stdin
/// thread and the receive loop never interleave mid-line.

#include <string>
#include <string_view>

#include <caf/error.hpp>

#include <wsnova/core/message.hpp>

namespace wsnova::cli {

/// Returns `bytes` in standard base64 (RFC 4648 section 4, with padding).
std::string base64(std::string_view bytes);

/// Prints a received message on stdout and flushes: text as is, binary as
/// `binary(base64): <base64>`. One message, one line.
void print_message(const ws_message& message);

/// Prints `line` on stdout and flushes (the demo's narration).
void print_line(std::string_view line);

/// Prints a status line on stderr, unless `quiet`.
void print_status(bool quiet, std::string_view line);

/// Prints `wsnova: warning: <text>` on stderr, even when quiet.
void print_warning(std::string_view text);

/// Prints `wsnova: error: <category>: <detail>` on stderr.
void print_error(std::string_view category, std::string_view detail);

/// Returns the category of a library error: the wsnova code name (e.g. "bad_url"), or
/// the CAF category for errors from elsewhere.
std::string error_category(const caf::error& err);

/// Returns the human-readable detail of an error (its context string), or a short
/// explanation of the category when the error carries none.
std::string error_detail(const caf::error& err);

/// Prints `err` with `print_error` and returns its exit code (see exit_codes.hpp).
int report_error(const caf::error& err);

/// Returns the text of a close for people: `CODE REASON`, or just `CODE` without a reason.
std::string describe_close(std::uint16_t code, std::string_view reason);

}  // namespace wsnova::cli
