#include <wsnova/actors/detail/io_execution_unit.hpp>

#include <boost/asio/post.hpp>
#include <caf/actor_system.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

namespace wsnova::detail {

void io_forwarding_unit::exec_later(caf::resumable* job) {
  system().scheduler().enqueue(job);
}

void io_pinned_unit::exec_later(caf::resumable* job) {
  // The reference taken by the enqueuing side travels with the handler.
  boost::asio::post(io_, [this, job] { resume(job); });
}

void io_pinned_unit::resume(caf::resumable* job) {
  switch (job->resume(&forwarding_, max_throughput)) {
    case caf::resumable::resume_later:
      exec_later(job);  // more messages: yield, then go on
      break;
    default:  // awaiting_message, done
      intrusive_ptr_release(job);
      break;
  }
}

}  // namespace wsnova::detail
