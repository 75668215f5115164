#pragma once

// Drives the real wsnova supervisor through the same events as the model, on CAF's
// test_coordinator (no threads, virtual clock), and records what its children observe in
// the model's trace format: "start:<name>" and "fail:<name>" from the start function,
// "stop:<name>:<kind>" from each child's exit (attach_functor).

#include <memory>
#include <string>
#include <vector>

#include "otp_model.hpp"

namespace wsnova::model {

/// Everything the comparison looks at, from either side.
struct outcome {
  std::vector<std::string> trace;
  /// One reply per event ("" for events that are not requests).
  std::vector<std::string> replies;
  /// Trace entries of the initial starts (model side).
  std::size_t initial = 0;
  /// Trace length after each event, to say which event a difference belongs to.
  std::vector<std::size_t> marks;
  bool alive = true;
  std::string exit_reason;
  /// which_children at the end (empty once the supervisor exited).
  std::vector<child_row> children;
  /// count_children at the end (zero once the supervisor exited).
  child_count counts;
  /// Consistency problems found by the driver itself (e.g. a handle that is not the
  /// child's latest instance).
  std::vector<std::string> problems;
};

/// Runs `events` through the model with `cfg`.
outcome run_model(const config& cfg, const std::vector<event>& events);

/// One real supervisor in its own actor system on the test coordinator.
class real_supervisor {
 public:
  explicit real_supervisor(const config& cfg);
  ~real_supervisor();
  real_supervisor(const real_supervisor&) = delete;
  real_supervisor& operator=(const real_supervisor&) = delete;

  /// Applies one event, runs the system until idle and returns the request's reply name
  /// (as the model's `apply`).
  std::string apply(const event& ev);

  /// The outcome so far; asks which_children when the supervisor lives.
  outcome finish();

  /// The trace so far.
  const std::vector<std::string>& trace() const;

  /// Whether spawning the supervisor worked (the error is in problems otherwise).
  bool started() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace wsnova::model
