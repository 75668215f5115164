// What happens when a child terminates, as OTP's do_restart/restart: one clause per
// (restart type, exit kind), the intensity check, the strategy's plan, and carrying the
// plan out; a failed start is retried by a message to self (try_again_restart), which plans
// the group again from the child that failed.
#include <wsnova/supervision/detail/supervisor_state.hpp>

#include <exception>

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/core/metrics.hpp>
#include <wsnova/core/supervision_errc.hpp>

namespace wsnova::detail {

// -- starting and recording children ---------------------------------------------------

start_result call_start(caf::actor_system& sys, const child_spec& spec, const caf::message& args) {
  auto failed = [&](const std::string& why) {
    return start_result{make_error(sup_errc::start_failed, "child '" + spec.id + "': " + why)};
  };
  try {
    auto res = spec.start(sys, args);
    if (res.ignored() || res.started()) return res;
    if (res.error()) return failed(describe(res.error()));
    return failed("start function returned an invalid handle");
  } catch (const std::exception& e) {
    return failed(std::string{"start function threw: "} + e.what());
  } catch (...) {
    return failed("start function threw");
  }
}

void notify(self_ptr self, const std::string& id, const caf::actor& handle) {
  auto& st = self->state;
  if (st.flags.on_child_change) st.flags.on_child_change(id, handle);
  if (st.flags.observer) caf::anon_send(st.flags.observer, child_atom::value, id, handle);
}

void set_running(self_ptr self, child_record& rec, caf::actor handle) {
  self->state.children.set_pid(rec, std::move(handle), self->clock().now());
  self->monitor(rec.handle);
  notify(self, rec.spec.id, rec.handle);
}

child_record make_record(self_ptr self, child_spec spec) {
  child_record rec;
  // Seeded per supervisor and child, so children failing together get unrelated jitter.
  rec.delays = wsnova::backoff{
      spec.backoff, self->id() * 1000003u + self->state.next_plan + self->state.children.size()};
  rec.spec = with_defaults(std::move(spec));
  return rec;
}

namespace {

// -- auto shutdown (OTP 24) --------------------------------------------------------------

/// OTP's do_auto_shutdown: after a significant child exited by itself (and was not
/// restarted), decide whether the supervisor shuts down.
bool auto_shutdown_due(self_ptr self, const child_spec& spec) {
  auto& st = self->state;
  if (st.flags.auto_shutdown == auto_shutdown::never || !spec.significant) return false;
  if (st.flags.auto_shutdown == auto_shutdown::any_significant) return true;
  bool any_alive = false;
  st.children.for_each([&](const child_record& rec) {
    if (rec.spec.significant && rec.status != child_status::stopped) any_alive = true;
  });
  return !any_alive;
}

// -- carrying out a plan ---------------------------------------------------------------

/// Sends the message that resumes `plan`, now or after `delay`.
void resume_later(self_ptr self, std::uint64_t plan, caf::timespan delay) {
  auto me = caf::actor_cast<supervisor_impl>(self);
  if (delay.count() > 0)
    self->delayed_send(me, delay, retry_atom::value, plan);
  else
    self->send(me, retry_atom::value, plan);
}

/// Starts the children of `plan` in start order. On the first failed start, the rest wait
/// with the failed child for a retry message (OTP's try_again_restart), so queued requests
/// get their turn before the group is planned again.
void run_plan(self_ptr self, std::uint64_t plan) {
  auto& st = self->state;
  auto i = st.plans.find(plan);
  if (i == st.plans.end() || st.shutting_down) return;
  auto ids = std::move(i->second.ids);
  st.plans.erase(i);
  for (std::size_t k = 0; k < ids.size(); ++k) {
    auto rec = st.children.find(ids[k]);
    if (!rec || rec->status != child_status::restarting || rec->plan != plan) continue;
    auto res = call_start(self->system(), rec->spec, rec->args);
    if (res.started()) {
      set_running(self, *rec, res.handle());
    } else if (res.ignored()) {
      // OTP: the spec stays, no actor; a simple_one_for_one instance is dropped.
      if (rec->dynamic)
        st.children.del_child(ids[k]);
      else
        st.children.set_stopped(*rec);
    } else {
      auto retry = st.next_plan++;
      pending_plan waiting{{}, ids[k], res.error()};
      st.children.set_restarting(*rec, retry);
      for (auto j = k + 1; j < ids.size(); ++j)
        if (auto later = st.children.find(ids[j]);
            later && later->status == child_status::restarting && later->plan == plan) {
          st.children.set_restarting(*later, retry);
          waiting.ids.push_back(ids[j]);
        }
      st.plans.emplace(retry, std::move(waiting));
      resume_later(self, retry, caf::timespan{0});
      return;
    }
  }
}

/// Carries out a strategy's plan (see restart_strategy.hpp): stop the running children
/// it names in reverse start order, drop the temporary ones, then start the others in
/// start order after the plan's delay. `also` names children of an abandoned attempt
/// that must be started too.
void apply_plan(self_ptr self, const restart_plan& plan, const std::vector<std::string>& also) {
  auto& st = self->state;
  auto named = plan.restart;
  named.insert(named.end(), also.begin(), also.end());
  auto ids = st.children.in_start_order(named);
  for (auto i = ids.rbegin(); i != ids.rend(); ++i) schedule_stop(self, *i);
  schedule_call(self, [self, ids = std::move(ids), delay = plan.delay] {
    auto& st = self->state;
    if (st.shutting_down) return;
    auto plan_id = st.next_plan++;
    pending_plan starts;
    for (auto& id : ids) {
      auto rec = st.children.find(id);
      if (!rec || rec->status != child_status::stopped) continue;
      if (rec->spec.restart == restart_type::temporary) {
        st.children.del_child(id);  // OTP's terminate_children drops temporary children
        continue;
      }
      st.children.set_restarting(*rec, plan_id);
      starts.ids.push_back(id);
    }
    st.plans.emplace(plan_id, std::move(starts));
    if (delay.count() > 0)
      resume_later(self, plan_id, delay);
    else
      run_plan(self, plan_id);
  });
}

/// Returns the backoff delay of the next restart of `rec` and counts it.
caf::timespan next_delay(child_record& rec) {
  if (rec.spec.backoff.initial_delay.count() <= 0) return caf::timespan{0};
  auto delay = rec.delays.next();
  return delay ? *delay : rec.spec.backoff.max_delay;
}

/// OTP's restart/2: count the restart, ask the strategy, carry its plan out.
void restart(self_ptr self, child_record& rec, const caf::error& reason,
             const std::vector<std::string>& also) {
  auto& st = self->state;
  if (!st.restarts.add(self->clock().now())) {
    shutdown(self, make_error(sup_errc::restart_intensity,
                              "child '" + rec.spec.id + "' (" + describe(reason) + "); more than " +
                                  std::to_string(st.flags.intensity) + " restarts in " +
                                  std::to_string(st.flags.period.count()) + " ms"));
    return;
  }
  if (st.flags.metrics)
    st.flags.metrics->add(metric_names::supervisor_restarts,
                          {{"supervisor", st.flags.name}, {"child", rec.spec.id}}, 1);
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(next_delay(rec));
  child_exit failed{rec.spec.id, reason, classify_exit(reason), 0, delay};
  std::vector<child_view> views;
  if (st.strategy->needs_children()) {
    views.reserve(st.children.size());
    st.children.for_each([&](const child_record& c) {
      if (c.spec.id == rec.spec.id) failed.index = views.size();
      views.push_back(child_view{c.spec.id, c.spec.kind, c.spec.restart,
                                 c.status == child_status::running, c.delays.attempts()});
    });
  }
  auto plan = st.strategy->plan(failed, views);
  if (plan.what == restart_plan::decision::escalate) {
    shutdown(self, plan.reason ? plan.reason : reason);
    return;
  }
  apply_plan(self, plan, also);
}

/// OTP's do_restart, in queue order: one clause per restart type and exit kind.
/// `token` identifies the instance that died.
void handle_exit(self_ptr self, const std::string& id, const caf::error& reason,
                 std::uint64_t token) {
  auto& st = self->state;
  auto rec = st.children.find(id);
  if (!rec || rec->token != token || rec->status != child_status::stopped) return;  // stale
  if (st.shutting_down) return;
  auto how = classify_exit(reason);
  if (should_restart(rec->spec.restart, how)) {
    // A child that ran stably starts its backoff over.
    if (self->clock().now() - rec->started_at >= rec->spec.backoff.stable_after)
      rec->delays.reset();
    restart(self, *rec, reason, {});
    return;
  }
  // Not restarted: temporary and simple_one_for_one children go, transient ones stay.
  auto spec = rec->spec;
  if (rec->spec.restart == restart_type::temporary || rec->dynamic) st.children.del_child(id);
  if (auto_shutdown_due(self, spec))
    shutdown(self, caf::make_error(caf::exit_reason::user_shutdown));
}

}  // namespace

void on_down(self_ptr self, const caf::down_msg& msg) {
  auto& st = self->state;
  auto rec = st.children.find(msg.source);
  if (!rec) return;  // stale: an instance already replaced or released
  bool asked = rec->status == child_status::terminating;
  st.children.clear_pid(*rec);
  notify(self, rec->spec.id, caf::actor{});
  if (asked) {
    if (st.awaiting == rec->spec.id) st.awaiting.reset();
  } else {
    schedule_call(self, [self, id = rec->spec.id, reason = msg.reason, token = rec->token] {
      handle_exit(self, id, reason, token);
    });
  }
  pump(self);
}

void on_retry(self_ptr self, std::uint64_t plan) {
  auto& st = self->state;
  auto i = st.plans.find(plan);
  if (i == st.plans.end() || st.shutting_down) return;
  if (!i->second.failed) {
    // The end of a backoff delay: start the plan's children in a step of their own.
    schedule_call(self, [self, plan] { run_plan(self, plan); });
    pump(self);
    return;
  }
  // OTP's try_again_restart: plan the group again from the child that failed to start.
  schedule_call(self, [self, plan] {
    auto& st = self->state;
    auto i = st.plans.find(plan);
    if (i == st.plans.end() || st.shutting_down) return;
    auto waiting = std::move(i->second);
    st.plans.erase(i);
    auto rec = st.children.find(*waiting.failed);
    bool still_due = rec && rec->status == child_status::restarting && rec->plan == plan;
    if (!still_due) {
      if (rec && rec->status == child_status::running) {
        // restart_child started the failed child meanwhile: start the others now.
        st.plans.emplace(plan, pending_plan{std::move(waiting.ids), std::nullopt, {}});
        run_plan(self, plan);
        return;
      }
      // Terminated by request meanwhile (OTP ignores the retry then): the others give up
      // waiting and stay undefined.
      for (auto& id : waiting.ids)
        if (auto other = st.children.find(id);
            other && other->status == child_status::restarting && other->plan == plan)
          st.children.set_stopped(*other);
      return;
    }
    restart(self, *rec, waiting.reason, waiting.ids);
  });
  pump(self);
}

}  // namespace wsnova::detail
