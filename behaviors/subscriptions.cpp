#include <wsnova/behaviors/subscriptions.hpp>

#include <utility>

#include <wsnova/core/detail/enum_names.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova {

namespace {

bool is_active(subscription_state state) {
  return state == subscription_state::pending || state == subscription_state::confirmed;
}

/// `now + timeout`, saturating instead of overflowing for a huge timeout.
subscription_table::time_point deadline_of(subscription_table::time_point now,
                                           caf::timespan timeout) {
  using time_point = subscription_table::time_point;
  return timeout >= time_point::max() - now ? time_point::max() : now + timeout;
}

std::string name_of(const subscription& entry) {
  return "subscription " + std::to_string(entry.id) + " (" + entry.channel + ")";
}

}  // namespace

const char* to_string(subscription_state state) {
  return detail::enum_name<subscription_state::expired>(
      state, {"pending", "confirmed", "failed", "unsubscribed", "expired"}, "unknown");
}

caf::expected<std::uint64_t> subscription_table::subscribe(std::string channel,
                                                           boost::json::value params,
                                                           caf::timespan timeout, time_point now) {
  if (channel.empty()) return make_error(errc::invalid_argument, "subscription channel is empty");
  if (const auto* existing = find_channel(channel))
    return make_error(errc::not_allowed, "channel " + channel + " already has " +
                                             name_of(*existing) + ", " +
                                             to_string(existing->state));
  subscription entry;
  entry.id = next_id_++;
  entry.channel = std::move(channel);
  entry.params = std::move(params);
  entry.timeout = timeout;
  entry.deadline = deadline_of(now, timeout);
  auto id = entry.id;
  entries_.emplace(id, std::move(entry));
  return id;
}

caf::expected<subscription*> subscription_table::active(std::uint64_t id, const char* action) {
  auto i = entries_.find(id);
  if (i == entries_.end())
    return make_error(errc::unknown_id, std::string{"cannot "} + action + " subscription " +
                                            std::to_string(id) + ": no such subscription");
  if (!is_active(i->second.state))
    return make_error(errc::not_allowed, std::string{"cannot "} + action + " " +
                                             name_of(i->second) + ": it is " +
                                             to_string(i->second.state));
  return &i->second;
}

caf::error subscription_table::confirm(std::uint64_t id) {
  auto entry = active(id, "confirm");
  if (!entry) return std::move(entry.error());
  (*entry)->state = subscription_state::confirmed;
  return {};
}

caf::error subscription_table::fail(std::uint64_t id, caf::error reason) {
  auto entry = active(id, "fail");
  if (!entry) return std::move(entry.error());
  (*entry)->state = subscription_state::failed;
  (*entry)->error = std::move(reason);
  return {};
}

caf::error subscription_table::unsubscribe(std::uint64_t id) {
  auto entry = active(id, "unsubscribe");
  if (!entry) return std::move(entry.error());
  (*entry)->state = subscription_state::unsubscribed;
  return {};
}

std::vector<subscription> subscription_table::expire(time_point now) {
  std::vector<subscription> result;
  for (auto& [id, entry] : entries_) {
    if (entry.state != subscription_state::pending || entry.deadline > now) continue;
    entry.state = subscription_state::expired;
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(entry.timeout);
    entry.error = make_error(errc::timeout, name_of(entry) + ": not confirmed within " +
                                                std::to_string(waited.count()) + " ms");
    result.push_back(entry);
  }
  return result;
}

std::vector<subscription> subscription_table::restore_list() const {
  std::vector<subscription> result;
  for (const auto& [id, entry] : entries_)
    if (is_active(entry.state)) result.push_back(entry);
  return result;
}

std::vector<subscription> subscription_table::on_reconnect(time_point now) {
  for (auto& [id, entry] : entries_) {
    if (!is_active(entry.state)) continue;
    entry.state = subscription_state::pending;
    entry.deadline = deadline_of(now, entry.timeout);
  }
  return restore_list();
}

const subscription* subscription_table::find(std::uint64_t id) const {
  auto i = entries_.find(id);
  return i == entries_.end() ? nullptr : &i->second;
}

const subscription* subscription_table::find_channel(std::string_view channel) const {
  for (const auto& [id, entry] : entries_)
    if (is_active(entry.state) && entry.channel == channel) return &entry;
  return nullptr;
}

std::optional<subscription_table::time_point> subscription_table::next_deadline() const {
  std::optional<time_point> result;
  for (const auto& [id, entry] : entries_)
    if (entry.state == subscription_state::pending && (!result || entry.deadline < *result))
      result = entry.deadline;
  return result;
}

std::size_t subscription_table::forget_finished() {
  return std::erase_if(entries_, [](const auto& item) { return !is_active(item.second.state); });
}

}  // namespace wsnova
