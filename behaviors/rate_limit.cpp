#include <wsnova/behaviors/rate_limit.hpp>

#include <algorithm>
#include <utility>

#include <wsnova/core/detail/enum_names.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova {

const char* to_string(rate_outcome outcome) {
  return detail::enum_name<rate_outcome::rejected>(outcome, {"sent", "queued", "rejected"},
                                                   "unknown");
}

token_bucket::token_bucket(rate_limit_config config, time_point now)
    : config_(std::move(config)), tokens_(0), refilled_at_(now) {
  if (config_.capacity == 0) config_.capacity = 1;
  if (config_.refill_interval <= caf::timespan::zero()) config_.refill_interval = caf::timespan{1};
  tokens_ = config_.capacity;
}

std::uint32_t token_bucket::cost_of(std::string_view kind) const {
  auto i = config_.costs.find(kind);
  return i == config_.costs.end() ? config_.default_cost : i->second;
}

void token_bucket::refill(time_point now) {
  if (now <= refilled_at_) return;
  if (tokens_ >= config_.capacity) {
    // A full bucket earns nothing; the next token is one interval after it was last drawn.
    refilled_at_ = now;
    return;
  }
  auto intervals = (now - refilled_at_) / config_.refill_interval;
  auto missing = static_cast<std::int64_t>(config_.capacity - tokens_);
  if (intervals >= missing) {
    tokens_ = config_.capacity;
    refilled_at_ = now;
  } else {
    tokens_ += static_cast<std::uint32_t>(intervals);
    refilled_at_ += intervals * config_.refill_interval;
  }
}

std::uint32_t token_bucket::tokens(time_point now) {
  refill(now);
  return tokens_;
}

rate_answer token_bucket::acquire_cost(std::uint32_t cost, time_point now) {
  rate_answer answer;
  answer.ticket = next_ticket_++;
  answer.cost = cost;
  if (cost > config_.capacity) {
    answer.outcome = rate_outcome::rejected;
    answer.error = make_error(errc::rate_limited, "cost " + std::to_string(cost) +
                                                      " exceeds the bucket's capacity " +
                                                      std::to_string(config_.capacity));
    return answer;
  }
  // While anything waits, a new request waits behind it (even if its own tokens are there):
  // the queue's order is the order of the requests.
  refill(now);
  if (queue_.empty() && tokens_ >= cost) {
    tokens_ -= cost;
    answer.outcome = rate_outcome::sent;
    return answer;
  }
  if (queue_.size() >= config_.max_queued) {
    answer.outcome = rate_outcome::rejected;
    answer.error =
        make_error(errc::rate_limited,
                   "wait queue full (" + std::to_string(queue_.size()) + " requests waiting)");
    return answer;
  }
  queue_.push_back(release{answer.ticket, cost});
  answer.outcome = rate_outcome::queued;
  answer.position = queue_.size();
  return answer;
}

std::vector<token_bucket::release> token_bucket::release_ready(time_point now) {
  std::vector<release> result;
  refill(now);
  while (!queue_.empty() && tokens_ >= queue_.front().cost) {
    tokens_ -= queue_.front().cost;
    result.push_back(queue_.front());
    queue_.pop_front();
  }
  return result;
}

std::optional<token_bucket::time_point> token_bucket::next_release_at() const {
  if (queue_.empty()) return std::nullopt;
  auto cost = queue_.front().cost;
  if (tokens_ >= cost) return refilled_at_;
  return refilled_at_ + static_cast<std::int64_t>(cost - tokens_) * config_.refill_interval;
}

}  // namespace wsnova
