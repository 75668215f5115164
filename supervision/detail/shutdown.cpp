// Stopping children and the supervisor. As OTP's shutdown/2: the supervisor monitors the
// child and waits for the down message, not for a link's exit signal, so a child that
// ignores the request cannot hang it; at the deadline it kills.
#include <wsnova/supervision/detail/supervisor_state.hpp>

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>

namespace wsnova::detail {

void begin_stop(self_ptr self, const std::string& id) {
  auto& st = self->state;
  auto rec = st.children.find(id);
  if (!rec) return;
  if (rec->status != child_status::running) {
    // Not running: cancel a pending restart; invalidate a queued exit.
    st.children.set_stopped(*rec);
    return;
  }
  auto token = st.children.set_terminating(*rec);
  st.awaiting = id;
  auto sd = effective_shutdown(rec->spec);
  switch (sd.how) {
    case shutdown_spec::mode::brutal_kill:
      self->send_exit(rec->handle, caf::exit_reason::kill);
      break;
    case shutdown_spec::mode::timeout:
      self->send_exit(rec->handle, caf::exit_reason::user_shutdown);
      self->delayed_send(caf::actor_cast<supervisor_impl>(self), sd.timeout,
                         shutdown_timer_atom::value, id, token);
      break;
    case shutdown_spec::mode::infinity:
      self->send_exit(rec->handle, caf::exit_reason::user_shutdown);
      break;
  }
}

void on_shutdown_timer(self_ptr self, const std::string& id, std::uint64_t token) {
  auto rec = self->state.children.find(id);
  if (rec && rec->token == token && rec->status == child_status::terminating)
    self->send_exit(rec->handle, caf::exit_reason::kill);
}

void shutdown(self_ptr self, caf::error reason) {
  auto& st = self->state;
  if (st.shutting_down) return;
  st.shutting_down = true;
  st.exit_reason = std::move(reason);
  st.plans.clear();
  schedule_call(self, [self] {
    auto& st = self->state;
    auto ids = st.children.ids();
    for (auto i = ids.rbegin(); i != ids.rend(); ++i) schedule_stop(self, *i);
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

}  // namespace wsnova::detail
