#pragma once

/// @file
/// Deployment profiles: named presets of `connection_config` with concrete numbers.
///
/// | setting                     | financial   | standard    | lightweight | chat        |
/// | --------------------------- | ----------- | ----------- | ----------- | ----------- |
/// | compression                 | off         | off         | off         | on          |
/// | coalesce writes             | off         | on          | on          | on          |
/// | heartbeat ping / pong wait  | 5 s / 5 s   | 20 s / 20 s | 60 s / 30 s | 30 s / 30 s |
/// | connect / handshake timeout | 3 s / 3 s   | 10 s / 10 s | 15 s / 15 s | 10 s / 10 s |
/// | backoff                     | full jitter | full jitter | full jitter | decorrelated|
/// | initial / max delay         | 100 ms / 5 s| 500 ms / 30 s| 1 s / 60 s | 1 s / 120 s |
/// | stable after                | 10 s        | 30 s        | 60 s        | 60 s        |
/// | max message                 | 4 MiB       | 16 MiB      | 1 MiB       | 16 MiB      |
/// | send queue (messages/bytes) | 256 / 1 MiB | 4096 / 16 MiB | 64 / 256 KiB | 16384 / 64 MiB |
/// | while disconnected          | reject      | reject      | reject      | buffer (4096 / 16 MiB)
/// |
///
/// `financial` is for order entry and market data: lowest latency, fail fast, never replay
/// stale orders. `lightweight` keeps per-connection memory and timers small for many idle
/// connections. `chat` favours delivery over latency: compression, buffering while down,
/// patient reconnects.

#include <string>

#include <wsnova/actors/connection_config.hpp>

namespace wsnova {

/// The named presets.
enum class profile { financial, standard, lightweight, chat };

/// Returns the preset `kind` for `url`; change any field afterwards.
connection_config make_profile(profile kind, std::string url);

/// Returns "financial", "standard", "lightweight" or "chat".
const char* to_string(profile kind);

}  // namespace wsnova
