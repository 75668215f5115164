// Model-based test of the supervisor: thousands of seeded random sequences of child exits,
// restart failures, requests and virtual-time steps run through a reference model of OTP's
// supervisor.erl (tests/supervision/model/otp_model.hpp) and through the real supervisor on
// CAF's test coordinator; both must show the same starts, stops and failed starts in the
// same order, the same replies, the same escalation and the same final which_children.
//
// Seeds: 1..2000 every run, plus a few fresh ones from std::random_device. Every failing
// seed is printed; replay one with WSNOVA_MODEL_SEED=<seed> (prints the whole case).
// WSNOVA_MODEL_SEEDS=<n> changes the fixed range to 1..n.
#define BOOST_TEST_MODULE supervision_model
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "model/generator.hpp"
#include "model/otp_model.hpp"
#include "model/real_run.hpp"

using namespace wsnova::model;

namespace {

/// The ONE list of known divergences between the real supervisor and OTP. A run whose
/// outcome differs from the OTP model but equals the model with one of these variants
/// switched on is counted and reported, not failed. Each entry names the knob (see
/// `knobs` in otp_model.hpp) and why it is known. Remove an entry once fixed: a
/// divergence that no entry explains fails the test.
struct known_divergence {
  const char* name;
  knobs variant;
};

// Empty: the one divergence found so far (exclusive_window: a restart exactly `period` old
// was dropped from the intensity window; OTP counts it) was fixed in 85cd4d4. An entry
// looks like {"exclusive_window", knobs{.exclusive_window = true}}.
const std::vector<known_divergence> known_divergences = {};

/// The first difference between what the model expects and what the real run did, or
/// nothing.
std::optional<std::string> difference(const outcome& expected, const outcome& actual,
                                      const std::vector<event>& events) {
  std::ostringstream out;
  auto event_of = [&](std::size_t trace_index) -> std::size_t {
    for (std::size_t i = 0; i < expected.marks.size(); ++i)
      if (trace_index < expected.marks[i]) return i;
    return expected.marks.size();
  };
  auto window = [](const std::vector<std::string>& xs, std::size_t from) {
    std::string result;
    auto first = from >= 3 ? from - 3 : 0;
    for (auto i = first; i < xs.size() && i < from + 6; ++i)
      result += (i == from ? " >" : " ") + xs[i];
    return result.empty() ? std::string{" (end)"} : result;
  };
  auto n = std::min(expected.trace.size(), actual.trace.size());
  for (std::size_t i = 0; i <= n; ++i) {
    bool same =
        i < n ? expected.trace[i] == actual.trace[i] : expected.trace.size() == actual.trace.size();
    if (same) continue;
    auto ev = event_of(i);
    auto where = i < expected.initial ? std::string{"initial starts"}
                 : ev < events.size() ? "event #" + std::to_string(ev) + " " + to_string(events[ev])
                                      : std::string{"after the last event"};
    out << "trace differs at entry " << i << " (" << where << ")\n"
        << "    OTP model:" << window(expected.trace, i) << "\n"
        << "    real:     " << window(actual.trace, i);
    return out.str();
  }
  for (std::size_t i = 0; i < expected.replies.size() && i < actual.replies.size(); ++i)
    if (expected.replies[i] != actual.replies[i]) {
      out << "reply to event #" << i << " " << to_string(events[i]) << ": OTP model '"
          << expected.replies[i] << "', real '" << actual.replies[i] << "'";
      return out.str();
    }
  if (expected.alive != actual.alive || expected.exit_reason != actual.exit_reason) {
    out << "supervisor: OTP model " << (expected.alive ? "alive" : "exited " + expected.exit_reason)
        << ", real " << (actual.alive ? "alive" : "exited " + actual.exit_reason);
    return out.str();
  }
  if (expected.children != actual.children) {
    auto show = [](const std::vector<child_row>& rows) {
      std::string result;
      for (auto& r : rows) result += " " + r.id + (r.running ? "(running)" : "(stopped)");
      return result.empty() ? std::string{" (none)"} : result;
    };
    out << "which_children: OTP model" << show(expected.children) << "; real"
        << show(actual.children);
    return out.str();
  }
  if (expected.counts != actual.counts) {
    auto show = [](const child_count& c) {
      return "specs " + std::to_string(c.specs) + " active " + std::to_string(c.active) +
             " workers " + std::to_string(c.workers);
    };
    out << "count_children: OTP model " << show(expected.counts) << "; real "
        << show(actual.counts);
    return out.str();
  }
  if (!actual.problems.empty()) {
    out << "real run:";
    for (auto& p : actual.problems) out << " " << p << ";";
    return out.str();
  }
  return std::nullopt;
}

/// What one seed gave.
struct verdict {
  /// Empty when the real run matched the OTP model (or a known divergence).
  std::string failure;
  /// The known divergence that explains a difference, if any.
  std::string known;
  /// Features the case exercised (by the model's account), to show coverage.
  std::vector<std::string> features;
};

/// Names what the case exercised: how the supervisor ended, failed and ignored starts,
/// simultaneous exits, group restarts.
std::vector<std::string> features_of(const test_case& tc, const outcome& expected) {
  std::vector<std::string> result;
  result.push_back("strategy " + to_string(tc.cfg.how));
  result.push_back(expected.alive ? "ended alive" : "exited " + expected.exit_reason);
  auto has = [&](const std::string& prefix) {
    return std::any_of(expected.trace.begin(), expected.trace.end(),
                       [&](const std::string& x) { return x.rfind(prefix, 0) == 0; });
  };
  if (has("fail:")) result.push_back("failed restart attempts");
  if (has("ignore:")) result.push_back("ignored starts");
  auto any_event = [&](auto pred) { return std::any_of(tc.events.begin(), tc.events.end(), pred); };
  if (any_event([](const event& ev) { return ev.exits.size() > 1; }))
    result.push_back("simultaneous exits");
  if (any_event([](const event& ev) { return ev.what == event::op::delete_child; }))
    result.push_back("delete_child");
  if (any_event([](const event& ev) { return ev.what == event::op::terminate_child; }))
    result.push_back("terminate_child");
  if (any_event([](const event& ev) { return ev.what == event::op::shutdown; }))
    result.push_back("supervisor shutdown");
  if (tc.cfg.shutdown_mode != auto_shutdown::never)
    result.push_back("auto_shutdown " + to_string(tc.cfg.shutdown_mode));
  return result;
}

std::string full_report(const test_case& tc, const outcome& expected, const outcome& actual) {
  std::ostringstream out;
  out << "  case: " << describe(tc) << "\n  initial starts:";
  for (std::size_t j = 0; j < expected.initial && j < expected.trace.size(); ++j)
    out << " " << expected.trace[j];
  out << "\n  events:\n";
  auto from_m = expected.initial;
  for (std::size_t i = 0; i < tc.events.size(); ++i) {
    out << "    #" << i << " " << to_string(tc.events[i]);
    if (i < expected.replies.size() && !expected.replies[i].empty())
      out << " -> " << expected.replies[i];
    out << "   model:";
    auto to_m = i < expected.marks.size() ? expected.marks[i] : expected.trace.size();
    for (auto j = from_m; j < to_m; ++j) out << " " << expected.trace[j];
    from_m = to_m;
    out << "\n";
  }
  out << "  OTP model trace:";
  for (auto& x : expected.trace) out << " " << x;
  out << "\n  real trace:     ";
  for (auto& x : actual.trace) out << " " << x;
  out << "\n";
  return out.str();
}

verdict check_seed(std::uint64_t seed, bool verbose) {
  auto tc = generate(seed);
  auto expected = run_model(tc.cfg, tc.events);
  real_supervisor real{tc.cfg};
  outcome actual;
  for (auto& ev : tc.events) {
    actual.replies.push_back(real.apply(ev));
    actual.marks.push_back(real.trace().size());
  }
  auto rest = real.finish();
  actual.trace = std::move(rest.trace);
  actual.alive = rest.alive;
  actual.exit_reason = std::move(rest.exit_reason);
  actual.children = std::move(rest.children);
  actual.counts = rest.counts;
  actual.problems = std::move(rest.problems);
  verdict result;
  result.features = features_of(tc, expected);
  auto diff = difference(expected, actual, tc.events);
  if (verbose) BOOST_TEST_MESSAGE("seed " << seed << "\n" << full_report(tc, expected, actual));
  if (!diff) return result;
  for (auto& known : known_divergences) {
    auto cfg = tc.cfg;
    cfg.variant = known.variant;
    if (!difference(run_model(cfg, tc.events), actual, tc.events)) {
      result.known = known.name;
      return result;
    }
  }
  std::ostringstream out;
  out << "seed " << seed << ": " << *diff << "\n"
      << full_report(tc, expected, actual) << "  replay: WSNOVA_MODEL_SEED=" << seed
      << " supervision_model_test";
  result.failure = out.str();
  return result;
}

std::optional<std::uint64_t> env_number(const char* name) {
  auto value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::strtoull(value, nullptr, 10);
}

}  // namespace

// The real supervisor does what OTP's supervisor.erl does, for every seed.
BOOST_AUTO_TEST_CASE(real_supervisor_follows_the_otp_model) {
  if (auto seed = env_number("WSNOVA_MODEL_SEED")) {
    auto v = check_seed(*seed, true);
    BOOST_CHECK_MESSAGE(v.failure.empty(), v.failure);
    if (!v.known.empty()) BOOST_TEST_MESSAGE("known divergence: " << v.known);
    return;
  }
  std::vector<std::uint64_t> seeds;
  auto fixed = env_number("WSNOVA_MODEL_SEEDS").value_or(2000);
  for (std::uint64_t s = 1; s <= fixed; ++s) seeds.push_back(s);
  std::random_device rd;
  for (int i = 0; i < 3; ++i) seeds.push_back((static_cast<std::uint64_t>(rd()) << 32) | rd());
  auto started = std::chrono::steady_clock::now();
  std::map<std::string, std::vector<std::uint64_t>> known;
  std::vector<std::uint64_t> failed;
  std::map<std::string, std::size_t> coverage;
  for (auto seed : seeds) {
    auto v = check_seed(seed, false);
    for (auto& f : v.features) ++coverage[f];
    if (!v.known.empty()) known[v.known].push_back(seed);
    if (v.failure.empty()) continue;
    failed.push_back(seed);
    // The first few in full; the rest by seed only (replay them one by one).
    if (failed.size() <= 5) BOOST_ERROR(v.failure);
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::ostringstream summary;
  summary << seeds.size() << " seeds (1.." << fixed << " and " << seeds[seeds.size() - 3] << ", "
          << seeds[seeds.size() - 2] << ", " << seeds.back() << ") in " << elapsed.count()
          << " ms; " << failed.size() << " failed";
  for (auto& [name, xs] : known) {
    summary << "; known divergence " << name << ": " << xs.size() << " seeds (e.g.";
    for (std::size_t i = 0; i < xs.size() && i < 5; ++i) summary << " " << xs[i];
    summary << ")";
  }
  summary << "\ncoverage (seeds):";
  for (auto& [name, n] : coverage) summary << " " << name << " " << n << ";";
  BOOST_TEST_MESSAGE(summary.str());
  // The sequences must reach the places worth testing, or a pass means little.
  for (auto name : {"exited restart_intensity", "exited shutdown", "failed restart attempts",
                    "ignored starts", "simultaneous exits", "ended alive"})
    BOOST_CHECK_MESSAGE(coverage[name] >= seeds.size() / 50,
                        "too few seeds with " << name << ": " << coverage[name]);
  BOOST_CHECK(failed.empty());
  if (!failed.empty()) {
    std::ostringstream all;
    for (auto s : failed) all << " " << s;
    BOOST_ERROR("failing seeds:" << all.str());
  }
}
