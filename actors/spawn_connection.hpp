#pragma once

/// @file
/// Starting a connection actor.

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/connection_config.hpp>
#include <wsnova/transport/io_pool.hpp>

namespace wsnova {

/// Spawns a connection actor that connects to `config.url` at once and sends its events
/// (`connected_event`, `message_event`, `disconnected_event`, `closed_event`, `error_event`)
/// to `owner`, which it monitors. The socket is driven by one of `pool`'s threads.
///
/// Bad input fails here, before anything is spawned: `errc::bad_url` for a URL that is not
/// ws:// or wss://, `errc::invalid_argument` for a TLS file that cannot be loaded or an
/// owner that is not set.
///
/// Lifetime: `pool` must outlive the connection.
caf::expected<connection> spawn_connection(caf::actor_system& system, io_pool& pool,
                                           connection_config config, caf::actor owner);

}  // namespace wsnova
