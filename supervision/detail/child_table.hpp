#pragma once

/// @file
/// `child_table`: a supervisor's children in start order plus a map by id (OTP's
/// `{Ids, Db}`). Its members are the only code that adds, removes or re-points children
/// (OTP's save_child, del_child, split_child, set_pid).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/actor_clock.hpp>
#include <caf/message.hpp>

#include <wsnova/core/backoff.hpp>
#include <wsnova/supervision/child_spec.hpp>

namespace wsnova::detail {

/// Life cycle of one child (OTP: pid undefined, a pid, or restarting).
enum class child_status : std::uint8_t {
  /// No actor; no restart pending (OTP `undefined`).
  stopped,
  /// Running and monitored.
  running,
  /// Asked to stop; waiting for its down message.
  terminating,
  /// Waiting for a delayed or retried restart (`child_record::plan`).
  restarting,
};

/// One child.
struct child_record {
  /// Its spec, defaults filled in.
  child_spec spec;
  /// Start arguments (simple_one_for_one children), else empty.
  caf::message args;
  /// The running instance, or invalid.
  caf::actor handle;
  /// See `child_status`.
  child_status status = child_status::stopped;
  /// Changes at every start and stop; timers and queued exits carrying an older token are
  /// stale.
  std::uint64_t token = 0;
  /// The pending plan while `status == restarting`.
  std::uint64_t plan = 0;
  /// When the current instance started (actor clock), for `backoff.stable_after`.
  caf::actor_clock::time_point started_at;
  /// The restart delays of this child (`spec.backoff`).
  wsnova::backoff delays;
  /// True for simple_one_for_one instances (removed instead of kept when they end).
  bool dynamic = false;
  /// Position key in start order, set by `save_child`, increasing.
  std::uint64_t seq = 0;
  /// True once an instance ran (`set_pid`); every later `set_pid` is a restart.
  bool started_once = false;
  /// Starts after the first one (`child_info::restarts`).
  std::uint32_t restarts = 0;
};

/// The children of one supervisor.
class child_table {
 public:
  // -- lookup ------------------------------------------------------------------

  /// Returns the child `id`, or nullptr.
  child_record* find(const std::string& id);

  /// Returns the child whose current instance has address `addr`, or nullptr. O(1).
  child_record* find(const caf::actor_addr& addr);

  /// Returns the ids in start order.
  std::vector<std::string> ids() const;

  /// Returns `ids` without duplicates and unknown ids, in start order.
  std::vector<std::string> in_start_order(const std::vector<std::string>& ids) const;

  /// Calls `f(record)` for each child in start order.
  template <class F>
  void for_each(F f) const {
    for (auto& [seq, id] : order_) f(children_.at(id));
  }

  /// Returns the number of children.
  std::size_t size() const noexcept { return children_.size(); }

  /// Returns the running instances by start order, shared with the clean-up functor that
  /// kills them if the supervisor dies without stopping them (killed).
  std::shared_ptr<std::map<std::uint64_t, caf::actor>> live() const { return live_; }

  // -- the only edits ----------------------------------------------------------

  /// Adds a child at the end of the start order (OTP save_child).
  child_record& save_child(child_record rec);

  /// Removes a child (OTP del_child for temporary and dynamic children, remove_child).
  void del_child(const std::string& id);

  /// Records a running instance (OTP set_pid with a pid): a new token, the start time, and
  /// one more restart unless it is the first instance.
  void set_pid(child_record& rec, caf::actor handle, caf::actor_clock::time_point now);

  /// Records that the instance is gone or was released (OTP set_pid undefined).
  void clear_pid(child_record& rec);

  /// Marks a running child as asked to stop; returns its new token.
  std::uint64_t set_terminating(child_record& rec);

  /// Marks a child without an actor as waiting for plan `plan` (OTP `restarting`).
  void set_restarting(child_record& rec, std::uint64_t plan);

  /// Cancels a pending restart or plain stop: status `stopped`, new token.
  void set_stopped(child_record& rec);

 private:
  void unindex(const child_record& rec);

  /// Ids in start order, keyed by `child_record::seq` (O(log n) removal).
  std::map<std::uint64_t, std::string> order_;
  /// Children by id.
  std::unordered_map<std::string, child_record> children_;
  /// Ids of the children whose `handle` is set, by the handle's address (a multimap only
  /// because a start function may hand out the same actor twice).
  std::unordered_multimap<caf::actor_addr, std::string> by_addr_;
  /// See `live()`.
  std::shared_ptr<std::map<std::uint64_t, caf::actor>> live_ =
      std::make_shared<std::map<std::uint64_t, caf::actor>>();
  /// Next `child_record::seq`.
  std::uint64_t next_seq_ = 1;
  /// Next child token.
  std::uint64_t next_token_ = 1;
};

}  // namespace wsnova::detail
