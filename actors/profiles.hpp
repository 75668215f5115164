#pragma once

/// @file
/// Deployment profiles: named presets of `connection_config` that set everything a kind of
/// deployment implies. docs/profiles.md has the full table, where each number comes from
/// (WebsockexNova's documented profiles) and every deviation with its reason.
///
/// What each profile sets (connect timeout / ping interval / pong timeout; reconnect):
///
/// - `financial`: 5 s / 15 s / 5 s; exponential with jitter 0.25, unlimited attempts,
///   100 ms to 30 s. Order entry and market data: no compression, no write coalescing, sends
///   refused while down (never replay stale orders), small queues, auth and subscribe
///   answers within 5 s, connects and disconnects logged at info.
/// - `standard`: 10 s / 30 s / 10 s; linear, 10 attempts, 1 s to 60 s. The library's
///   defaults otherwise.
/// - `lightweight`: 15 s / 60 s / 15 s; exponential without jitter, 3 attempts, 2 s to 10 s.
///   Many idle connections: small queues, messages (1 MiB) and write buffer (4 KiB), errors
///   only in the log.
/// - `chat`: 8 s / 45 s / 10 s; exponential with jitter 0.25, 20 attempts, 1 s to 30 s.
///   Delivery over latency: compression, sends buffered while down, and a client-side rate
///   limit (10 messages/s, bursts of 20) so that a chatty client is not kicked by the server.

#include <optional>
#include <string>
#include <string_view>

#include <wsnova/actors/connection_config.hpp>

namespace wsnova {

/// The named presets.
enum class profile { financial, standard, lightweight, chat };

/// Returns the preset `kind` for `url`; change any field afterwards.
connection_config make_profile(profile kind, std::string url);

/// Returns "financial", "standard", "lightweight" or "chat".
const char* to_string(profile kind);

/// Returns the profile named `name` ("financial", "standard", "lightweight", "chat"), or
/// nothing for any other name.
std::optional<profile> profile_from_string(std::string_view name);

}  // namespace wsnova
