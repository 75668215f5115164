// Tests of <wsnova/supervision/child_spec.hpp> and the flag checks: validation table,
// defaults, backoff arithmetic, the restart-type x exit-kind rule.
#include <wsnova/supervision/child_spec.hpp>

#define BOOST_TEST_MODULE child_spec
#include <boost/test/unit_test.hpp>

#include <functional>

#include <caf/exit_reason.hpp>

#include <wsnova/supervision/restart_strategy.hpp>
#include <wsnova/supervision/supervisor_flags.hpp>
#include <wsnova/transport/error.hpp>

using namespace wsnova;
using namespace std::chrono_literals;

namespace {

child_spec valid_spec(std::string id = "a") {
  child_spec spec;
  spec.id = std::move(id);
  spec.start = [](caf::actor_system&, const caf::message&) -> caf::expected<caf::actor> {
    return caf::actor{};
  };
  return spec;
}

/// The error detail, or "" when there is none.
std::string detail_of(const caf::error& err) {
  if (!err || err.context().empty() || !err.context().match_elements<std::string>()) return {};
  return err.context().get_as<std::string>(0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(spec_validation_table) {
  // Rule: each invalid field fails with invalid_spec naming that field; a valid spec passes.
  struct row {
    const char* field; // expected prefix of the detail, "" = valid
    std::function<void(child_spec&)> edit;
  };
  std::vector<row> rows{
    {"", [](child_spec&) {}},
    {"id", [](child_spec& s) { s.id.clear(); }},
    {"start", [](child_spec& s) { s.start = nullptr; }},
    {"restart", [](child_spec& s) { s.restart = static_cast<restart_type>(7); }},
    {"kind", [](child_spec& s) { s.kind = static_cast<child_kind>(7); }},
    {"shutdown", [](child_spec& s) { s.shutdown = shutdown_spec::after(0ms); }},
    {"shutdown", [](child_spec& s) { s.shutdown = shutdown_spec::after(-5ms); }},
    {"shutdown", [](child_spec& s) { s.shutdown = shutdown_spec{static_cast<shutdown_spec::mode>(9), 1ms}; }},
    {"", [](child_spec& s) { s.shutdown = shutdown_spec::brutal_kill(); }},
    {"", [](child_spec& s) { s.shutdown = shutdown_spec::infinity(); }},
    {"backoff.min_delay", [](child_spec& s) { s.backoff.min_delay = -1ms; }},
    {"backoff.max_delay", [](child_spec& s) { s.backoff.min_delay = 10s; s.backoff.max_delay = 1s; }},
    {"backoff.multiplier", [](child_spec& s) { s.backoff.multiplier = 0.5; }},
    {"backoff.jitter", [](child_spec& s) { s.backoff.jitter = 1.5; }},
    {"backoff.jitter", [](child_spec& s) { s.backoff.jitter = -0.1; }},
    {"backoff.reset_after", [](child_spec& s) { s.backoff.reset_after = -1ms; }},
  };
  for (auto& r : rows) {
    auto spec = valid_spec();
    r.edit(spec);
    auto err = check_child_spec(spec);
    if (std::string{r.field}.empty()) {
      BOOST_CHECK_MESSAGE(!err, "unexpected error: " << detail_of(err));
    } else {
      BOOST_CHECK(is(err, errc::invalid_spec));
      BOOST_CHECK_MESSAGE(detail_of(err).rfind(std::string{r.field} + ":", 0) == 0,
                          "expected field " << r.field << ", got: " << detail_of(err));
    }
  }
}

BOOST_AUTO_TEST_CASE(flags_validation_table) {
  // Rule: bad flags and bad spec combinations fail with invalid_spec naming the field.
  supervisor_flags ok;
  BOOST_CHECK(!check_flags(ok));
  auto zero_period = ok;
  zero_period.period = 0ms;
  BOOST_CHECK(detail_of(check_flags(zero_period)).rfind("period:", 0) == 0);
  auto custom_missing = ok;
  custom_missing.strategy = strategy_kind::custom;
  BOOST_CHECK(detail_of(check_flags(custom_missing)).rfind("custom_strategy:", 0) == 0);
  auto custom_unused = ok;
  custom_unused.custom_strategy = make_builtin_strategy(strategy_kind::one_for_all);
  BOOST_CHECK(detail_of(check_flags(custom_unused)).rfind("custom_strategy:", 0) == 0);
  BOOST_CHECK(detail_of(check_supervisor(ok, {valid_spec("a"), valid_spec("a")}))
                .rfind("id: duplicate", 0) == 0);
  auto simple = ok;
  simple.strategy = strategy_kind::simple_one_for_one;
  BOOST_CHECK(detail_of(check_supervisor(simple, {})).rfind("children:", 0) == 0);
  BOOST_CHECK(!check_supervisor(simple, {valid_spec()}));
  BOOST_CHECK(is(check_supervisor(ok, {valid_spec(), child_spec{}}), errc::invalid_spec));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(defaults)

BOOST_AUTO_TEST_CASE(defaults_are_filled_in) {
  // Rule: unset fields take OTP's defaults (permanent, worker, 5000 ms; infinity for supervisors; 1 restart in 5 s).
  auto spec = with_defaults(valid_spec());
  BOOST_CHECK(spec.restart == restart_type::permanent);
  BOOST_CHECK(spec.kind == child_kind::worker);
  BOOST_REQUIRE(spec.shutdown);
  BOOST_CHECK(*spec.shutdown == shutdown_spec::after(5000ms));
  BOOST_CHECK(!spec.backoff.enabled());
  auto sup = valid_spec();
  sup.kind = child_kind::supervisor;
  BOOST_CHECK(*with_defaults(sup).shutdown == shutdown_spec::infinity());
  auto explicit_spec = valid_spec();
  explicit_spec.shutdown = shutdown_spec::brutal_kill();
  BOOST_CHECK(*with_defaults(explicit_spec).shutdown == shutdown_spec::brutal_kill());
  supervisor_flags flags;
  BOOST_CHECK(flags.strategy == strategy_kind::one_for_one);
  BOOST_CHECK_EQUAL(flags.intensity, 1u);
  BOOST_CHECK(flags.period == 5000ms);
  restart_backoff b;
  BOOST_CHECK(b.min_delay == 0ms);
  BOOST_CHECK(b.max_delay == 30000ms);
  BOOST_CHECK_EQUAL(b.multiplier, 2.0);
  BOOST_CHECK_EQUAL(b.jitter, 0.0);
  BOOST_CHECK(b.reset_after == 60000ms);
}

BOOST_AUTO_TEST_CASE(backoff_grows_caps_and_jitters_within_bounds) {
  // Rule: delay(n) = min(max, min * multiplier^n) scaled by a factor in [1 - jitter, 1 + jitter].
  restart_backoff b;
  b.min_delay = 100ms;
  b.max_delay = 1000ms;
  BOOST_CHECK(b.delay(0) == 100ms);
  BOOST_CHECK(b.delay(1) == 200ms);
  BOOST_CHECK(b.delay(3) == 800ms);
  BOOST_CHECK(b.delay(4) == 1000ms);
  BOOST_CHECK(b.delay(1000) == 1000ms);
  b.jitter = 0.5;
  BOOST_CHECK(b.delay(0, 0.0) == 50ms);
  BOOST_CHECK(b.delay(0, 0.5) == 100ms);
  BOOST_CHECK(b.delay(0, 0.999) <= 150ms);
  restart_backoff off;
  BOOST_CHECK(off.delay(5) == 0ms);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exit_mapping)

BOOST_AUTO_TEST_CASE(exit_reasons_map_to_otp_kinds) {
  // Rule: normal, user_shutdown and kill are OTP's normal, shutdown and killed; everything else is abnormal.
  BOOST_CHECK(classify_exit(caf::error{}) == exit_kind::normal);
  BOOST_CHECK(classify_exit(caf::exit_reason::normal) == exit_kind::normal);
  BOOST_CHECK(classify_exit(caf::exit_reason::user_shutdown) == exit_kind::shutdown);
  BOOST_CHECK(classify_exit(caf::exit_reason::kill) == exit_kind::killed);
  BOOST_CHECK(classify_exit(caf::exit_reason::unhandled_exception) == exit_kind::abnormal);
  BOOST_CHECK(classify_exit(make_error(errc::restart_intensity)) == exit_kind::abnormal);
}

BOOST_AUTO_TEST_CASE(restart_type_by_exit_kind_table) {
  // Rule: permanent always restarts, temporary never, transient only after killed or abnormal.
  using k = exit_kind;
  for (auto kind : {k::normal, k::shutdown, k::killed, k::abnormal}) {
    BOOST_CHECK(should_restart(restart_type::permanent, kind));
    BOOST_CHECK(!should_restart(restart_type::temporary, kind));
  }
  BOOST_CHECK(!should_restart(restart_type::transient, k::normal));
  BOOST_CHECK(!should_restart(restart_type::transient, k::shutdown));
  BOOST_CHECK(should_restart(restart_type::transient, k::killed));
  BOOST_CHECK(should_restart(restart_type::transient, k::abnormal));
}

BOOST_AUTO_TEST_SUITE_END()
