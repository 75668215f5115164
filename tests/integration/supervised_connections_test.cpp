// Supervisors of real connection actors on real sockets: 100 feeds to the in-process echo
// server, one crashes, and each strategy restarts exactly the children it promises; the
// replacements reconnect and their stable ids resolve to them. Also adopt/release.
#define BOOST_TEST_MODULE integration_supervised_connections
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

#include <wsnova/tests/integration/integration_fixture.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::itest;

namespace {

constexpr std::size_t feeds = 100;

std::string feed_id(std::size_t n) { return "feed-" + std::to_string(n); }

struct supervised_fixture : fixture {
  /// Starts a supervisor with `feeds` connection children and waits until all are up and
  /// registered; returns it with the children's handles in start order.
  std::pair<supervisor_actor, std::vector<caf::actor>> start_feeds(strategy_kind strategy) {
    supervisor_flags flags;
    flags.strategy = strategy;
    flags.intensity = 5;
    flags.period = 10s;
    std::vector<child_spec> specs;
    for (std::size_t n = 0; n < feeds; ++n) specs.push_back(feed_spec(feed_id(n)));
    auto sup = supervise(flags, std::move(specs));
    auto children = which_children(sup);
    BOOST_REQUIRE_EQUAL(children.size(), feeds);
    std::vector<caf::actor> handles;
    for (std::size_t n = 0; n < feeds; ++n) {
      BOOST_REQUIRE_EQUAL(children[n].id, feed_id(n));
      BOOST_REQUIRE(children[n].handle);
      handles.push_back(children[n].handle);
    }
    for (auto& h : handles)
      if (auto err = connect(h)) BOOST_FAIL("initial connect: " << describe(err));
    BOOST_REQUIRE(server.wait_for_connections(feeds, deadline));
    for (std::size_t n = 0; n < feeds; ++n) {
      auto id = feed_id(n);
      auto expected = handles[n];
      BOOST_REQUIRE_MESSAGE(eventually([&] { return lookup(id) == expected; }),
                            id << " is not registered");
    }
    return {sup, handles};
  }

  /// Kills child `victim` with an abnormal reason, waits until the supervisor shows a new
  /// handle for it, and returns the children afterwards (once every restarted child is up).
  std::vector<caf::actor> crash_and_wait(const supervisor_actor& sup,
                                         const std::vector<caf::actor>& before, std::size_t victim,
                                         const std::set<std::size_t>& restarted) {
    self->monitor(before[victim]);
    self->send_exit(before[victim], make_error(errc::connection_lost, "injected crash"));
    auto reason = wait_down(before[victim].address());
    BOOST_REQUIRE_MESSAGE(reason, "the crashed connection did not exit");
    BOOST_CHECK_MESSAGE(code_of(*reason) == errc::connection_lost,
                        "exit reason " << describe(*reason));
    std::vector<child_info> children;
    auto all_replaced = [&] {
      children = which_children(sup);
      if (children.size() != feeds) return false;
      for (auto n : restarted)
        if (!children[n].handle || children[n].handle == before[n]) return false;
      return true;
    };
    BOOST_REQUIRE_MESSAGE(eventually(all_replaced), "the restarted children did not come back");
    std::vector<caf::actor> after;
    for (auto& c : children) after.push_back(c.handle);
    return after;
  }

  /// Checks: exactly `restarted` got new handles; they connect and their ids resolve to
  /// them; the others are untouched; the server ends with `feeds` open sessions.
  void check_after_crash(const std::vector<caf::actor>& before,
                         const std::vector<caf::actor>& after,
                         const std::set<std::size_t>& restarted) {
    BOOST_REQUIRE_EQUAL(after.size(), feeds);
    std::size_t kept = 0;
    std::size_t replaced = 0;
    for (std::size_t n = 0; n < feeds; ++n) {
      if (restarted.count(n) > 0) {
        BOOST_CHECK_MESSAGE(after[n] && after[n] != before[n], feed_id(n) << " not restarted");
        if (auto err = connect(after[n])) BOOST_FAIL(feed_id(n) << " connect: " << describe(err));
        auto id = feed_id(n);
        auto expected = after[n];
        BOOST_CHECK_MESSAGE(eventually([&] { return lookup(id) == expected; }),
                            id << " does not resolve to its new handle");
        ++replaced;
      } else {
        BOOST_CHECK_MESSAGE(after[n] == before[n], feed_id(n) << " was restarted");
        if (auto err = connect(after[n])) BOOST_FAIL(feed_id(n) << " connect: " << describe(err));
        BOOST_CHECK_EQUAL(status(after[n]).connects, 1u);  // never reconnected
        ++kept;
      }
    }
    BOOST_TEST_MESSAGE(replaced << " restarted, " << kept << " kept");
    BOOST_CHECK(server.wait_for_connections(feeds, deadline));
  }
};

std::set<std::size_t> range(std::size_t first, std::size_t last) {
  std::set<std::size_t> result;
  for (auto n = first; n < last; ++n) result.insert(n);
  return result;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(supervised_connections, supervised_fixture)

// one_for_one: only the crashed feed restarts.
BOOST_AUTO_TEST_CASE(one_for_one_restarts_only_the_crashed_feed) {
  auto [sup, before] = start_feeds(strategy_kind::one_for_one);
  std::set<std::size_t> restarted{37};
  auto after = crash_and_wait(sup, before, 37, restarted);
  check_after_crash(before, after, restarted);
  // The server saw exactly one more upgrade: the replacement.
  BOOST_CHECK(server.wait_for_accepted(feeds + 1, deadline));
  BOOST_CHECK_EQUAL(server.accepted_count(), feeds + 1);
}

// one_for_all: every feed restarts.
BOOST_AUTO_TEST_CASE(one_for_all_restarts_every_feed) {
  auto [sup, before] = start_feeds(strategy_kind::one_for_all);
  auto restarted = range(0, feeds);
  auto after = crash_and_wait(sup, before, 37, restarted);
  check_after_crash(before, after, restarted);
  BOOST_CHECK(server.wait_for_accepted(2 * feeds, deadline));
  BOOST_CHECK_EQUAL(server.accepted_count(), 2 * feeds);
}

// rest_for_one: the crashed feed and the ones started after it restart.
BOOST_AUTO_TEST_CASE(rest_for_one_restarts_the_later_feeds) {
  auto [sup, before] = start_feeds(strategy_kind::rest_for_one);
  auto restarted = range(37, feeds);
  auto after = crash_and_wait(sup, before, 37, restarted);
  check_after_crash(before, after, restarted);
  BOOST_CHECK(server.wait_for_accepted(feeds + restarted.size(), deadline));
  BOOST_CHECK_EQUAL(server.accepted_count(), feeds + restarted.size());
}

// A feed moves from one supervisor to another without restarting: same actor, same socket;
// afterwards the new supervisor restarts it and the old one no longer does.
BOOST_AUTO_TEST_CASE(adopt_and_release_move_a_running_feed) {
  supervisor_flags flags;
  flags.intensity = 5;
  auto from = supervise(flags, {feed_spec("feed-a"), feed_spec("feed-b")});
  auto to = supervise(flags, {feed_spec("feed-c")});
  auto from_children = which_children(from);
  BOOST_REQUIRE_EQUAL(from_children.size(), 2u);
  auto moved = from_children[1].handle;
  for (auto& c : from_children)
    if (auto err = connect(c.handle)) BOOST_FAIL("connect: " << describe(err));
  for (auto& c : which_children(to))
    if (auto err = connect(c.handle)) BOOST_FAIL("connect: " << describe(err));
  BOOST_REQUIRE(server.wait_for_connections(3, deadline));
  auto accepted = server.accepted_count();

  caf::actor released;
  caf::error failure;
  self->request(from, deadline, release_atom::value, std::string{"feed-b"})
      .receive([&](caf::actor& h) { released = h; }, [&](caf::error& err) { failure = err; });
  if (failure) BOOST_FAIL("release: " << describe(failure));
  BOOST_CHECK(released == moved);
  self->request(to, deadline, adopt_atom::value, released, feed_spec("feed-b"))
      .receive([](caf::ok_atom) {}, [&](caf::error& err) { failure = err; });
  if (failure) BOOST_FAIL("adopt: " << describe(failure));

  auto from_after = which_children(from);
  BOOST_REQUIRE_EQUAL(from_after.size(), 1u);
  BOOST_CHECK_EQUAL(from_after[0].id, "feed-a");
  auto to_after = which_children(to);
  BOOST_REQUIRE_EQUAL(to_after.size(), 2u);
  BOOST_CHECK_EQUAL(to_after[1].id, "feed-b");
  BOOST_CHECK(to_after[1].handle == moved);
  // Still the same connection: connected, never reconnected, no new upgrade.
  auto st = status(moved);
  BOOST_CHECK_EQUAL(to_string(st.state), std::string{"connected"});
  BOOST_CHECK_EQUAL(st.connects, 1u);
  BOOST_CHECK_EQUAL(server.accepted_count(), accepted);
  BOOST_CHECK(lookup("feed-b") == moved);

  // The adopting supervisor now restarts it; the releasing one ignores its death.
  self->monitor(moved);
  self->send_exit(moved, make_error(errc::connection_lost, "injected crash"));
  BOOST_REQUIRE(wait_down(moved.address()));
  std::vector<child_info> now;
  BOOST_REQUIRE(eventually([&] {
    now = which_children(to);
    return now.size() == 2 && now[1].handle && now[1].handle != moved;
  }));
  if (auto err = connect(now[1].handle)) BOOST_FAIL("connect after restart: " << describe(err));
  BOOST_CHECK(eventually([&] { return lookup("feed-b") == now[1].handle; }));
  auto from_final = which_children(from);
  BOOST_REQUIRE_EQUAL(from_final.size(), 1u);
  BOOST_CHECK(from_final[0].handle == from_after[0].handle);
}

BOOST_AUTO_TEST_SUITE_END()
