#include <wsnova/actors/detail/owner_link.hpp>

#include <caf/actor_cast.hpp>
#include <caf/actor_control_block.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova::detail {

void owner_link::start(std::string id) {
  id_ = std::move(id);
  if (owner_) self_->monitor(owner_);
}

caf::result<caf::ok_atom> owner_link::start_transfer(connection_owner new_owner) {
  if (!new_owner) return make_error(errc::invalid_argument, "no new owner given");
  auto sender = caf::actor_cast<caf::actor_addr>(self_->current_sender());
  const bool allowed =
      (owner_ && sender == owner_.address()) || (authority_ && sender == authority_.address());
  if (!allowed)
    return make_error(errc::not_allowed,
                      "only the owner or the transfer authority may transfer ownership");
  if (transfer_) return make_error(errc::not_allowed, "another transfer is in progress");
  if (new_owner == owner_) return caf::ok_atom::value;
  // Monitoring a dead actor queues its down message at once, so it arrives before the
  // commit message sent next: a transfer to a dead actor fails and changes nothing.
  self_->monitor(new_owner);
  auto token = ++next_token_;
  transfer_ =
      pending_transfer{std::move(new_owner), self_->make_response_promise<caf::ok_atom>(), token};
  tell_to(self_->ctrl(), commit_atom::value, token);
  return transfer_->promise;
}

void owner_link::commit(std::uint64_t token) {
  if (transfer_ && transfer_->token == token) complete();
}

bool owner_link::on_down(const caf::down_msg& msg) {
  if (transfer_ && msg.source == transfer_->new_owner.address()) {
    // The would-be owner is dead: ownership stays where it was.
    transfer_->promise.deliver(make_error(errc::actor_gone, "the new owner is not alive"));
    transfer_.reset();
    return false;
  }
  // Only the current owner's death matters; a former owner's down message is stale.
  if (!owner_ || msg.source != owner_.address()) return false;
  owner_ = nullptr;
  if (transfer_) {
    // The owner died while handing over: finish the hand-over instead of closing.
    complete();
    return false;
  }
  return true;
}

void owner_link::complete() {
  auto transfer = std::move(*transfer_);
  transfer_.reset();
  auto previous = std::move(owner_);
  ownership_event event{id_, previous ? previous.address() : caf::actor_addr{},
                        transfer.new_owner.address()};
  if (previous) {
    self_->demonitor(previous.address());
    tell_to(previous, event);  // the old owner's last event
  }
  owner_ = std::move(transfer.new_owner);
  tell(std::move(event));  // the new owner's first event
  transfer.promise.deliver(caf::ok_atom::value);
}

}  // namespace wsnova::detail
