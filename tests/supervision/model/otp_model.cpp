#include "otp_model.hpp"

#include <algorithm>

namespace wsnova::model {

std::string to_string(strategy x) {
  switch (x) {
    case strategy::one_for_one:
      return "one_for_one";
    case strategy::one_for_all:
      return "one_for_all";
    case strategy::rest_for_one:
      return "rest_for_one";
    case strategy::simple_one_for_one:
      return "simple_one_for_one";
  }
  return "?";
}

std::string to_string(restart x) {
  switch (x) {
    case restart::permanent:
      return "permanent";
    case restart::transient:
      return "transient";
    case restart::temporary:
      return "temporary";
  }
  return "?";
}

std::string to_string(exit_kind x) {
  switch (x) {
    case exit_kind::normal:
      return "normal";
    case exit_kind::shutdown:
      return "shutdown";
    case exit_kind::abnormal:
      return "abnormal";
    case exit_kind::killed:
      return "killed";
  }
  return "?";
}

std::string to_string(auto_shutdown x) {
  switch (x) {
    case auto_shutdown::never:
      return "never";
    case auto_shutdown::any_significant:
      return "any_significant";
    case auto_shutdown::all_significant:
      return "all_significant";
  }
  return "?";
}

std::string to_string(const event& x) {
  switch (x.what) {
    case event::op::exit: {
      std::string result = "exit(";
      for (std::size_t i = 0; i < x.exits.size(); ++i) {
        if (i > 0) result += ", ";
        result += x.exits[i].first + ":" + to_string(x.exits[i].second);
      }
      return result + ")";
    }
    case event::op::advance:
      return "advance(" + std::to_string(x.dt.count()) + "ms)";
    case event::op::start_child:
      return "start_child(" + x.name + ")";
    case event::op::terminate_child:
      return "terminate_child(" + x.name + ")";
    case event::op::restart_child:
      return "restart_child(" + x.name + ")";
    case event::op::delete_child:
      return "delete_child(" + x.name + ")";
    case event::op::shutdown:
      return "shutdown supervisor";
  }
  return "?";
}

otp_supervisor::otp_supervisor(config cfg) : cfg_(std::move(cfg)) {
  // init_children: start in order. A failure here would fail the supervisor's start, which
  // the generator rules out.
  // An ignored temporary child is dropped, any other ignored child kept as undefined.
  for (auto& def : cfg_.children) {
    auto answer = start_outcome::ok;
    auto inst = start(def, &answer);
    if (!inst && def.type == restart::temporary) continue;
    child c{def, {}};
    if (inst) c.pid = {pid_state::kind::process, *inst};
    children_.push_back(std::move(c));
  }
  initial_entries_ = trace_.size();
}

std::string otp_supervisor::apply(const event& ev) {
  if (!alive_) return {};
  std::string reply;
  switch (ev.what) {
    case event::op::exit:
      // The processes die; their 'DOWN's queue up before the supervisor runs.
      for (auto& [name, kind] : ev.exits) {
        auto c = find(name);
        if (!c || c->pid.what != pid_state::kind::process) continue;
        auto i = processes_.find(c->pid.instance);
        if (i == processes_.end()) continue;
        processes_.erase(i);
        trace_.push_back("stop:" + name + ":" + to_string(kind));
        mailbox_.push_back(message{true, c->pid.instance, kind, {}});
      }
      break;
    case event::op::advance:
      now_ += ev.dt;
      break;
    case event::op::start_child: {
      // handle_start_child for simple_one_for_one: a new dynamic child from the template.
      auto def = cfg_.templ;
      def.id = ev.name;
      auto answer = start_outcome::ok;
      if (auto inst = start(def, &answer))
        children_.push_back(child{def, {pid_state::kind::process, *inst}});
      // An ignored dynamic child is not added; the call still succeeds.
      reply = answer == start_outcome::fail ? "start_failed" : "ok";
      break;
    }
    case event::op::terminate_child: {
      // handle_call({terminate_child, Id}): do_terminate, then del_child.
      auto c = find(ev.name);
      if (!c) {
        reply = "unknown_child";
        break;
      }
      terminate(*c);
      del_child(ev.name);
      reply = "ok";
      break;
    }
    case event::op::restart_child: {
      // handle_call({restart_child, Id}): only a child whose pid is undefined; no intensity.
      auto c = find(ev.name);
      if (!c) {
        reply = "unknown_child";
      } else if (c->pid.what != pid_state::kind::undefined) {
        reply = "already_started";
      } else {
        // {ok, undefined} (ignore) leaves the pid undefined and still answers ok.
        auto answer = start_outcome::ok;
        if (auto inst = start(c->def, &answer)) c->pid = {pid_state::kind::process, *inst};
        reply = answer == start_outcome::fail ? "start_failed" : "ok";
      }
      break;
    }
    case event::op::delete_child: {
      // handle_call({delete_child, Id}): only a child whose pid is undefined.
      auto c = find(ev.name);
      if (!c) {
        reply = "unknown_child";
      } else if (c->pid.what != pid_state::kind::undefined) {
        reply = "not_allowed";
      } else {
        children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(index_of(ev.name)));
        reply = "ok";
      }
      break;
    }
    case event::op::shutdown:
      // An exit signal from the parent: terminate/2 with reason shutdown.
      shutdown("shutdown");
      break;
  }
  drain();
  return reply;
}

child_count otp_supervisor::counts() const {
  child_count result;
  for (auto& c : children_) {
    ++result.workers;
    if (c.pid.what == pid_state::kind::process && processes_.count(c.pid.instance) > 0)
      ++result.active;
  }
  // simple_one_for_one: the template is the one spec; workers counts the dynamic children.
  result.specs = cfg_.how == strategy::simple_one_for_one ? 1 : children_.size();
  return result;
}

std::vector<child_row> otp_supervisor::children() const {
  std::vector<child_row> result;
  for (auto& c : children_)
    result.push_back(child_row{c.def.id, c.pid.what == pid_state::kind::process});
  return result;
}

std::vector<std::string> otp_supervisor::running() const {
  std::vector<std::string> result;
  for (auto& c : children_)
    if (c.pid.what == pid_state::kind::process && processes_.count(c.pid.instance) > 0)
      result.push_back(c.def.id);
  return result;
}

std::vector<std::string> otp_supervisor::stopped() const {
  std::vector<std::string> result;
  for (auto& c : children_)
    if (c.pid.what == pid_state::kind::undefined) result.push_back(c.def.id);
  return result;
}

otp_supervisor::child* otp_supervisor::find(const std::string& id) {
  for (auto& c : children_)
    if (c.def.id == id) return &c;
  return nullptr;
}

otp_supervisor::child* otp_supervisor::find_instance(std::uint64_t instance) {
  for (auto& c : children_)
    if (c.pid.what == pid_state::kind::process && c.pid.instance == instance) return &c;
  return nullptr;
}

std::size_t otp_supervisor::index_of(const std::string& id) const {
  for (std::size_t i = 0; i < children_.size(); ++i)
    if (children_[i].def.id == id) return i;
  return children_.size();
}

// The gen_server loop: handle_info({'EXIT', ...}) and handle_cast({try_again_restart, ...}).
void otp_supervisor::drain() {
  while (alive_ && !mailbox_.empty()) {
    auto msg = std::move(mailbox_.front());
    mailbox_.pop_front();
    if (msg.down) {
      // restart_child(Pid, Reason, State): an unknown pid (already replaced) is ignored.
      if (auto c = find_instance(msg.instance)) do_restart(msg.kind, c->def.id);
      continue;
    }
    auto c = find(msg.id);
    if (!c || c->pid.what != pid_state::kind::restarting) continue;
    restart(msg.id);
  }
}

// do_restart/3: permanent always; normal and shutdown delete (and may auto-shutdown);
// transient otherwise restarts; temporary never.
void otp_supervisor::do_restart(exit_kind kind, const std::string& id) {
  auto def = find(id)->def;
  if (def.type == restart::permanent) {
    restart(id);
    return;
  }
  if (kind == exit_kind::normal || kind == exit_kind::shutdown) {
    del_child(id);
    do_auto_shutdown(def);
    return;
  }
  if (def.type == restart::transient) {
    restart(id);
    return;
  }
  del_child(id);
  do_auto_shutdown(def);
}

// restart/2: add_restart, then the strategy; past the intensity the supervisor shuts down.
void otp_supervisor::restart(const std::string& id) {
  if (!add_restart()) {
    del_child(id);
    shutdown("restart_intensity");
    return;
  }
  restart_by_strategy(id);
}

// restart/3.
void otp_supervisor::restart_by_strategy(const std::string& id) {
  switch (cfg_.how) {
    case strategy::one_for_one:
    case strategy::simple_one_for_one: {
      auto c = find(id);
      auto answer = start_outcome::ok;
      if (auto inst = start(c->def, &answer)) {
        c->pid = {pid_state::kind::process, *inst};
      } else if (answer == start_outcome::ignore) {
        // one_for_one: set_pid(undefined); simple_one_for_one: the child is dropped.
        if (cfg_.how == strategy::simple_one_for_one)
          children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(index_of(id)));
        else
          c->pid = {};
      } else {
        c->pid = {pid_state::kind::restarting, 0};
        mailbox_.push_back(message{false, 0, exit_kind::abnormal, id});
      }
      return;
    }
    case strategy::rest_for_one:
      restart_multiple_children(id, index_of(id));
      return;
    case strategy::one_for_all:
      find(id)->pid = {};
      restart_multiple_children(id, 0);
      return;
  }
}

// restart_multiple_children/3: terminate_children on the group (reverse start order;
// temporary children are removed), then start_children (start order) up to the first
// failure, which is marked restarting and retried through the mailbox.
void otp_supervisor::restart_multiple_children(const std::string&, std::size_t first) {
  for (auto i = children_.size(); i-- > first;) terminate(children_[i]);
  std::vector<child> kept;
  for (std::size_t i = 0; i < children_.size(); ++i)
    if (i < first || children_[i].def.type != restart::temporary)
      kept.push_back(std::move(children_[i]));
  children_ = std::move(kept);
  for (auto i = first; i < children_.size(); ++i) {
    children_[i].pid = {};
    auto answer = start_outcome::ok;
    if (auto inst = start(children_[i].def, &answer)) {
      children_[i].pid = {pid_state::kind::process, *inst};
    } else if (answer == start_outcome::fail) {
      children_[i].pid = {pid_state::kind::restarting, 0};
      mailbox_.push_back(message{false, 0, exit_kind::abnormal, children_[i].def.id});
      return;
    }
  }
}

// add_restart/1: keep the restarts not older than the period, add now, compare the count.
bool otp_supervisor::add_restart() {
  std::deque<ms> kept;
  for (auto t : restarts_) {
    bool inside = cfg_.variant.exclusive_window ? now_ - t < cfg_.period : t >= now_ - cfg_.period;
    if (!inside) break;  // takewhile: the list is newest first
    kept.push_back(t);
  }
  kept.push_front(now_);
  restarts_ = std::move(kept);
  return restarts_.size() <= cfg_.intensity;
}

// del_child/2: dynamic and temporary children go away; the others keep their spec.
void otp_supervisor::del_child(const std::string& id) {
  auto i = index_of(id);
  if (i == children_.size()) return;
  if (cfg_.how == strategy::simple_one_for_one || children_[i].def.type == restart::temporary)
    children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
  else
    children_[i].pid = {};
}

// do_auto_shutdown/2.
void otp_supervisor::do_auto_shutdown(const child_def& def) {
  if (cfg_.shutdown_mode == auto_shutdown::never || !def.significant) return;
  if (cfg_.shutdown_mode == auto_shutdown::any_significant) {
    shutdown("shutdown");
    return;
  }
  bool any = std::any_of(children_.begin(), children_.end(), [](const child& c) {
    return c.pid.what != pid_state::kind::undefined && c.def.significant;
  });
  if (!any) shutdown("shutdown");
}

std::optional<std::uint64_t> otp_supervisor::start(const child_def& def, start_outcome* answer) {
  auto attempt = ++attempts_[def.id];
  auto result = cfg_.start_answer ? cfg_.start_answer(def.id, attempt) : start_outcome::ok;
  if (answer != nullptr) *answer = result;
  if (result != start_outcome::ok) {
    trace_.push_back((result == start_outcome::fail ? "fail:" : "ignore:") + def.id);
    return std::nullopt;
  }
  auto inst = next_instance_++;
  processes_.emplace(inst, def.id);
  trace_.push_back("start:" + def.id);
  return inst;
}

// do_terminate/2: stop a running process; a process that already died is not stopped again
// and its pending 'DOWN' is consumed (shutdown/1 receives it, unlink_flush drops the EXIT).
void otp_supervisor::terminate(child& c) {
  if (c.pid.what != pid_state::kind::process) return;
  auto inst = c.pid.instance;
  stop_process(inst, c.def);
  mailbox_.erase(std::remove_if(mailbox_.begin(), mailbox_.end(),
                                [inst](const message& m) { return m.down && m.instance == inst; }),
                 mailbox_.end());
}

void otp_supervisor::stop_process(std::uint64_t instance, const child_def& def) {
  auto i = processes_.find(instance);
  if (i == processes_.end()) return;
  processes_.erase(i);
  trace_.push_back("stop:" + def.id + ":" + (def.brutal ? "killed" : "shutdown"));
}

// terminate/2: terminate_children in reverse start order (for simple_one_for_one OTP stops
// the dynamic children concurrently, in no defined order; the model uses reverse order).
void otp_supervisor::shutdown(std::string reason) {
  for (auto i = children_.size(); i-- > 0;) terminate(children_[i]);
  alive_ = false;
  exit_reason_ = std::move(reason);
  mailbox_.clear();
}

}  // namespace wsnova::model
