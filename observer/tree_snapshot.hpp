#pragma once

/// @file
/// The observer's view of a supervision tree: an actor walks it asynchronously and renders
/// it as JSON (the schema is in docs/observer.md).

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <caf/fwd.hpp>

#include <wsnova/supervision/supervisor_actor.hpp>

namespace wsnova {

/// A root supervisor and the name it is shown under.
using named_supervisor = std::pair<std::string, supervisor_actor>;

/// Receives the JSON text of a snapshot.
using snapshot_callback = std::function<void(std::string json)>;

/// Takes one snapshot of the trees under `roots` without blocking the caller: spawns an
/// event-based actor that asks each supervisor `which_children`, descends into children of
/// kind supervisor, and asks each running worker for its `connection_status` (a worker that
/// does not answer one, or answers an error, is shown as a plain worker). Every request has
/// `timeout`; a supervisor that does not answer in time is shown `"unreachable"`, so a
/// snapshot takes at most about `timeout` per level of the tree. Supervisors and workers on
/// other CAF nodes are asked the same way (`child_info` and `connection_status` are
/// serializable) and marked `"local": false`.
///
/// `done` runs once, on a CAF worker thread, with the JSON text. If the actor system stops
/// before the walk ends, `done` is destroyed without being called.
void take_snapshot(caf::actor_system& system, std::vector<named_supervisor> roots,
                   std::chrono::milliseconds timeout, snapshot_callback done);

}  // namespace wsnova
