#pragma once

// What the observer tests and the demo share: a tree under one supervisor "app" — a plain
// worker, a connection to the in-process echo server, a nested supervisor with a leaf, a
// worker that never answers, and a child claiming to be a supervisor that never answers —
// on a real actor system with wsnova's module.

#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/connection_owner.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/supervision/supervisor.hpp>

namespace wsnova::test {

/// Ignores a message without answering (`caf::drop` would answer `unexpected_message`).
inline caf::result<caf::message> ignore_silently(caf::scheduled_actor*, caf::message_view&) {
  return caf::message{};
}

/// A worker that answers "ping" and nothing else (a status request gets an error).
inline caf::behavior plain_worker(caf::event_based_actor*) {
  return {[](const std::string& ping) { return ping; }};
}

/// An actor that takes every message and answers no request (a supervisor that hangs):
/// it keeps each promise and never delivers it.
inline caf::behavior mute_actor(caf::event_based_actor* self) {
  auto pending = std::make_shared<std::vector<caf::response_promise>>();
  self->set_default_handler(
      [pending](caf::scheduled_actor* me, caf::message_view&) -> caf::result<caf::message> {
        pending->push_back(me->make_response_promise());
        return pending->back();
      });
  return {[](const std::string&) { /* swallowed */ }};
}

/// The interface of a worker that looks like a connection but never answers `status`.
using status_only = caf::typed_actor<caf::replies_to<status_atom>::with<connection_status>>;

/// A hung connection-like worker: takes `status` requests and never answers them.
inline status_only::behavior_type hung_worker(status_only::pointer self) {
  auto pending = std::make_shared<std::vector<caf::typed_response_promise<connection_status>>>();
  return {[self, pending](status_atom) -> caf::result<connection_status> {
    pending->push_back(self->make_response_promise<connection_status>());
    return pending->back();
  }};
}

/// An owner that takes every connection event and drops it.
inline caf::behavior sink_owner(caf::event_based_actor* self) {
  self->set_default_handler(ignore_silently);
  return {[](const std::string&) { /* nothing to do */ }};
}

/// A worker spec running `fn`.
template <class Fn>
child_spec worker_spec(std::string id, Fn fn) {
  child_spec spec;
  spec.id = std::move(id);
  spec.start = start_with([fn](caf::actor_system& sys) { return sys.spawn(fn); });
  return spec;
}

/// The specs of the tree described above; `url` is the echo server's, `owner` the
/// connection's owner.
inline std::vector<child_spec> demo_tree(const std::string& url, const caf::actor& owner) {
  child_spec conn;
  conn.id = "conn-1";
  conn.start = start_with([url, owner](caf::actor_system& sys) {
    connection_config config;
    config.url = url;
    config.id = "conn-1";
    return spawn_connection(sys, config, unchecked_owner(owner));
  });
  child_spec inner;
  inner.id = "inner";
  inner.kind = child_kind::supervisor;
  supervisor_flags inner_flags;
  inner_flags.intensity = 10;
  inner.start = supervisor_starter(inner_flags, {worker_spec("leaf", plain_worker)});
  auto hung = worker_spec("hung-sup", mute_actor);
  hung.kind = child_kind::supervisor;
  return {worker_spec("worker-1", plain_worker), conn, inner, worker_spec("mute", hung_worker),
          hung};
}

/// Flags of the demo's root: one_for_one, room for a few restarts.
inline supervisor_flags demo_flags() {
  supervisor_flags flags;
  flags.intensity = 10;
  flags.name = "app";
  return flags;
}

}  // namespace wsnova::test
