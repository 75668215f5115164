#pragma once

/// @file
/// Starting a connection actor.

#include <boost/asio/io_context.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <memory>
#include <string>

#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/connection_config.hpp>
#include <wsnova/actors/connection_owner.hpp>

namespace wsnova {

/// Spawns a connection actor that connects to `config.url` at once and sends its events
/// (`connected_event`, `message_event`, `disconnected_event`, `reconnecting_event`,
/// `reconnected_event`, `closed_event`, `error_event`, `ownership_event`) to `owner`,
/// which it monitors. The socket is driven by one of the I/O threads of the system's
/// `io_module` (load it into the config: `cfg.load<wsnova::io_module>()`).
///
/// Bad input fails here, before anything is spawned: `errc::bad_url` for a URL that is not
/// ws:// or wss://, `errc::invalid_argument` for a TLS file that cannot be loaded, an
/// invalid header, an owner that is not set, or a system without `io_module`.
///
/// A wss:// connection shares its TLS context with every connection of the system made with
/// the same `tls_options` (`io_module::tls_contexts`): no context is built per connection,
/// and a new connection to a host already reached resumes its TLS session.
caf::expected<connection> spawn_connection(caf::actor_system& system, connection_config config,
                                           connection_owner owner);

/// As above, on an `io_context` of your own instead of the module's I/O threads. Run the
/// context on exactly one thread (the connection actor and its socket share it), keep it
/// running until the actor system is destroyed, and destroy it after the system.
caf::expected<connection> spawn_connection(caf::actor_system& system,
                                           boost::asio::io_context& context,
                                           connection_config config, connection_owner owner);

/// As above, with a configuration shared by every connection spawned with it: a pool or a
/// supervisor's children that connect the same way hold one copy between them instead of
/// one each (about 1 kB per connection). Do not change the configuration once a connection
/// uses it: the connections read it from their I/O threads. `id` names this connection in
/// its events and in the registry; when empty, `config->id` does (the same id for every
/// connection of the configuration: give each its own `id` instead), and when that is empty
/// too, "conn-N" (N = the actor id, which changes with every restart).
caf::expected<connection> spawn_connection(caf::actor_system& system,
                                           std::shared_ptr<const connection_config> config,
                                           connection_owner owner, std::string id = {});

/// As above, shared configuration, on an `io_context` of your own.
caf::expected<connection> spawn_connection(caf::actor_system& system,
                                           boost::asio::io_context& context,
                                           std::shared_ptr<const connection_config> config,
                                           connection_owner owner, std::string id = {});

}  // namespace wsnova
