#include <wsnova/actors/detail/io_execution_unit.hpp>

#include <boost/asio/post.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

namespace wsnova::detail {

void io_forwarding_unit::exec_later(caf::resumable* job) { system().scheduler().enqueue(job); }

void io_pinned_unit::exec_later(caf::resumable* job) {
  // The reference taken by the enqueuing side travels with the handler.
  boost::asio::post(io_, [this, job] { resume(job); });
}

void io_pinned_unit::resume(caf::resumable* job) {
  // The actor system's destructor waits until no actor runs. An actor that terminates in
  // this resume stops counting before the resume (and its final release) is over, so count
  // the resume itself: the system then outlives everything this handler touches. `this`
  // lives inside the actor, so keep what is needed after the release on the stack.
  auto& registry = system().registry();
  registry.inc_running();
  auto* self = this;
  resuming_ = true;
  auto result = job->resume(&forwarding_, max_throughput);
  resuming_ = false;  // the job holds a reference until released below: `this` is alive
  switch (result) {
    case caf::resumable::resume_later:
      self->exec_later(job);  // more messages: yield, then go on
      break;
    default:  // awaiting_message, done
      intrusive_ptr_release(job);
      break;
  }
  registry.dec_running();
}

}  // namespace wsnova::detail
