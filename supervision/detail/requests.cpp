#include <wsnova/supervision/detail/requests.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/core/supervision_errc.hpp>

namespace wsnova::detail {

namespace {

caf::error not_allowed(const std::string& why) { return make_error(errc::not_allowed, why); }

caf::error unknown(const std::string& id) {
  return make_error(sup_errc::unknown_child, "no child '" + id + "'");
}

caf::error exists(const child_record& rec) {
  if (rec.status == child_status::running || rec.status == child_status::terminating)
    return make_error(sup_errc::already_started, "child '" + rec.spec.id + "' runs");
  return make_error(sup_errc::already_present, "child '" + rec.spec.id + "'");
}

/// Returns the child `id` for `restart_child` and `delete_child`, which, as in OTP, refuse
/// simple_one_for_one children; otherwise answers `rp` with why not and returns nullptr.
template <class Promise>
child_record* static_child(supervisor_state& st, const std::string& id, Promise& rp) {
  auto rec = st.children.find(id);
  if (rec && !rec->dynamic) return rec;
  rp.deliver(rec ? not_allowed("simple_one_for_one child") : unknown(id));
  return nullptr;
}

/// Runs `fn(promise)` as a queued step and returns the promise; while the supervisor
/// shuts down, answers `not_allowed` instead.
template <class T, class F>
caf::typed_response_promise<T> queued(self_ptr self, F fn) {
  auto rp = self->template make_response_promise<T>();
  schedule_call(self, [self, rp, fn = std::move(fn)]() mutable {
    if (self->state.shutting_down)
      rp.deliver(not_allowed("supervisor is shutting down"));
    else
      fn(rp);
  });
  pump(self);
  return rp;
}

void terminate_by_id(self_ptr self, const std::string& id, ok_promise& rp) {
  schedule_stop(self, id);
  schedule_call(self, [self, id, rp]() mutable {
    auto& st = self->state;
    if (auto rec = st.children.find(id);
        rec && (rec->spec.restart == restart_type::temporary || rec->dynamic))
      st.children.del_child(id);
    rp.deliver(caf::ok_atom::value);
  });
}

child_state state_of(const child_record& rec) {
  switch (rec.status) {
    case child_status::running:
    case child_status::terminating:
      return child_state::running;
    case child_status::restarting:
      return child_state::restarting;
    case child_status::stopped:
      break;
  }
  return child_state::undefined;
}

}  // namespace

actor_promise start_child(self_ptr self, child_spec spec) {
  return queued<caf::actor>(self, [self, spec = std::move(spec)](actor_promise& rp) {
    auto& st = self->state;
    if (st.template_spec)
      return void(rp.deliver(not_allowed("simple_one_for_one: use start_child(args)")));
    if (auto err = check_child_spec(spec, st.flags)) return void(rp.deliver(err));
    if (auto rec = st.children.find(spec.id)) return void(rp.deliver(exists(*rec)));
    auto res = call_start(self->system(), spec, caf::message{});
    if (!res.started() && !res.ignored()) return void(rp.deliver(res.error()));
    // OTP: an ignored temporary child is not kept; any other ignored child is, undefined.
    if (res.ignored() && spec.restart == restart_type::temporary)
      return void(rp.deliver(caf::actor{}));
    auto& rec = st.children.save_child(make_record(self, spec));
    if (res.started()) set_running(self, rec, res.handle());
    rp.deliver(rec.handle);
  });
}

actor_promise start_child(self_ptr self, caf::message args) {
  return queued<caf::actor>(self, [self, args = std::move(args)](actor_promise& rp) {
    auto& st = self->state;
    if (!st.template_spec)
      return void(rp.deliver(not_allowed("start_child(args) needs simple_one_for_one")));
    auto rec = make_record(self, *st.template_spec);
    rec.spec.id += "#" + std::to_string(++st.dynamic_count);
    rec.args = args;
    rec.dynamic = true;
    auto res = call_start(self->system(), rec.spec, args);
    if (res.ignored()) return void(rp.deliver(caf::actor{}));  // OTP: not added
    if (!res.started()) return void(rp.deliver(res.error()));
    auto& saved = st.children.save_child(std::move(rec));
    set_running(self, saved, res.handle());
    rp.deliver(saved.handle);
  });
}

ok_promise terminate_child(self_ptr self, std::string id) {
  return queued<caf::ok_atom>(self, [self, id = std::move(id)](ok_promise& rp) {
    if (!self->state.children.find(id)) return void(rp.deliver(unknown(id)));
    terminate_by_id(self, id, rp);
  });
}

ok_promise terminate_child(self_ptr self, caf::actor handle) {
  return queued<caf::ok_atom>(self, [self, handle = std::move(handle)](ok_promise& rp) {
    auto rec = handle ? self->state.children.find(handle.address()) : nullptr;
    if (!rec)
      return void(rp.deliver(make_error(sup_errc::unknown_child, "no child with this handle")));
    terminate_by_id(self, rec->spec.id, rp);
  });
}

actor_promise restart_child(self_ptr self, std::string id) {
  return queued<caf::actor>(self, [self, id = std::move(id)](actor_promise& rp) {
    auto& st = self->state;
    auto rec = static_child(st, id, rp);
    if (!rec) return;
    if (rec->status == child_status::running || rec->status == child_status::terminating)
      return void(rp.deliver(exists(*rec)));
    auto res = call_start(self->system(), rec->spec, rec->args);
    if (!res.started()) {
      // Failed or ignored: no actor, and no pending restart either.
      st.children.set_stopped(*rec);
      if (res.ignored()) return void(rp.deliver(caf::actor{}));
      return void(rp.deliver(res.error()));
    }
    set_running(self, *rec, res.handle());
    rp.deliver(rec->handle);
  });
}

ok_promise delete_child(self_ptr self, std::string id) {
  return queued<caf::ok_atom>(self, [self, id = std::move(id)](ok_promise& rp) {
    auto& st = self->state;
    auto rec = static_child(st, id, rp);
    if (!rec) return;
    if (rec->status != child_status::stopped)
      return void(rp.deliver(not_allowed("child '" + id + "' is running or restarting")));
    st.children.del_child(id);
    rp.deliver(caf::ok_atom::value);
  });
}

which_promise which_children(self_ptr self) {
  return queued<std::vector<child_info>>(self, [self](which_promise& rp) {
    std::vector<child_info> result;
    result.reserve(self->state.children.size());
    self->state.children.for_each([&](const child_record& rec) {
      result.push_back(child_info{rec.spec.id, rec.handle, rec.spec.kind, rec.spec.restart,
                                  state_of(rec), rec.restarts});
    });
    rp.deliver(std::move(result));
  });
}

count_promise count_children(self_ptr self) {
  return queued<child_counts>(self, [self](count_promise& rp) {
    auto& st = self->state;
    child_counts result;
    st.children.for_each([&](const child_record& rec) {
      ++result.specs;
      if (rec.status == child_status::running) ++result.active;
      if (rec.spec.kind == child_kind::supervisor)
        ++result.supervisors;
      else
        ++result.workers;
    });
    if (st.template_spec) result.specs = 1;  // OTP: the template is the one spec
    rp.deliver(result);
  });
}

namespace {

void deliver_spec(self_ptr self, child_record* rec, const std::string& what, spec_promise& rp) {
  if (!rec) return void(rp.deliver(make_error(sup_errc::unknown_child, "no child " + what)));
  const auto& st = self->state;
  rp.deliver(rec->dynamic && st.template_spec ? *st.template_spec : rec->spec);
}

}  // namespace

spec_promise get_childspec(self_ptr self, std::string id) {
  return queued<child_spec>(self, [self, id = std::move(id)](spec_promise& rp) {
    deliver_spec(self, self->state.children.find(id), "'" + id + "'", rp);
  });
}

spec_promise get_childspec(self_ptr self, caf::actor handle) {
  return queued<child_spec>(self, [self, handle = std::move(handle)](spec_promise& rp) {
    auto rec = handle ? self->state.children.find(handle.address()) : nullptr;
    deliver_spec(self, rec, "with this handle", rp);
  });
}

ok_promise adopt(self_ptr self, caf::actor handle, child_spec spec) {
  return queued<caf::ok_atom>(
      self, [self, handle = std::move(handle), spec = std::move(spec)](ok_promise& rp) {
        auto& st = self->state;
        if (st.template_spec)
          return void(rp.deliver(not_allowed("simple_one_for_one cannot adopt")));
        if (!handle) return void(rp.deliver(not_allowed("adopt: invalid handle")));
        if (auto err = check_child_spec(spec, st.flags)) return void(rp.deliver(err));
        if (auto rec = st.children.find(spec.id)) return void(rp.deliver(exists(*rec)));
        auto& rec = st.children.save_child(make_record(self, spec));
        set_running(self, rec, handle);
        rp.deliver(caf::ok_atom::value);
      });
}

actor_promise release(self_ptr self, std::string id) {
  return queued<caf::actor>(self, [self, id = std::move(id)](actor_promise& rp) {
    auto& st = self->state;
    auto rec = st.children.find(id);
    if (!rec) return void(rp.deliver(unknown(id)));
    if (rec->status != child_status::running)
      return void(rp.deliver(not_allowed("release: child '" + id + "' is not running")));
    auto handle = rec->handle;
    self->demonitor(handle.address());
    st.children.clear_pid(*rec);
    notify(self, id, caf::actor{});
    st.children.del_child(id);
    rp.deliver(handle);
  });
}

}  // namespace wsnova::detail
