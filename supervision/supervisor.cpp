#include <wsnova/supervision/supervisor.hpp>

#include <algorithm>
#include <exception>

#include <caf/actor_cast.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <wsnova/supervision/detail/supervisor_state.hpp>
#include <wsnova/transport/error.hpp>

namespace wsnova {

using detail::child_record;
using detail::child_status;
using detail::step;
using detail::supervisor_impl;
using detail::supervisor_state;

namespace {

using self_ptr = supervisor_impl::stateful_pointer<supervisor_state>;

// -- starting a child (also used by spawn_supervisor) ---------------------------------

/// Calls the start function; exceptions and invalid handles become `start_failed`.
caf::expected<caf::actor> call_start(caf::actor_system& sys, const child_spec& spec,
                                     const caf::message& args) {
  auto failed = [&](const std::string& why) {
    return make_error(errc::start_failed, "child '" + spec.id + "': " + why);
  };
  try {
    auto res = spec.start(sys, args);
    if (!res) return failed(describe(res.error()));
    if (!*res) return failed("start function returned an invalid handle");
    return res;
  } catch (const std::exception& e) {
    return failed(std::string{"start function threw: "} + e.what());
  } catch (...) {
    return failed("start function threw");
  }
}

// -- accessors: the only functions that edit children ------------------------------------

child_record* find(self_ptr self, const std::string& id) {
  auto i = self->state.children.find(id);
  return i == self->state.children.end() ? nullptr : &i->second;
}

/// O(1): looks the address up in `by_addr`.
child_record* find_by_addr(self_ptr self, const caf::actor_addr& addr) {
  auto& st = self->state;
  auto [first, last] = st.by_addr.equal_range(addr);
  for (auto i = first; i != last; ++i)
    if (auto rec = find(self, i->second); rec && rec->handle && rec->handle.address() == addr)
      return rec;
  return nullptr;
}

/// Removes the `by_addr` entry of `rec`'s current handle (if any).
void unindex(self_ptr self, const child_record& rec) {
  if (!rec.handle) return;
  auto& by_addr = self->state.by_addr;
  auto [first, last] = by_addr.equal_range(rec.handle.address());
  for (auto i = first; i != last; ++i)
    if (i->second == rec.spec.id) {
      by_addr.erase(i);
      return;
    }
}

void notify(self_ptr self, const std::string& id, const caf::actor& handle) {
  auto& st = self->state;
  if (st.flags.on_child_change) st.flags.on_child_change(id, handle);
  if (st.flags.observer) caf::anon_send(st.flags.observer, child_atom::value, id, handle);
}

/// Records a running instance: monitor, token, start time, live set, notification.
void set_running(self_ptr self, child_record& rec, caf::actor handle) {
  auto& st = self->state;
  unindex(self, rec);
  rec.handle = std::move(handle);
  st.by_addr.emplace(rec.handle.address(), rec.spec.id);
  rec.status = child_status::running;
  rec.token = st.next_token++;
  rec.plan = 0;
  rec.started_at = self->clock().now();
  self->monitor(rec.handle);
  st.live->insert_or_assign(rec.seq, rec.handle);
  notify(self, rec.spec.id, rec.handle);
}

/// Records that the instance is gone (down message seen or released).
void set_stopped(self_ptr self, child_record& rec) {
  unindex(self, rec);
  self->state.live->erase(rec.seq);
  rec.handle = nullptr;
  rec.status = child_status::stopped;
  notify(self, rec.spec.id, caf::actor{});
}

child_record make_record(child_spec spec) {
  child_record rec;
  rec.spec = std::move(spec);
  return rec;
}

/// Adds a child at the end of the start order.
child_record& save_child(self_ptr self, child_record rec) {
  auto& st = self->state;
  auto id = rec.spec.id;
  rec.seq = st.next_seq++;
  st.order.emplace(rec.seq, id);
  return st.children.emplace(id, std::move(rec)).first->second;
}

/// Removes a (stopped or released) child.
void del_child(self_ptr self, const std::string& id) {
  auto& st = self->state;
  auto i = st.children.find(id);
  if (i == st.children.end()) return;
  unindex(self, i->second);
  st.order.erase(i->second.seq);
  st.children.erase(i);
}

// -- the work queue ------------------------------------------------------------

void pump(self_ptr self);

/// Queues a step: after the running step's own steps if called from a step, else last.
void schedule(self_ptr self, step s) {
  auto& st = self->state;
  if (st.in_step)
    st.front.push_back(std::move(s));
  else
    st.steps.push_back(std::move(s));
}

void schedule_call(self_ptr self, std::function<void()> fn) {
  schedule(self, step{step::op::call, {}, 0, std::move(fn)});
}

void begin_stop(self_ptr self, const std::string& id);
void run_start(self_ptr self, const std::string& id, std::uint64_t plan);

/// Runs queued steps until one waits for a down message or the queue is empty.
void pump(self_ptr self) {
  auto& st = self->state;
  if (st.pumping) return;
  st.pumping = true;
  while (!st.done && !st.awaiting && !st.steps.empty()) {
    auto s = std::move(st.steps.front());
    st.steps.pop_front();
    st.in_step = true;
    switch (s.what) {
      case step::op::stop: begin_stop(self, s.id); break;
      case step::op::start: run_start(self, s.id, s.plan); break;
      case step::op::call: s.fn(); break;
    }
    st.in_step = false;
    st.steps.insert(st.steps.begin(), std::make_move_iterator(st.front.begin()),
                    std::make_move_iterator(st.front.end()));
    st.front.clear();
  }
  st.pumping = false;
}

// -- restart intensity ---------------------------------------------------------

/// OTP's add_restart: records a restart now and returns false when the window holds more
/// than `intensity` restarts younger than `period`.
bool add_restart(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  st.restarts.push_back(now);
  while (!st.restarts.empty() && now - st.restarts.front() >= st.flags.period)
    st.restarts.pop_front();
  return st.restarts.size() <= st.flags.intensity;
}

// -- shutdown of children and of the supervisor ------------------------------------------

/// Stops one child by its shutdown spec. A running child is asked (or killed) and the
/// queue waits for its down message; a pending restart is cancelled.
void begin_stop(self_ptr self, const std::string& id) {
  auto& st = self->state;
  auto rec = find(self, id);
  if (!rec) return;
  rec->token = st.next_token++; // invalidates queued exits and timers of this instance
  if (rec->status == child_status::restarting) {
    rec->status = child_status::stopped;
    return;
  }
  if (rec->status != child_status::running) return;
  rec->status = child_status::terminating;
  st.awaiting = id;
  auto sd = effective_shutdown(rec->spec);
  switch (sd.how) {
    case shutdown_spec::mode::brutal_kill:
      self->send_exit(rec->handle, caf::exit_reason::kill);
      break;
    case shutdown_spec::mode::timeout:
      self->send_exit(rec->handle, caf::exit_reason::user_shutdown);
      self->delayed_send(caf::actor_cast<supervisor_impl>(self), sd.timeout,
                         detail::shutdown_timer_atom::value, id, rec->token);
      break;
    case shutdown_spec::mode::infinity:
      self->send_exit(rec->handle, caf::exit_reason::user_shutdown);
      break;
  }
}

/// The shutdown deadline passed: kill the child if it is still the same instance.
void on_shutdown_timer(self_ptr self, const std::string& id, std::uint64_t token) {
  auto rec = find(self, id);
  if (rec && rec->token == token && rec->status == child_status::terminating)
    self->send_exit(rec->handle, caf::exit_reason::kill);
}

/// Stops all children in reverse start order, then exits with `reason`. Children that die
/// meanwhile are not restarted.
void shutdown(self_ptr self, caf::error reason) {
  auto& st = self->state;
  if (st.shutting_down) return;
  st.shutting_down = true;
  st.exit_reason = std::move(reason);
  st.plans.clear();
  schedule_call(self, [self] {
    auto& st = self->state;
    for (auto i = st.order.rbegin(); i != st.order.rend(); ++i)
      schedule(self, step{step::op::stop, i->second, 0, {}});
    schedule_call(self, [self] {
      auto& st = self->state;
      // Answer queued requests (they see shutting_down) before leaving.
      while (!st.steps.empty()) {
        auto s = std::move(st.steps.front());
        st.steps.pop_front();
        if (s.what == step::op::call) s.fn();
      }
      st.done = true;
      self->quit(st.exit_reason);
    });
  });
  pump(self);
}

// -- restarts ------------------------------------------------------------------

double uniform(self_ptr self) {
  return std::uniform_real_distribution<double>{0.0, 1.0}(self->state.rng);
}

/// Returns the backoff delay of the next restart of `rec` and counts it.
std::chrono::milliseconds next_backoff(self_ptr self, child_record& rec) {
  auto& b = rec.spec.backoff;
  if (!b.enabled()) return std::chrono::milliseconds{0};
  return b.delay(rec.failures++, uniform(self));
}

/// Sends the message that resumes `plan`, now or after `delay`.
void resume_later(self_ptr self, std::uint64_t plan, std::chrono::milliseconds delay) {
  auto me = caf::actor_cast<supervisor_impl>(self);
  if (delay.count() > 0)
    self->delayed_send(me, delay, detail::retry_atom::value, plan);
  else
    self->send(me, detail::retry_atom::value, plan);
}

/// Starts child `id` as a step of restart plan `plan`. A failure counts toward intensity
/// and is retried by a message to self, together with the plan's remaining starts.
void run_start(self_ptr self, const std::string& id, std::uint64_t plan) {
  auto& st = self->state;
  auto rec = find(self, id);
  if (!rec || st.shutting_down) return;
  if (rec->status == child_status::running || rec->status == child_status::terminating) return;
  if (plan != 0 && plan == st.aborted_plan) {
    // An earlier child of this plan failed to start: start this one after it.
    rec->status = child_status::restarting;
    rec->plan = st.retry_plan;
    st.plans[st.retry_plan].push_back(id);
    return;
  }
  auto res = call_start(self->system(), rec->spec, rec->args);
  if (res) {
    set_running(self, *rec, std::move(*res));
    return;
  }
  if (!add_restart(self)) {
    shutdown(self, make_error(errc::restart_intensity,
                              "restart of child '" + id + "' failed: " + describe(res.error())));
    return;
  }
  auto retry = st.next_plan++;
  st.aborted_plan = plan;
  st.retry_plan = retry;
  rec->status = child_status::restarting;
  rec->plan = retry;
  rec->token = st.next_token++;
  st.plans[retry].push_back(id);
  resume_later(self, retry, next_backoff(self, *rec));
}

/// OTP's try_again_restart, and the end of a backoff delay: start the plan's children
/// that still wait for it, in start order.
void on_retry(self_ptr self, std::uint64_t plan) {
  auto& st = self->state;
  auto i = st.plans.find(plan);
  if (i == st.plans.end()) return;
  auto ids = std::move(i->second);
  st.plans.erase(i);
  for (auto& id : ids) {
    auto rec = find(self, id);
    if (rec && rec->status == child_status::restarting && rec->plan == plan)
      schedule(self, step{step::op::start, id, plan, {}});
  }
  pump(self);
}

/// Carries out a strategy's plan (see restart_strategy.hpp).
void apply_plan(self_ptr self, const restart_plan& plan) {
  auto& st = self->state;
  // The known ids of the plan, without duplicates, in start order: O(k log k) for a plan
  // naming k children.
  std::vector<std::pair<std::uint64_t, std::string>> named;
  named.reserve(plan.restart.size());
  for (auto& id : plan.restart)
    if (auto rec = find(self, id)) named.emplace_back(rec->seq, id);
  std::sort(named.begin(), named.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  named.erase(std::unique(named.begin(), named.end(),
                          [](const auto& x, const auto& y) { return x.first == y.first; }),
              named.end());
  std::vector<std::string> ids; // in start order
  ids.reserve(named.size());
  for (auto& entry : named) ids.push_back(std::move(entry.second));
  for (auto i = ids.rbegin(); i != ids.rend(); ++i)
    schedule(self, step{step::op::stop, *i, 0, {}});
  std::vector<std::string> to_start;
  for (auto& id : ids) {
    if (find(self, id)->spec.restart == restart_type::temporary)
      schedule_call(self, [self, id] {
        if (auto rec = find(self, id); rec && rec->status == child_status::stopped)
          del_child(self, id);
      });
    else
      to_start.push_back(id);
  }
  auto plan_id = st.next_plan++;
  if (plan.delay.count() <= 0) {
    for (auto& id : to_start) schedule(self, step{step::op::start, id, plan_id, {}});
    return;
  }
  schedule_call(self, [self, plan_id, to_start, delay = plan.delay] {
    auto& st = self->state;
    if (st.shutting_down) return;
    for (auto& id : to_start)
      if (auto rec = find(self, id); rec && rec->status == child_status::stopped) {
        rec->status = child_status::restarting;
        rec->plan = plan_id;
        st.plans[plan_id].push_back(id);
      }
    resume_later(self, plan_id, delay);
  });
}

/// Whether the strategy must see every child (a `child_view` each, O(n) per restart):
/// true for one_for_all, rest_for_one and custom strategies; the built-in one_for_one
/// (and simple_one_for_one) plan depends on the failed child only.
bool needs_views(strategy_kind kind) {
  return kind != strategy_kind::one_for_one && kind != strategy_kind::simple_one_for_one;
}

/// A child's down message, in queue order: decide by restart type x exit kind, then ask
/// the strategy. `token` identifies the instance that died.
void handle_exit(self_ptr self, const std::string& id, const caf::error& reason,
                 std::uint64_t token) {
  auto& st = self->state;
  auto rec = find(self, id);
  if (!rec || rec->token != token || rec->status != child_status::stopped) return; // stale
  if (st.shutting_down) return;
  auto how = classify_exit(reason);
  if (!should_restart(rec->spec.restart, how)) {
    if (rec->spec.restart == restart_type::temporary || rec->dynamic) del_child(self, id);
    return;
  }
  auto& b = rec->spec.backoff;
  if (b.enabled() && self->clock().now() - rec->started_at >= b.reset_after) rec->failures = 0;
  auto delay = next_backoff(self, *rec);
  if (!add_restart(self)) {
    shutdown(self, make_error(errc::restart_intensity,
                              "child '" + id + "' exited (" + describe(reason) + "); more than "
                                + std::to_string(st.flags.intensity) + " restarts in "
                                + std::to_string(st.flags.period.count()) + " ms"));
    return;
  }
  restart_plan plan;
  if (needs_views(st.flags.strategy)) {
    child_exit ev{id, reason, how, 0, delay};
    std::vector<child_view> views;
    views.reserve(st.order.size());
    for (auto& [seq, cid] : st.order) {
      auto& c = st.children.at(cid);
      if (cid == id) ev.index = views.size();
      views.push_back(child_view{cid, c.spec.kind, c.spec.restart,
                                 c.status == child_status::running, c.failures});
    }
    plan = st.strategy->plan(ev, views);
  } else {
    // The built-in one_for_one strategy (also simple_one_for_one's) restarts the failed
    // child alone; its plan needs no view of the other children, so skip the O(n) walk.
    plan = restart_plan::restart_children({id}, delay);
  }
  if (plan.what == restart_plan::decision::escalate) {
    shutdown(self, plan.reason ? plan.reason : reason);
    return;
  }
  apply_plan(self, plan);
}

void on_down(self_ptr self, const caf::down_msg& msg) {
  auto& st = self->state;
  auto rec = find_by_addr(self, msg.source);
  if (!rec) return; // stale: an instance already replaced or released
  if (rec->status == child_status::terminating) {
    set_stopped(self, *rec);
    if (st.awaiting == rec->spec.id) st.awaiting.reset();
    pump(self);
    return;
  }
  set_stopped(self, *rec);
  schedule_call(self, [self, id = rec->spec.id, reason = msg.reason, token = rec->token] {
    handle_exit(self, id, reason, token);
  });
  pump(self);
}

// -- request handling --------------------------------------------------------------

caf::error not_allowed(const std::string& why) { return make_error(errc::not_allowed, why); }

caf::error unknown(const std::string& id) {
  return make_error(errc::unknown_child, "no child '" + id + "'");
}

/// Runs `fn` as a queued step and returns its promise.
template <class T, class F>
caf::typed_response_promise<T> queued(self_ptr self, F fn) {
  auto rp = self->template make_response_promise<T>();
  schedule_call(self, [self, rp, fn]() mutable {
    if (self->state.shutting_down)
      rp.deliver(not_allowed("supervisor is shutting down"));
    else
      fn(rp);
  });
  pump(self);
  return rp;
}

using actor_promise = caf::typed_response_promise<caf::actor>;
using ok_promise = caf::typed_response_promise<caf::ok_atom>;

void terminate_by_id(self_ptr self, const std::string& id, ok_promise& rp) {
  if (!find(self, id)) {
    rp.deliver(unknown(id));
    return;
  }
  schedule(self, step{step::op::stop, id, 0, {}});
  schedule_call(self, [self, id, rp]() mutable {
    if (auto rec = find(self, id);
        rec && (rec->spec.restart == restart_type::temporary || rec->dynamic))
      del_child(self, id);
    rp.deliver(caf::ok_atom::value);
  });
}

supervisor_impl::behavior_type
supervisor_behavior(self_ptr self, supervisor_flags flags,
                    std::shared_ptr<restart_strategy> strategy,
                    std::vector<std::pair<child_spec, caf::actor>> started) {
  auto& st = self->state;
  st.flags = std::move(flags);
  st.strategy = std::move(strategy);
  if (st.flags.strategy == strategy_kind::simple_one_for_one) {
    st.template_spec = with_defaults(started.front().first);
  } else {
    for (auto& [spec, handle] : started) {
      auto& rec = save_child(self, make_record(with_defaults(spec)));
      set_running(self, rec, handle);
    }
  }
  self->attach_functor([live = st.live](const caf::error&) {
    // Only non-empty if the supervisor died without stopping its children (killed).
    for (auto& [seq, child] : *live) caf::anon_send_exit(child, caf::exit_reason::kill);
  });
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (msg.reason) shutdown(self, msg.reason);
  });
  return {
    [self](start_child_atom, child_spec& spec) -> actor_promise {
      return queued<caf::actor>(self, [self, spec](actor_promise& rp) {
        auto& st = self->state;
        if (st.template_spec)
          return void(rp.deliver(not_allowed("simple_one_for_one: use start_child(args)")));
        if (auto err = check_child_spec(spec)) return void(rp.deliver(err));
        if (auto rec = find(self, spec.id))
          return void(rp.deliver(rec->status == child_status::running
                              ? make_error(errc::already_started, "child '" + spec.id + "' runs")
                              : make_error(errc::already_present, "child '" + spec.id + "'")));
        auto res = call_start(self->system(), spec, caf::message{});
        if (!res) return void(rp.deliver(res.error()));
        auto& rec = save_child(self, make_record(with_defaults(spec)));
        set_running(self, rec, *res);
        rp.deliver(rec.handle);
      });
    },
    [self](start_child_atom, caf::message& args) -> actor_promise {
      return queued<caf::actor>(self, [self, args](actor_promise& rp) {
        auto& st = self->state;
        if (!st.template_spec)
          return void(rp.deliver(not_allowed("start_child(args) needs simple_one_for_one")));
        auto rec = make_record(*st.template_spec);
        rec.spec.id += "#" + std::to_string(++st.dynamic_count);
        rec.args = args;
        rec.dynamic = true;
        auto res = call_start(self->system(), rec.spec, args);
        if (!res) return void(rp.deliver(res.error()));
        auto& saved = save_child(self, std::move(rec));
        set_running(self, saved, *res);
        rp.deliver(saved.handle);
      });
    },
    [self](terminate_child_atom, std::string& id) -> ok_promise {
      return queued<caf::ok_atom>(self, [self, id](ok_promise& rp) {
        terminate_by_id(self, id, rp);
      });
    },
    [self](terminate_child_atom, caf::actor& handle) -> ok_promise {
      return queued<caf::ok_atom>(self, [self, handle](ok_promise& rp) {
        auto rec = handle ? find_by_addr(self, handle.address()) : nullptr;
        if (!rec) return void(rp.deliver(make_error(errc::unknown_child, "no child with this handle")));
        terminate_by_id(self, rec->spec.id, rp);
      });
    },
    [self](restart_child_atom, std::string& id) -> actor_promise {
      return queued<caf::actor>(self, [self, id](actor_promise& rp) {
        auto rec = find(self, id);
        if (!rec) return void(rp.deliver(unknown(id)));
        if (rec->dynamic) return void(rp.deliver(not_allowed("simple_one_for_one child")));
        if (rec->status == child_status::running || rec->status == child_status::terminating)
          return void(rp.deliver(make_error(errc::already_started, "child '" + id + "' runs")));
        auto res = call_start(self->system(), rec->spec, rec->args);
        if (!res) {
          rec->status = child_status::stopped;
          return void(rp.deliver(res.error()));
        }
        set_running(self, *rec, *res);
        rp.deliver(rec->handle);
      });
    },
    [self](delete_child_atom, std::string& id) -> ok_promise {
      return queued<caf::ok_atom>(self, [self, id](ok_promise& rp) {
        auto rec = find(self, id);
        if (!rec) return void(rp.deliver(unknown(id)));
        if (rec->dynamic) return void(rp.deliver(not_allowed("simple_one_for_one child")));
        if (rec->status != child_status::stopped)
          return void(rp.deliver(not_allowed("child '" + id + "' is running or restarting")));
        del_child(self, id);
        rp.deliver(caf::ok_atom::value);
      });
    },
    [self](which_children_atom) -> caf::typed_response_promise<std::vector<child_info>> {
      using promise = caf::typed_response_promise<std::vector<child_info>>;
      return queued<std::vector<child_info>>(self, [self](promise& rp) {
        std::vector<child_info> result;
        for (auto& [seq, id] : self->state.order) {
          auto& rec = self->state.children.at(id);
          result.push_back(child_info{id, rec.handle, rec.spec.kind, rec.spec.restart});
        }
        rp.deliver(std::move(result));
      });
    },
    [self](count_children_atom) -> caf::typed_response_promise<child_counts> {
      return queued<child_counts>(self, [self](caf::typed_response_promise<child_counts>& rp) {
        child_counts result;
        for (auto& [id, rec] : self->state.children) {
          ++result.specs;
          if (rec.status == child_status::running) ++result.active;
          if (rec.spec.kind == child_kind::supervisor)
            ++result.supervisors;
          else
            ++result.workers;
        }
        rp.deliver(result);
      });
    },
    [self](adopt_atom, caf::actor& handle, child_spec& spec) -> ok_promise {
      return queued<caf::ok_atom>(self, [self, handle, spec](ok_promise& rp) {
        if (self->state.template_spec)
          return void(rp.deliver(not_allowed("simple_one_for_one cannot adopt")));
        if (!handle) return void(rp.deliver(not_allowed("adopt: invalid handle")));
        if (auto err = check_child_spec(spec)) return void(rp.deliver(err));
        if (auto rec = find(self, spec.id))
          return void(rp.deliver(rec->status == child_status::running
                              ? make_error(errc::already_started, "child '" + spec.id + "' runs")
                              : make_error(errc::already_present, "child '" + spec.id + "'")));
        auto& rec = save_child(self, make_record(with_defaults(spec)));
        set_running(self, rec, handle);
        rp.deliver(caf::ok_atom::value);
      });
    },
    [self](release_atom, std::string& id) -> actor_promise {
      return queued<caf::actor>(self, [self, id](actor_promise& rp) {
        auto rec = find(self, id);
        if (!rec) return void(rp.deliver(unknown(id)));
        if (rec->status != child_status::running)
          return void(rp.deliver(not_allowed("release: child '" + id + "' is not running")));
        auto handle = rec->handle;
        self->demonitor(handle.address());
        set_stopped(self, *rec);
        del_child(self, id);
        rp.deliver(handle);
      });
    },
    [self](detail::shutdown_timer_atom, std::string& id, std::uint64_t token) {
      on_shutdown_timer(self, id, token);
    },
    [self](detail::retry_atom, std::uint64_t plan) { on_retry(self, plan); },
  };
}

} // namespace

// -- public functions ------------------------------------------------------------

caf::expected<supervisor_actor>
spawn_supervisor(caf::actor_system& sys, supervisor_flags flags, std::vector<child_spec> specs) {
  if (auto err = check_supervisor(flags, specs)) return err;
  auto strategy = flags.strategy == strategy_kind::custom ? flags.custom_strategy
                                                          : make_builtin_strategy(flags.strategy);
  std::vector<std::pair<child_spec, caf::actor>> started;
  if (flags.strategy == strategy_kind::simple_one_for_one) {
    started.emplace_back(specs.front(), caf::actor{});
  } else {
    for (auto& spec : specs) {
      auto res = call_start(sys, spec, caf::message{});
      if (!res) {
        for (auto i = started.rbegin(); i != started.rend(); ++i)
          caf::anon_send_exit(i->second, caf::exit_reason::user_shutdown);
        return res.error();
      }
      started.emplace_back(spec, std::move(*res));
    }
  }
  auto hdl = sys.spawn(supervisor_behavior, std::move(flags), std::move(strategy),
                       std::move(started));
  return caf::actor_cast<supervisor_actor>(hdl);
}

start_function supervisor_starter(supervisor_flags flags, std::vector<child_spec> specs) {
  return [flags = std::move(flags), specs = std::move(specs)](
           caf::actor_system& sys, const caf::message&) -> caf::expected<caf::actor> {
    auto res = spawn_supervisor(sys, flags, specs);
    if (!res) return res.error();
    return caf::actor_cast<caf::actor>(*res);
  };
}

void add_supervision_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<child_info>("wsnova::child_info");
  cfg.add_message_type<child_counts>("wsnova::child_counts");
  cfg.add_message_type<child_spec>("wsnova::child_spec");
}

} // namespace wsnova
