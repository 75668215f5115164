#include "generator.hpp"

#include <random>
#include <sstream>

namespace wsnova::model {

namespace {

/// SplitMix64's finalizer: a well-mixed 64-bit hash of `x`.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// FNV-1a: a hash of a name that is the same on every platform (std::hash is not).
std::uint64_t fnv(const std::string& s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& xs) {
  return xs[std::uniform_int_distribution<std::size_t>{0, xs.size() - 1}(rng)];
}

int percent(std::mt19937_64& rng) { return std::uniform_int_distribution<int>{0, 99}(rng); }

restart random_restart(std::mt19937_64& rng) {
  auto p = percent(rng);
  return p < 45 ? restart::permanent : p < 80 ? restart::transient : restart::temporary;
}

child_def random_child(std::mt19937_64& rng, std::string id, auto_shutdown mode) {
  child_def def;
  def.id = std::move(id);
  def.type = random_restart(rng);
  def.brutal = percent(rng) < 25;
  // OTP allows significant children only if they are not permanent and auto_shutdown is on.
  def.significant =
      mode != auto_shutdown::never && def.type != restart::permanent && percent(rng) < 50;
  return def;
}

/// The time that passes between events: often a multiple of 250 ms (so restarts land
/// exactly `period` apart now and then), sometimes nothing, sometimes an odd amount.
ms random_delay(std::mt19937_64& rng, ms period) {
  auto p = percent(rng);
  if (p < 20) return ms{0};
  if (p < 75) {
    auto steps = period.count() / 250;
    return ms{250 * std::uniform_int_distribution<std::int64_t>{1, 2 * steps}(rng)};
  }
  return ms{std::uniform_int_distribution<std::int64_t>{1, period.count() * 3 / 2}(rng)};
}

exit_kind random_exit(std::mt19937_64& rng) {
  return static_cast<exit_kind>(std::uniform_int_distribution<int>{0, 3}(rng));
}

}  // namespace

test_case generate(std::uint64_t seed) {
  std::mt19937_64 rng{mix(seed)};
  test_case result;
  result.seed = seed;
  auto& cfg = result.cfg;
  cfg.how = static_cast<strategy>(std::uniform_int_distribution<int>{0, 3}(rng));
  cfg.intensity = pick<std::size_t>(rng, {0, 1, 1, 2, 3, 5, 10});
  cfg.period = ms{pick<std::int64_t>(rng, {1000, 2000, 5000})};
  result.fail_probability = pick<double>(rng, {0.0, 0.0, 0.2, 0.4});
  result.ignore_probability = pick<double>(rng, {0.0, 0.0, 0.0, 0.15});
  if (cfg.how != strategy::simple_one_for_one) {
    auto p = percent(rng);
    cfg.shutdown_mode = p < 60   ? auto_shutdown::never
                        : p < 80 ? auto_shutdown::any_significant
                                 : auto_shutdown::all_significant;
  }
  // Attempt 1 of a name never fails (an initial start must not, or nothing is supervised)
  // but may answer ignore; later attempts fail or answer ignore with the case's
  // probabilities, the same for model and real run.
  cfg.start_answer = [seed, fail = result.fail_probability, ignore = result.ignore_probability](
                         const std::string& name, std::size_t attempt) {
    auto h = mix(seed ^ mix(fnv(name) ^ mix(attempt)));
    auto u = static_cast<double>(h >> 11) * 0x1.0p-53;
    if (u < ignore) return start_outcome::ignore;
    if (attempt > 1 && u < ignore + fail) return start_outcome::fail;
    return start_outcome::ok;
  };
  std::size_t dynamic = 0;
  if (cfg.how == strategy::simple_one_for_one) {
    cfg.templ = random_child(rng, "w", auto_shutdown::never);
    auto initial = std::uniform_int_distribution<int>{1, 4}(rng);
    for (int i = 0; i < initial; ++i)
      result.events.push_back(
          event{event::op::start_child, {}, ms{0}, "w#" + std::to_string(++dynamic)});
  } else {
    auto n = std::uniform_int_distribution<int>{1, 5}(rng);
    for (int i = 1; i <= n; ++i)
      cfg.children.push_back(random_child(rng, "c" + std::to_string(i), cfg.shutdown_mode));
  }
  otp_supervisor sup{cfg};
  for (auto& ev : result.events) sup.apply(ev);
  auto count = std::uniform_int_distribution<int>{5, 60}(rng);
  for (int i = 0; i < count && sup.alive(); ++i) {
    auto running = sup.running();
    auto p = percent(rng);
    event ev;
    if (p < 45 && !running.empty()) {
      ev.what = event::op::exit;
      ev.exits.emplace_back(pick(rng, running), random_exit(rng));
    } else if (p < 55 && running.size() >= 2) {
      // Two children die before the supervisor sees either 'DOWN'.
      ev.what = event::op::exit;
      auto first = pick(rng, running);
      auto second = first;
      while (second == first) second = pick(rng, running);
      ev.exits.emplace_back(first, random_exit(rng));
      ev.exits.emplace_back(second, random_exit(rng));
    } else if (p < 80) {
      ev.what = event::op::advance;
      ev.dt = random_delay(rng, cfg.period);
    } else if (p < 88) {
      ev.what = event::op::terminate_child;
      if (cfg.how == strategy::simple_one_for_one) {
        if (running.empty()) {
          ev.what = event::op::advance;
          ev.dt = random_delay(rng, cfg.period);
        } else {
          ev.name = pick(rng, running);
        }
      } else {
        auto rows = sup.children();
        ev.name = rows.empty() || percent(rng) < 10 ? "nobody" : pick(rng, rows).id;
      }
    } else if (cfg.how == strategy::simple_one_for_one) {
      ev.what = event::op::start_child;
      ev.name = "w#" + std::to_string(++dynamic);
    } else if (p < 93) {
      ev.what = event::op::delete_child;
      auto rows = sup.children();
      auto stopped = sup.stopped();
      if (!stopped.empty() && percent(rng) < 60)
        ev.name = pick(rng, stopped);
      else
        ev.name = rows.empty() || percent(rng) < 20 ? "nobody" : pick(rng, rows).id;
    } else {
      ev.what = event::op::restart_child;
      auto stopped = sup.stopped();
      auto rows = sup.children();
      if (!stopped.empty() && percent(rng) < 80)
        ev.name = pick(rng, stopped);
      else
        ev.name = rows.empty() || percent(rng) < 20 ? "nobody" : pick(rng, rows).id;
    }
    sup.apply(ev);
    result.events.push_back(std::move(ev));
  }
  // Some sequences end with the parent shutting the supervisor down (reverse stop order).
  if (sup.alive() && percent(rng) < 10) result.events.push_back(event{event::op::shutdown});
  return result;
}

std::string describe(const test_case& x) {
  std::ostringstream out;
  out << to_string(x.cfg.how) << " intensity=" << x.cfg.intensity
      << " period=" << x.cfg.period.count() << "ms auto_shutdown=" << to_string(x.cfg.shutdown_mode)
      << " restart_failure_p=" << x.fail_probability << " ignore_p=" << x.ignore_probability
      << " children=[";
  auto show = [&](const child_def& def) {
    out << def.id << ":" << to_string(def.type) << (def.brutal ? "/brutal_kill" : "")
        << (def.significant ? "/significant" : "");
  };
  if (x.cfg.how == strategy::simple_one_for_one) {
    out << "template ";
    show(x.cfg.templ);
  } else {
    for (std::size_t i = 0; i < x.cfg.children.size(); ++i) {
      if (i > 0) out << ", ";
      show(x.cfg.children[i]);
    }
  }
  out << "]";
  return out.str();
}

}  // namespace wsnova::model
