#include <wsnova/supervision/detail/child_table.hpp>

#include <algorithm>

namespace wsnova::detail {

child_record* child_table::find(const std::string& id) {
  auto i = children_.find(id);
  return i == children_.end() ? nullptr : &i->second;
}

child_record* child_table::find(const caf::actor_addr& addr) {
  auto [first, last] = by_addr_.equal_range(addr);
  for (auto i = first; i != last; ++i)
    if (auto rec = find(i->second); rec && rec->handle && rec->handle.address() == addr) return rec;
  return nullptr;
}

std::vector<std::string> child_table::ids() const {
  std::vector<std::string> result;
  result.reserve(order_.size());
  for (auto& [seq, id] : order_) result.push_back(id);
  return result;
}

std::vector<std::string> child_table::in_start_order(const std::vector<std::string>& ids) const {
  // O(k log k) for k ids, whatever the number of children.
  std::vector<std::pair<std::uint64_t, std::string>> named;
  named.reserve(ids.size());
  for (auto& id : ids)
    if (auto i = children_.find(id); i != children_.end()) named.emplace_back(i->second.seq, id);
  std::sort(named.begin(), named.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  named.erase(std::unique(named.begin(), named.end(),
                          [](const auto& x, const auto& y) { return x.first == y.first; }),
              named.end());
  std::vector<std::string> result;
  result.reserve(named.size());
  for (auto& entry : named) result.push_back(std::move(entry.second));
  return result;
}

child_record& child_table::save_child(child_record rec) {
  auto id = rec.spec.id;
  rec.seq = next_seq_++;
  order_.emplace(rec.seq, id);
  return children_.insert_or_assign(id, std::move(rec)).first->second;
}

void child_table::del_child(const std::string& id) {
  auto i = children_.find(id);
  if (i == children_.end()) return;
  unindex(i->second);
  live_->erase(i->second.seq);
  order_.erase(i->second.seq);
  children_.erase(i);
}

void child_table::set_pid(child_record& rec, caf::actor handle, caf::actor_clock::time_point now) {
  unindex(rec);
  rec.handle = std::move(handle);
  by_addr_.emplace(rec.handle.address(), rec.spec.id);
  rec.status = child_status::running;
  rec.token = next_token_++;
  rec.plan = 0;
  rec.started_at = now;
  if (rec.started_once) ++rec.restarts;
  rec.started_once = true;
  live_->insert_or_assign(rec.seq, rec.handle);
}

void child_table::clear_pid(child_record& rec) {
  unindex(rec);
  live_->erase(rec.seq);
  rec.handle = nullptr;
  rec.status = child_status::stopped;
  rec.plan = 0;
}

std::uint64_t child_table::set_terminating(child_record& rec) {
  rec.status = child_status::terminating;
  rec.token = next_token_++;  // invalidates queued exits and timers of this instance
  return rec.token;
}

void child_table::set_restarting(child_record& rec, std::uint64_t plan) {
  rec.status = child_status::restarting;
  rec.plan = plan;
  rec.token = next_token_++;
}

void child_table::set_stopped(child_record& rec) {
  rec.status = child_status::stopped;
  rec.plan = 0;
  rec.token = next_token_++;
}

void child_table::unindex(const child_record& rec) {
  if (!rec.handle) return;
  auto [first, last] = by_addr_.equal_range(rec.handle.address());
  for (auto i = first; i != last; ++i)
    if (i->second == rec.spec.id) {
      by_addr_.erase(i);
      return;
    }
}

}  // namespace wsnova::detail
