// Tests of <wsnova/supervision/child_spec.hpp> and the flag checks: validation table,
// defaults, backoff arithmetic, the restart-type x exit-kind rule.
#include <wsnova/supervision/child_spec.hpp>

#define BOOST_TEST_MODULE child_spec
#include <boost/test/unit_test.hpp>

#include <functional>

#include <caf/exit_reason.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/core/supervision_errc.hpp>
#include <wsnova/supervision/restart_strategy.hpp>
#include <wsnova/supervision/supervisor_flags.hpp>

using namespace wsnova;
using namespace std::chrono_literals;

namespace {

child_spec valid_spec(std::string id = "a") {
  child_spec spec;
  spec.id = std::move(id);
  spec.start = [](caf::actor_system&, const caf::message&) -> start_result { return caf::actor{}; };
  return spec;
}

/// The error detail, or "" when there is none.
std::string detail_of(const caf::error& err) {
  if (!err || err.context().empty() || !err.context().match_elements<std::string>()) return {};
  return err.context().get_as<std::string>(0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(spec_validation_table) {
  // Rule: each invalid field fails with its own tagged reason (OTP's check_childspec) and a detail
  // naming the field; a valid spec passes.
  struct row {
    sup_errc code;      // none = valid
    const char* field;  // expected prefix of the detail
    std::function<void(child_spec&)> edit;
  };
  using e = sup_errc;
  std::vector<row> rows{
      {e::none, "", [](child_spec&) {}},
      {e::invalid_child_id, "id", [](child_spec& s) { s.id.clear(); }},
      {e::invalid_start, "start", [](child_spec& s) { s.start = nullptr; }},
      {e::invalid_restart_type, "restart",
       [](child_spec& s) { s.restart = static_cast<restart_type>(7); }},
      {e::invalid_child_type, "kind", [](child_spec& s) { s.kind = static_cast<child_kind>(7); }},
      {e::invalid_shutdown, "shutdown",
       [](child_spec& s) { s.shutdown = shutdown_spec::after(0ms); }},
      {e::invalid_shutdown, "shutdown",
       [](child_spec& s) { s.shutdown = shutdown_spec::after(-5ms); }},
      {e::invalid_shutdown, "shutdown",
       [](child_spec& s) {
         s.shutdown = shutdown_spec{static_cast<shutdown_spec::mode>(9), 1ms};
       }},
      {e::none, "", [](child_spec& s) { s.shutdown = shutdown_spec::brutal_kill(); }},
      {e::none, "", [](child_spec& s) { s.shutdown = shutdown_spec::infinity(); }},
      {e::bad_combination, "significant", [](child_spec& s) { s.significant = true; }},
      {e::none, "",
       [](child_spec& s) {
         s.significant = true;
         s.restart = restart_type::transient;
       }},
      {e::invalid_backoff, "backoff.kind",
       [](child_spec& s) { s.backoff.kind = static_cast<backoff_kind>(9); }},
      {e::invalid_backoff, "backoff.initial_delay",
       [](child_spec& s) { s.backoff.initial_delay = -1ms; }},
      {e::invalid_backoff, "backoff.max_delay",
       [](child_spec& s) {
         s.backoff.initial_delay = 10s;
         s.backoff.max_delay = 1s;
       }},
      {e::invalid_backoff, "backoff.multiplier", [](child_spec& s) { s.backoff.multiplier = 0.5; }},
      {e::invalid_backoff, "backoff.jitter", [](child_spec& s) { s.backoff.jitter = 1.5; }},
      {e::invalid_backoff, "backoff.jitter", [](child_spec& s) { s.backoff.jitter = -0.1; }},
      {e::invalid_backoff, "backoff.stable_after",
       [](child_spec& s) { s.backoff.stable_after = -1ms; }},
      {e::invalid_backoff, "backoff.max_attempts",
       [](child_spec& s) { s.backoff.max_attempts = 3; }},
  };
  for (auto& r : rows) {
    auto spec = valid_spec();
    r.edit(spec);
    auto err = check_child_spec(spec);
    if (r.code == e::none) {
      BOOST_CHECK_MESSAGE(!err, "unexpected error: " << describe(err));
    } else {
      BOOST_CHECK_MESSAGE(is(err, r.code),
                          "expected " << to_string(r.code) << ", got " << describe(err));
      BOOST_CHECK_MESSAGE(detail_of(err).rfind(std::string{r.field} + ":", 0) == 0,
                          "expected field " << r.field << ", got: " << detail_of(err));
    }
  }
}

BOOST_AUTO_TEST_CASE(flags_validation_table) {
  // Rule: bad flags and bad spec combinations fail with their tagged reason (OTP's do_check_flags,
  // check_startspec) naming the field.
  supervisor_flags ok;
  BOOST_CHECK(!check_flags(ok));
  auto zero_period = ok;
  zero_period.period = 0ms;
  BOOST_CHECK(is(check_flags(zero_period), sup_errc::invalid_period));
  BOOST_CHECK(detail_of(check_flags(zero_period)).rfind("period:", 0) == 0);
  auto custom_missing = ok;
  custom_missing.strategy = strategy_kind::custom;
  BOOST_CHECK(is(check_flags(custom_missing), sup_errc::invalid_strategy));
  BOOST_CHECK(detail_of(check_flags(custom_missing)).rfind("custom_strategy:", 0) == 0);
  auto bad_strategy = ok;
  bad_strategy.strategy = static_cast<strategy_kind>(42);
  BOOST_CHECK(is(check_flags(bad_strategy), sup_errc::invalid_strategy));
  auto custom_unused = ok;
  custom_unused.custom_strategy = make_builtin_strategy(strategy_kind::one_for_all);
  BOOST_CHECK(is(check_flags(custom_unused), sup_errc::bad_combination));
  BOOST_CHECK(detail_of(check_flags(custom_unused)).rfind("custom_strategy:", 0) == 0);
  auto bad_auto = ok;
  bad_auto.auto_shutdown = static_cast<auto_shutdown>(7);
  BOOST_CHECK(is(check_flags(bad_auto), sup_errc::invalid_auto_shutdown));
  auto dup = check_supervisor(ok, {valid_spec("a"), valid_spec("a")});
  BOOST_CHECK(is(dup, sup_errc::duplicate_child_id));
  BOOST_CHECK(detail_of(dup).rfind("id: duplicate", 0) == 0);
  auto simple = ok;
  simple.strategy = strategy_kind::simple_one_for_one;
  BOOST_CHECK(is(check_supervisor(simple, {}), sup_errc::bad_start_spec));
  BOOST_CHECK(detail_of(check_supervisor(simple, {})).rfind("children:", 0) == 0);
  BOOST_CHECK(!check_supervisor(simple, {valid_spec()}));
  BOOST_CHECK(is(check_supervisor(ok, {valid_spec(), child_spec{}}), sup_errc::invalid_child_id));
}

BOOST_AUTO_TEST_CASE(significant_needs_auto_shutdown_and_a_non_permanent_child) {
  // Rule: as OTP's validSignificant, significant with auto_shutdown never, or on a permanent child,
  // is bad_combination; transient and temporary significant children pass under any_significant and
  // all_significant.
  auto sig = valid_spec();
  sig.significant = true;
  sig.restart = restart_type::transient;
  supervisor_flags never;
  auto err = check_supervisor(never, {sig});
  BOOST_CHECK(is(err, sup_errc::bad_combination));
  BOOST_CHECK(detail_of(err).rfind("significant:", 0) == 0);
  for (auto mode : {auto_shutdown::any_significant, auto_shutdown::all_significant}) {
    supervisor_flags f;
    f.auto_shutdown = mode;
    BOOST_CHECK_MESSAGE(!check_supervisor(f, {sig}), to_string(mode));
    auto temp = sig;
    temp.restart = restart_type::temporary;
    BOOST_CHECK(!check_child_spec(temp, f));
    auto perm = sig;
    perm.restart = restart_type::permanent;
    BOOST_CHECK(is(check_child_spec(perm, f), sup_errc::bad_combination));
  }
}

BOOST_AUTO_TEST_CASE(supervision_errors_render_with_their_category) {
  // Rule: supervision errors have their own category, render as "wsnova_sup: code (detail)", and
  // are not wsnova errc codes.
  auto err = make_error(sup_errc::duplicate_child_id, "id: duplicate child id 'a'");
  BOOST_CHECK(err.category() == sup_error_category_atom::value);
  BOOST_CHECK_EQUAL(describe(err), "wsnova_sup: duplicate_child_id (id: duplicate child id 'a')");
  BOOST_CHECK(is(err, sup_errc::duplicate_child_id));
  BOOST_CHECK(!is(err, sup_errc::invalid_child_id));
  BOOST_CHECK(code_of(err) == errc::none);
  BOOST_CHECK(sup_code_of(make_error(errc::not_allowed)) == sup_errc::none);
  BOOST_CHECK_EQUAL(to_string(sup_errc::restart_intensity), "restart_intensity");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(defaults)

BOOST_AUTO_TEST_CASE(defaults_are_filled_in) {
  // Rule: unset fields take OTP's defaults (permanent, worker, not significant, 5000 ms; infinity
  // for supervisors; 1 restart in 5 s; auto_shutdown never), restart backoff off.
  auto spec = with_defaults(valid_spec());
  BOOST_CHECK(spec.restart == restart_type::permanent);
  BOOST_CHECK(spec.kind == child_kind::worker);
  BOOST_CHECK(!spec.significant);
  BOOST_REQUIRE(spec.shutdown);
  BOOST_CHECK(*spec.shutdown == shutdown_spec::after(5000ms));
  BOOST_CHECK(spec.backoff == default_restart_backoff());
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
  BOOST_CHECK(flags.auto_shutdown == auto_shutdown::never);
  auto b = default_restart_backoff();
  BOOST_CHECK(b.kind == backoff_kind::exponential);
  BOOST_CHECK(b.initial_delay == caf::timespan{0});
  BOOST_CHECK(b.max_delay == caf::timespan{30s});
  BOOST_CHECK_EQUAL(b.multiplier, 2.0);
  BOOST_CHECK_EQUAL(b.jitter, 0.0);
  BOOST_CHECK_EQUAL(b.max_attempts, 0u);
  BOOST_CHECK(b.stable_after == caf::timespan{60s});
}

BOOST_AUTO_TEST_CASE(restart_backoff_grows_caps_and_jitters_within_bounds) {
  // Rule: the restart backoff is core's exponential kind: delay(n) = min(max, initial *
  // multiplier^n), scaled by a factor in [1 - jitter, 1 + jitter]; initial 0 means no delay.
  auto p = default_restart_backoff();
  p.initial_delay = 100ms;
  p.max_delay = 1000ms;
  backoff exact{p};
  std::vector<caf::timespan> expected{100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms};
  for (auto want : expected) {
    auto got = exact.next();
    BOOST_REQUIRE(got);
    BOOST_CHECK(*got == want);
  }
  p.jitter = 0.5;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    backoff spread{p, seed};
    auto first = spread.next();
    BOOST_REQUIRE(first);
    BOOST_CHECK(*first >= caf::timespan{50ms} && *first <= caf::timespan{150ms});
  }
  backoff off{default_restart_backoff()};
  for (int i = 0; i < 5; ++i) BOOST_CHECK(*off.next() == caf::timespan{0});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exit_mapping)

BOOST_AUTO_TEST_CASE(exit_reasons_map_to_otp_kinds) {
  // Rule: normal, user_shutdown and kill are OTP's normal, shutdown and killed; everything else is
  // abnormal.
  BOOST_CHECK(classify_exit(caf::error{}) == exit_kind::normal);
  BOOST_CHECK(classify_exit(caf::exit_reason::normal) == exit_kind::normal);
  BOOST_CHECK(classify_exit(caf::exit_reason::user_shutdown) == exit_kind::shutdown);
  BOOST_CHECK(classify_exit(caf::exit_reason::kill) == exit_kind::killed);
  BOOST_CHECK(classify_exit(caf::exit_reason::unhandled_exception) == exit_kind::abnormal);
  BOOST_CHECK(classify_exit(make_error(sup_errc::restart_intensity)) == exit_kind::abnormal);
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
