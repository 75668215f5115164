#include <wsnova/testing/detail/deribit_state.hpp>

#include <cstdio>

namespace wsnova::test::detail {

exchange_state::exchange_state(exchange_options opts)
    : opts_(std::move(opts)), random_(std::random_device{}()) {
  // nop
}

exchange_options exchange_state::options() const {
  std::lock_guard guard{mtx_};
  return opts_;
}

// -- tokens -----------------------------------------------------------------------------

exchange_state::grant exchange_state::issue_locked() {
  auto make = [this](const char* kind) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%llu.%s.%016llx",
                  static_cast<unsigned long long>(++tokens_issued_), kind,
                  static_cast<unsigned long long>(random_()));
    return std::string{buf};
  };
  grant g{make("access"), make("refresh"), opts_.token_lifetime};
  access_tokens_.emplace(g.access_token, clock::now() + opts_.token_lifetime);
  refresh_tokens_.insert(g.refresh_token);
  return g;
}

std::optional<exchange_state::grant> exchange_state::auth_client_credentials(
    std::string_view id, std::string_view secret) {
  std::lock_guard guard{mtx_};
  cv_.notify_all();
  if (id != opts_.client_id || secret != opts_.client_secret) {
    ++stats_.auth_failed;
    return std::nullopt;
  }
  ++stats_.auth_client_credentials;
  return issue_locked();
}

std::optional<exchange_state::grant> exchange_state::auth_refresh(std::string_view token) {
  std::lock_guard guard{mtx_};
  cv_.notify_all();
  auto it = refresh_tokens_.find(token);
  if (it == refresh_tokens_.end()) {
    ++stats_.auth_failed;
    return std::nullopt;
  }
  refresh_tokens_.erase(it);  // a refresh token is used once; the grant brings a new one
  ++stats_.auth_refresh_token;
  return issue_locked();
}

bool exchange_state::token_valid(std::string_view access_token) const {
  std::lock_guard guard{mtx_};
  auto it = access_tokens_.find(access_token);
  return it != access_tokens_.end() && clock::now() < it->second;
}

void exchange_state::expire_tokens(bool refresh_too) {
  std::lock_guard guard{mtx_};
  access_tokens_.clear();
  if (refresh_too) refresh_tokens_.clear();
}

void exchange_state::set_token_lifetime(std::chrono::seconds lifetime) {
  std::lock_guard guard{mtx_};
  opts_.token_lifetime = lifetime;
}

// -- faults -----------------------------------------------------------------------------

void exchange_state::inject_rate_limit(std::size_t count) {
  std::lock_guard guard{mtx_};
  injected_rate_limits_ = count;
}

bool exchange_state::take_injected_rate_limit() {
  std::lock_guard guard{mtx_};
  if (injected_rate_limits_ == 0) return false;
  --injected_rate_limits_;
  return true;
}

void exchange_state::reject_upgrades(int status, std::size_t count) {
  std::lock_guard guard{mtx_};
  reject_status_ = status;
  rejections_ = count;
}

int exchange_state::take_upgrade_rejection() {
  std::lock_guard guard{mtx_};
  if (rejections_ == 0) return 0;
  --rejections_;
  ++stats_.upgrades_rejected;
  cv_.notify_all();
  return reject_status_;
}

void exchange_state::stall(std::chrono::milliseconds duration) {
  std::lock_guard guard{mtx_};
  stalled_until_ = clock::now() + duration;
}

exchange_state::clock::time_point exchange_state::stalled_until() const {
  std::lock_guard guard{mtx_};
  return stalled_until_;
}

// -- connections and subscriptions ------------------------------------------------------

std::uint64_t exchange_state::new_connection_id() {
  std::lock_guard guard{mtx_};
  return next_connection_++;
}

void exchange_state::add_connection(std::uint64_t id) {
  std::lock_guard guard{mtx_};
  subscriptions_[id];
  ++stats_.connections_accepted;
  ++stats_.connections_open;
  cv_.notify_all();
}

void exchange_state::remove_connection(std::uint64_t id) {
  std::lock_guard guard{mtx_};
  if (subscriptions_.erase(id) == 0) return;
  --stats_.connections_open;
  cv_.notify_all();
}

void exchange_state::subscribe(std::uint64_t id, const std::string& channel) {
  std::lock_guard guard{mtx_};
  auto it = subscriptions_.find(id);
  if (it == subscriptions_.end()) return;
  it->second.insert(channel);
  sequences_.try_emplace(channel, 0);
}

bool exchange_state::unsubscribe(std::uint64_t id, const std::string& channel) {
  std::lock_guard guard{mtx_};
  auto it = subscriptions_.find(id);
  return it != subscriptions_.end() && it->second.erase(channel) > 0;
}

void exchange_state::unsubscribe_all(std::uint64_t id) {
  std::lock_guard guard{mtx_};
  if (auto it = subscriptions_.find(id); it != subscriptions_.end()) it->second.clear();
}

std::map<std::uint64_t, std::set<std::string>> exchange_state::subscriptions() const {
  std::lock_guard guard{mtx_};
  return subscriptions_;
}

std::vector<exchange_state::due_notification> exchange_state::tick() {
  std::lock_guard guard{mtx_};
  std::vector<due_notification> out;
  for (auto& [channel, sequence] : sequences_) {
    ++sequence;
    due_notification due{channel, sequence, {}};
    for (const auto& [id, channels] : subscriptions_)
      if (channels.count(channel) > 0) due.subscribers.push_back(id);
    if (!due.subscribers.empty()) out.push_back(std::move(due));
  }
  return out;
}

// -- counters ---------------------------------------------------------------------------

exchange_stats exchange_state::stats() const {
  std::lock_guard guard{mtx_};
  return stats_;
}

bool exchange_state::wait_until(const std::function<bool(const exchange_stats&)>& pred,
                                std::chrono::milliseconds deadline) const {
  std::unique_lock lock{mtx_};
  return cv_.wait_for(lock, deadline, [&] { return pred(stats_); });
}

}  // namespace wsnova::test::detail
