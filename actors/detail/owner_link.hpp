#pragma once

// A connection's link to its owner: the handle, the monitor, events, ownership transfer
// and the owner's death. Internal.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/local_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/result.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_response_promise.hpp>

#include <wsnova/actors/connection_owner.hpp>

namespace wsnova::detail {

/// Internal: complete an ownership transfer once a down message of a dead new owner would
/// have arrived (it is queued before this message if the new owner was already dead).
/// Payload: `(commit_atom, token)`; the embedding actor passes it to `owner_link::commit`.
using commit_atom = caf::atom_constant<caf::atom("commit")>;

/// The owner of the actor embedding it: sends it events, monitors it and moves ownership.
///
/// A transfer to a new owner monitors the new owner first, then commits through a
/// `commit_atom` message to the embedding actor itself: monitoring a dead actor queues its
/// down message at once, ahead of the commit, so a transfer to a dead actor fails with
/// `actor_gone` and changes nothing. The commit demonitors the old owner and sends an
/// `ownership_event` to both, the old owner's last event and the new owner's first. If the
/// old owner dies while a transfer is pending, the hand-over completes instead of the
/// connection closing. Down messages of anyone else (a former owner, say) are ignored by
/// address.
///
/// The embedding actor must route `(commit_atom, token)` to `commit` and its down messages
/// to `on_down`. Not thread-safe: lives inside that actor.
class owner_link {
 public:
  /// A link of `self` to `owner`; `authority` may also transfer ownership (may be empty).
  owner_link(caf::local_actor* self, connection_owner owner, caf::actor authority)
      : self_(self), owner_(std::move(owner)), authority_(std::move(authority)) {}

  /// Starts monitoring the owner; `id` names the connection in `ownership_event`s.
  void start(std::string id);

  /// The current owner; empty once it died.
  const connection_owner& owner() const noexcept { return owner_; }

  /// True while a transfer waits for its commit.
  bool transferring() const noexcept { return transfer_.has_value(); }

  /// Sends an event to the owner with the embedding actor as sender; a no-op without an
  /// owner. (Typed actors may not `send` to untyped ones, and `anon_send` would hide who
  /// sent it.)
  template <class... Ts>
  void tell(Ts&&... xs) {
    tell_to(owner_, std::forward<Ts>(xs)...);
  }

  /// Handles a transfer request from the current sender. Answers `ok` once committed (at
  /// once if `new_owner` already owns). Errors: `invalid_argument` (no new owner),
  /// `not_allowed` (sender is neither owner nor authority, or another transfer is
  /// pending), `actor_gone` (the new owner is dead; nothing changed).
  caf::result<caf::ok_atom> start_transfer(connection_owner new_owner);

  /// Completes the pending transfer carrying `token`; stale tokens are ignored.
  void commit(std::uint64_t token);

  /// Handles a down message. Returns true if it reports the owner's death with no transfer
  /// pending: the owner is forgotten and the caller decides what that means for it.
  bool on_down(const caf::down_msg& msg);

  /// Forgets the owner (on exit), so no reference outlives the embedding actor.
  void release() noexcept { owner_ = nullptr; }

 private:
  /// Enqueues `(xs...)` at `receiver` with the embedding actor as sender.
  template <class Handle, class... Ts>
  void tell_to(const Handle& receiver, Ts&&... xs) {
    if (receiver)
      receiver->enqueue(caf::make_mailbox_element(self_->ctrl(), caf::make_message_id(), {},
                                                  std::forward<Ts>(xs)...),
                        self_->context());
  }

  /// Makes the pending transfer's new owner the owner and answers the requester.
  void complete();

  struct pending_transfer {
    connection_owner new_owner;
    caf::typed_response_promise<caf::ok_atom> promise;
    std::uint64_t token;
  };

  caf::local_actor* self_;
  connection_owner owner_;
  caf::actor authority_;
  /// The connection's id, for `ownership_event`.
  std::string id_;
  std::optional<pending_transfer> transfer_;
  std::uint64_t next_token_ = 0;
};

}  // namespace wsnova::detail
