#pragma once

/// @file
/// Redaction of secrets in what is logged or reported: URLs, headers, JSON parameters.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsnova {

/// What replaces a secret.
inline constexpr std::string_view redacted = "[redacted]";

/// Returns `url` without user info (`user:password@`) and with the values of token-like query
/// parameters (`token`, `access_token`, `api_key`, `key`, `secret`, `signature`, `password`,
/// `auth`, case-insensitive) replaced by `[redacted]`. Text that is not a URL is replaced whole.
std::string redact_url(std::string_view url);

/// Returns true for a header whose value is a credential: `Authorization`,
/// `Proxy-Authorization`, `Cookie`, `Set-Cookie` (case-insensitive), and any header whose name
/// contains "token", "secret", "api-key" or "signature".
bool is_secret_header(std::string_view name);

/// Returns `headers` with the values of secret headers replaced by `[redacted]`.
std::vector<std::pair<std::string, std::string>> redact_headers(
    std::vector<std::pair<std::string, std::string>> headers);

/// Returns `json` with the values of secret members replaced by `"[redacted]"` at any depth:
/// names containing "secret", "password", "token", "signature", "api_key", "apikey" or
/// "credential" (case-insensitive). Text that is not JSON is replaced whole.
std::string redact_json(std::string_view json);

}  // namespace wsnova
