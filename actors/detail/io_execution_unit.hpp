#pragma once

// Runs an actor on the I/O thread that owns its socket (docs/architecture.md: a thread hop per
// message cost twice the CPU per message). Internal.

#include <cstddef>

#include <boost/asio/io_context.hpp>
#include <caf/execution_unit.hpp>
#include <caf/resumable.hpp>

namespace wsnova::detail {

/// The execution unit an io-pinned actor runs in. Other actors it wakes up (owners,
/// supervisors, handler actors) go to CAF's scheduler, never onto the I/O thread.
class io_forwarding_unit final : public caf::execution_unit {
 public:
  explicit io_forwarding_unit(caf::actor_system& system) : caf::execution_unit(&system) {}
  void exec_later(caf::resumable* job) override;
};

/// Resumes one actor as Asio handlers on a single-threaded `io_context`: each time its
/// mailbox goes from empty to non-empty, one handler runs up to `max_throughput` messages.
/// An actor pinned this way passes this unit to `scheduled_actor::enqueue` and `launch`
/// whatever unit the sender ran in, the way CAF's own brokers use their multiplexer.
class io_pinned_unit final : public caf::execution_unit {
 public:
  /// Messages one resume may handle before yielding to other handlers on the thread.
  static constexpr std::size_t max_throughput = 64;

  io_pinned_unit(caf::actor_system& system, boost::asio::io_context& io)
      : caf::execution_unit(&system), io_(io), forwarding_(system) {}

  void exec_later(caf::resumable* job) override;

  /// True while this unit runs its actor's `resume`: actor code is on the stack, so a
  /// session callback reached from it must not call into the actor again.
  bool resuming() const noexcept { return resuming_; }

 private:
  void resume(caf::resumable* job);

  boost::asio::io_context& io_;
  io_forwarding_unit forwarding_;
  bool resuming_ = false;
};

}  // namespace wsnova::detail
