// Tests of <wsnova/behaviors/shared_rate_limit.hpp>: the exchange-wide bucket as an actor,
// on CAF's deterministic test coordinator and its virtual clock (no threads, no sleeps).
#include <wsnova/behaviors/shared_rate_limit.hpp>

#define BOOST_TEST_MODULE shared_rate_limit
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <wsnova/core/error.hpp>

using namespace wsnova;
using namespace std::chrono_literals;

namespace {

using log_t = std::vector<std::string>;
using log_ptr = std::shared_ptr<log_t>;

/// Test → client: ask the bucket for `cost` tokens as this client.
using ask_atom = caf::atom_constant<caf::atom("ask")>;

/// A connection using the shared bucket: logs "<name>:<outcome>[:<position>]" for each
/// answer and "<name>:released:<ticket>" for each release.
caf::behavior client(caf::event_based_actor* self, std::string name, shared_rate_limit bucket,
                     log_ptr log) {
  return {
      [=](ask_atom, std::uint32_t cost) {
        self->request(bucket, caf::infinite, rate_acquire_atom::value, cost)
            .then([=](const rate_answer& a) {
              auto entry = name + ":" + to_string(a.outcome);
              if (a.outcome == rate_outcome::queued) entry += ":" + std::to_string(a.position);
              log->push_back(entry);
            });
      },
      [=](rate_release_atom, std::uint64_t ticket) {
        log->push_back(name + ":released:" + std::to_string(ticket));
      },
  };
}

struct test_config : caf::actor_system_config {
  test_config() {
    set("scheduler.policy", caf::atom("testing"));
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
    add_rate_limit_types(*this);
  }
};

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  log_ptr log = std::make_shared<log_t>();
  std::vector<caf::actor> spawned;

  ~fixture() {
    sched.run();
    for (auto& hdl : spawned) caf::anon_send_exit(hdl, caf::exit_reason::kill);
    sched.run();
  }

  shared_rate_limit bucket(std::uint32_t capacity, caf::timespan interval, std::size_t queue) {
    rate_limit_config config;
    config.capacity = capacity;
    config.refill_interval = interval;
    config.max_queued = queue;
    auto hdl = spawn_shared_rate_limit(sys, config);
    spawned.push_back(caf::actor_cast<caf::actor>(hdl));
    sched.run();
    return hdl;
  }

  caf::actor client_of(const std::string& name, const shared_rate_limit& b) {
    auto hdl = sys.spawn(client, name, b, log);
    spawned.push_back(hdl);
    return hdl;
  }

  void ask(const caf::actor& c, std::uint32_t cost) {
    caf::anon_send(c, ask_atom::value, cost);
    sched.run();
  }

  /// Moves the virtual clock forward, fires what is due and runs everything.
  void advance(caf::timespan d) {
    sched.advance_time(d);
    sched.run();
  }

  /// The bucket's (tokens, queued), asked synchronously through a scoped actor.
  std::tuple<std::uint32_t, std::uint64_t> status(const shared_rate_limit& b) {
    caf::scoped_actor self{sys, true};
    auto rh = self->request(b, caf::infinite, rate_status_atom::value);
    sched.run();
    std::tuple<std::uint32_t, std::uint64_t> result{0, 0};
    rh.receive(
        [&](std::uint32_t tokens, std::uint64_t queued) {
          result = {tokens, queued};
        },
        [&](caf::error& err) { BOOST_FAIL("status failed: " << describe(err)); });
    return result;
  }

  log_t take_log() {
    auto result = *log;
    log->clear();
    return result;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(shared_bucket, fixture)

// Rule: two connections draw from one budget: what one spends, the other cannot.
BOOST_AUTO_TEST_CASE(connections_share_one_budget) {
  auto b = bucket(3, 1s, 10);
  auto x = client_of("x", b);
  auto y = client_of("y", b);
  ask(x, 2);
  ask(y, 1);
  ask(y, 1);
  BOOST_TEST(take_log() == (log_t{"x:sent", "y:sent", "y:queued:1"}));
  BOOST_TEST((status(b) == std::tuple<std::uint32_t, std::uint64_t>{0, 1}));
}

// Rule: queued requests are released by the bucket's own timer, in order, each to the
// connection that asked, exactly when its tokens are there (virtual time, no sleeps).
BOOST_AUTO_TEST_CASE(timer_releases_queued_in_order_to_their_requesters) {
  auto b = bucket(2, 100ms, 10);
  auto x = client_of("x", b);
  auto y = client_of("y", b);
  ask(x, 2);  // ticket 1, sent
  ask(y, 1);  // ticket 2, queued 1: t0 + 100 ms
  ask(x, 2);  // ticket 3, queued 2: t0 + 300 ms
  BOOST_TEST(take_log() == (log_t{"x:sent", "y:queued:1", "x:queued:2"}));
  advance(99ms);
  BOOST_TEST(take_log().empty());
  advance(1ms);
  BOOST_TEST(take_log() == (log_t{"y:released:2"}));
  advance(199ms);
  BOOST_TEST(take_log().empty());
  advance(1ms);
  BOOST_TEST(take_log() == (log_t{"x:released:3"}));
  BOOST_TEST((status(b) == std::tuple<std::uint32_t, std::uint64_t>{0, 0}));
  BOOST_TEST(!sched.has_pending_timeout());  // nothing waits, so no timer is left armed
}

// Rule: rejections are honest: a full queue and a cost above the capacity say rate_limited.
BOOST_AUTO_TEST_CASE(rejects_when_queue_full_or_cost_too_high) {
  auto b = bucket(2, 1s, 1);
  auto x = client_of("x", b);
  ask(x, 5);  // above capacity
  ask(x, 2);  // sent
  ask(x, 1);  // queued
  ask(x, 1);  // queue full
  BOOST_TEST(take_log() == (log_t{"x:rejected", "x:sent", "x:queued:1", "x:rejected"}));
  caf::scoped_actor self{sys, true};
  auto rh = self->request(b, caf::infinite, rate_acquire_atom::value, std::string{"auth"});
  sched.run();
  bool answered = false;
  rh.receive(
      [&](const rate_answer& a) {
        answered = true;
        BOOST_TEST((a.outcome == rate_outcome::rejected));
        BOOST_TEST(a.cost == 10u);  // auth's default cost, looked up by the bucket
        BOOST_TEST(is(a.error, errc::rate_limited));
      },
      [&](caf::error& err) { BOOST_FAIL("acquire failed: " << describe(err)); });
  BOOST_TEST(answered);
}

// Rule: a burst of 200 requests from two connections: every one is answered once; the sent
// plus released ones never exceed the tokens the bucket could have given by then.
BOOST_AUTO_TEST_CASE(burst_from_two_connections_is_accounted_for) {
  auto b = bucket(10, 50ms, 40);
  auto x = client_of("x", b);
  auto y = client_of("y", b);
  for (int i = 0; i < 100; ++i) {
    caf::anon_send(x, ask_atom::value, std::uint32_t{1});
    caf::anon_send(y, ask_atom::value, std::uint32_t{1});
  }
  sched.run();
  auto answers = take_log();
  std::size_t sent = 0;
  std::size_t queued = 0;
  std::size_t rejected = 0;
  for (auto& e : answers) {
    if (e.find(":sent") != std::string::npos) ++sent;
    if (e.find(":queued:") != std::string::npos) ++queued;
    if (e.find(":rejected") != std::string::npos) ++rejected;
  }
  BOOST_TEST(answers.size() == 200u);
  BOOST_TEST(sent == 10u);
  BOOST_TEST(queued == 40u);
  BOOST_TEST(rejected == 150u);
  // One token per 50 ms: after k intervals exactly k of the queued ones were released.
  std::size_t released = 0;
  for (int k = 1; k <= 40; ++k) {
    advance(50ms);
    released += take_log().size();
    BOOST_TEST(released == static_cast<std::size_t>(k));
  }
  advance(1s);
  BOOST_TEST(take_log().empty());
}

BOOST_AUTO_TEST_SUITE_END()
