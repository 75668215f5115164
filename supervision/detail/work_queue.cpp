// The supervisor's sequential work queue: one operation at a time, as OTP's supervisor
// handles one call at a time. A step that stops a child waits for its down message before
// the next step runs; steps scheduled by a running step go before older ones.
#include <wsnova/supervision/detail/supervisor_state.hpp>

#include <iterator>

namespace wsnova::detail {

void schedule(self_ptr self, step s) {
  auto& st = self->state;
  if (st.in_step)
    st.front.push_back(std::move(s));
  else
    st.steps.push_back(std::move(s));
}

void schedule_call(self_ptr self, std::function<void()> fn) {
  schedule(self, step{step::op::call, {}, std::move(fn)});
}

void schedule_stop(self_ptr self, const std::string& id) {
  schedule(self, step{step::op::stop, id, {}});
}

void pump(self_ptr self) {
  auto& st = self->state;
  if (st.pumping) return;
  st.pumping = true;
  while (!st.done && !st.awaiting && !st.steps.empty()) {
    auto s = std::move(st.steps.front());
    st.steps.pop_front();
    st.in_step = true;
    switch (s.what) {
      case step::op::stop:
        begin_stop(self, s.id);
        break;
      case step::op::call:
        s.fn();
        break;
    }
    st.in_step = false;
    st.steps.insert(st.steps.begin(), std::make_move_iterator(st.front.begin()),
                    std::make_move_iterator(st.front.end()));
    st.front.clear();
  }
  st.pumping = false;
}

}  // namespace wsnova::detail
