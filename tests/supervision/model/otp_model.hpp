#pragma once

// A reference model of Erlang/OTP's supervisor (supervisor.erl, OTP 26): a plain state
// machine over an event sequence, no actors and no CAF. It follows the gen_server loop of
// supervisor.erl literally: a mailbox of 'DOWN' and try_again_restart messages handled one
// at a time, do_restart's clauses (restart type x exit reason), add_restart's sliding window,
// restart/2 per strategy with restart_multiple_children (terminate the group in reverse
// start order, start it in start order, abort at the first failed start and retry through
// the mailbox), terminate_children on supervisor shutdown, and do_auto_shutdown for
// significant children.
//
// Everything the model does that a real child would observe is written to a trace:
// "start:<name>", "fail:<name>" (a start attempt that failed), "ignore:<name>" (a start
// function that answered ignore), "stop:<name>:<kind>"
// (normal, shutdown, abnormal, killed). The test compares that trace with the one the real
// supervisor's children leave.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wsnova::model {

using ms = std::chrono::milliseconds;

/// The restart strategies of OTP.
enum class strategy : std::uint8_t { one_for_one, one_for_all, rest_for_one, simple_one_for_one };

/// OTP's restart types.
enum class restart : std::uint8_t { permanent, transient, temporary };

/// How a child process ends: OTP's normal, shutdown, killed, or any other reason.
enum class exit_kind : std::uint8_t { normal, shutdown, abnormal, killed };

/// OTP's auto_shutdown flag.
enum class auto_shutdown : std::uint8_t { never, any_significant, all_significant };

/// Returns the strategy's OTP name, e.g. "rest_for_one".
std::string to_string(strategy x);
/// Returns "permanent", "transient" or "temporary".
std::string to_string(restart x);
/// Returns "normal", "shutdown", "abnormal" or "killed" (the trace's words, which are
/// also `wsnova::to_string(classify_exit(reason))`).
std::string to_string(exit_kind x);
/// Returns "never", "any_significant" or "all_significant".
std::string to_string(auto_shutdown x);

/// What a start function answers: OTP's `{ok, Pid}`, `{error, Reason}` or `ignore`.
enum class start_outcome : std::uint8_t { ok, fail, ignore };

/// One child spec as far as the rules care.
struct child_def {
  /// The id; also the child's name in the trace.
  std::string id;
  /// Its restart type.
  restart type = restart::permanent;
  /// shutdown = brutal_kill (the child is killed instead of asked to shut down).
  bool brutal = false;
  /// OTP 24's significant flag (only with auto_shutdown, never for permanent children).
  bool significant = false;
};

/// Variants of the model for places where an implementation differs from OTP. Each flag,
/// when set, makes the model follow the implementation instead of OTP; the test uses them
/// only to classify a difference as known (its `known_divergences` list, model_test.cpp),
/// never to pass a run silently. Add a flag when a divergence is accepted for a while.
struct knobs {
  /// add_restart drops a restart exactly `period` old (`now - t >= period`); OTP keeps it
  /// (`t >= now - period`). The supervisor did this until 85cd4d4; kept as the example of
  /// the mechanism and to replay old reports.
  bool exclusive_window = false;
};

/// The supervisor's configuration.
struct config {
  /// The restart strategy.
  strategy how = strategy::one_for_one;
  /// OTP's intensity: restarts allowed within `period`.
  std::size_t intensity = 1;
  /// OTP's period, in virtual milliseconds.
  ms period{5000};
  /// OTP's auto_shutdown.
  auto_shutdown shutdown_mode = auto_shutdown::never;
  /// The static children in start order (not simple_one_for_one).
  std::vector<child_def> children;
  /// The template (simple_one_for_one only).
  child_def templ;
  /// What start attempt number `attempt` (1-based, counted per child name over the whole
  /// run) answers. Shared with the real run so both see the same failures. Empty: ok.
  std::function<start_outcome(const std::string& name, std::size_t attempt)> start_answer;
  /// Known divergences to follow instead of OTP (none by default).
  knobs variant;
};

/// One step of a sequence.
struct event {
  enum class op : std::uint8_t {
    /// Children exit by themselves, all before the supervisor runs (one or two entries).
    exit,
    /// Virtual time passes.
    advance,
    /// simple_one_for_one: start_child with `name` as argument.
    start_child,
    /// terminate_child(name) (by handle for simple_one_for_one children).
    terminate_child,
    /// restart_child(name).
    restart_child,
    /// delete_child(name).
    delete_child,
    /// An exit signal `shutdown` to the supervisor (from its parent, say).
    shutdown,
  };
  /// What happens.
  op what = op::advance;
  /// `exit`: the children (by name) and how each ends, in the order they die.
  std::vector<std::pair<std::string, exit_kind>> exits;
  /// `advance`: how much virtual time passes.
  ms dt{0};
  /// Requests: the child's name.
  std::string name;
};

/// Returns a readable event, e.g. "exit(c1:abnormal, c2:killed)" or "advance(250ms)".
std::string to_string(const event& x);

/// One row of which_children: id and whether it runs.
struct child_row {
  /// The child's id.
  std::string id;
  /// Whether a process runs (OTP: a pid, not undefined nor restarting).
  bool running = false;
  friend bool operator==(const child_row&, const child_row&) = default;
};

/// count_children: OTP's specs, active and workers (every child here is a worker).
struct child_count {
  /// Child specs (1 for simple_one_for_one: the template).
  std::size_t specs = 0;
  /// Children with a live process.
  std::size_t active = 0;
  /// Worker specs (simple_one_for_one: dynamic children, running or restarting).
  std::size_t workers = 0;
  friend bool operator==(const child_count&, const child_count&) = default;
};

/// The model. Apply events in order; read the trace and the state at any time.
class otp_supervisor {
 public:
  /// Starts the static children in order (init_children; the generator never fails attempt 1,
  /// which would fail the supervisor's start, but it may answer ignore).
  explicit otp_supervisor(config cfg);

  /// Applies one event and runs the mailbox until it is empty or the supervisor exited.
  /// Returns the reply of a request in wsnova's words for OTP's answers: "ok",
  /// "unknown_child" (not_found), "already_started" (restart_child: running),
  /// "not_allowed" (delete_child: running), "start_failed" ({error, _}); empty for other
  /// events.
  std::string apply(const event& ev);

  /// Everything observable so far, in order (see the file comment).
  const std::vector<std::string>& trace() const { return trace_; }
  /// Trace entries written by the initial starts.
  std::size_t initial_entries() const { return initial_entries_; }
  /// Whether the supervisor still runs.
  bool alive() const { return alive_; }
  /// "restart_intensity" or "shutdown" (auto_shutdown) once the supervisor exited.
  const std::string& exit_reason() const { return exit_reason_; }
  /// which_children in start order.
  std::vector<child_row> children() const;
  /// count_children.
  child_count counts() const;
  /// Names of the children with a live process, in start order.
  std::vector<std::string> running() const;
  /// Names of the children whose spec is kept but do not run (restart_child candidates).
  std::vector<std::string> stopped() const;

 private:
  /// OTP's pid field: undefined, a process, or {restarting, _}.
  struct pid_state {
    enum class kind : std::uint8_t { undefined, process, restarting } what = kind::undefined;
    std::uint64_t instance = 0;
  };

  struct child {
    child_def def;
    pid_state pid;
  };

  struct message {
    /// A 'DOWN' of `instance` with `kind`, or try_again_restart of `id`.
    bool down = true;
    std::uint64_t instance = 0;
    exit_kind kind = exit_kind::abnormal;
    std::string id;
  };

  child* find(const std::string& id);
  child* find_instance(std::uint64_t instance);
  std::size_t index_of(const std::string& id) const;
  void drain();
  void do_restart(exit_kind kind, const std::string& id);
  void restart(const std::string& id);
  void restart_by_strategy(const std::string& id);
  void restart_multiple_children(const std::string& failed, std::size_t first);
  bool add_restart();
  void del_child(const std::string& id);
  void do_auto_shutdown(const child_def& def);
  /// do_start_child: a new process, or nothing with `*answer` saying why (fail or ignore).
  std::optional<std::uint64_t> start(const child_def& def, start_outcome* answer = nullptr);
  void terminate(child& c);
  void stop_process(std::uint64_t instance, const child_def& def);
  void shutdown(std::string reason);

  config cfg_;
  std::vector<child> children_;  // start order
  std::deque<message> mailbox_;
  std::deque<ms> restarts_;  // newest first, as OTP's list
  ms now_{0};
  bool alive_ = true;
  std::string exit_reason_;
  std::vector<std::string> trace_;
  /// Live processes: instance -> name.
  std::map<std::uint64_t, std::string> processes_;
  std::uint64_t next_instance_ = 1;
  std::map<std::string, std::size_t> attempts_;
  std::size_t initial_entries_ = 0;
};

}  // namespace wsnova::model
