#pragma once

/// @file
/// UTF-8 validation of stdin lines before they go out as text messages.

#include <cstddef>
#include <optional>
#include <string_view>

namespace wsnova::cli {

/// Returns the offset of the first byte of `text` that is not part of well-formed UTF-8
/// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or `std::nullopt`
/// when all of `text` is valid.
///
/// Why the command checks: RFC 6455 section 8.1 requires text messages to be UTF-8, and a
/// server that receives one that is not must fail the connection (close code 1007). Without
/// this check a line of binary junk closes the connection and the server gets the blame.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace wsnova::cli
