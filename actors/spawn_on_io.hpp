#pragma once

/// @file
/// Actors of your own on wsnova's I/O threads, next to the connections they own.

#include <functional>

#include <boost/asio/io_context.hpp>
#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>

namespace wsnova {

/// Makes the behaviour of an actor spawned by `spawn_on_io`.
using io_actor_init = std::function<caf::behavior(caf::event_based_actor*)>;

/// Spawns an event-based actor whose messages are handled on one of the system's
/// `io_module` I/O threads (the next one, round robin), the way connection actors run,
/// instead of on CAF's worker threads.
///
/// Use it for an owner that does little per event and talks mostly to connections on the
/// same I/O thread: an event from such a connection reaches it without waking a worker
/// thread, and its sends reach the connection the same way (with one I/O thread, every
/// connection is on it). A connect-close cycle then stays on one thread, as in a plain
/// Beast client (docs/benchmarks.md: connects/s). The price: while its handler runs, no
/// socket on that thread is served. Never block in it (no blocking request, no `receive`,
/// no sleep, no heavy computation): hand such work to an actor on CAF's scheduler.
///
/// Returns `errc::invalid_argument` when the system has no `io_module`.
caf::expected<caf::actor> spawn_on_io(caf::actor_system& system, io_actor_init init);

/// As above, on an `io_context` of your own, run by exactly one thread until the actor
/// system is destroyed (as for `spawn_connection` with a context).
caf::actor spawn_on_io(caf::actor_system& system, boost::asio::io_context& context,
                       io_actor_init init);

}  // namespace wsnova
