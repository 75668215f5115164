// Soak: 100 connections (buffer policy) send numbered messages continuously through the
// fault proxy to the echo server while a thread injects random faults (reset, FIN, short
// partition, delay). Afterwards every connection is up again, and what came back is checked
// per connection: in order, no duplicate, nothing that was not accepted, and everything
// sent after the faults stopped. Losses of messages that were accepted while the connection
// was up and then went down in flight are counted and reported, separately for messages that
// were buffered while down: the library does not replay what it handed to a transport that
// then failed. WSNOVA_SOAK_SECONDS sets the duration of the faulty period (default 60).
#define BOOST_TEST_MODULE soak
#include <wsnova/tests/resilience/recorder.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <caf/event_based_actor.hpp>

#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/proxy/fault_proxy.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;

constexpr std::size_t connection_count = 100;
constexpr auto send_interval = 20ms;  // 50 messages per second per connection

int soak_seconds() {
  if (const char* env = std::getenv("WSNOVA_SOAK_SECONDS")) return std::max(1, std::atoi(env));
  return 60;
}

/// What one connection's driver saw; written by the driver, read by the test thread, under
/// the mutex of `shared_state`.
struct conn_record {
  bool up = false;
  bool closed = false;
  std::uint64_t next_seq = 0;
  /// Accepted by send: sequence number -> true when accepted while down (buffered).
  std::map<std::uint64_t, bool> accepted;
  std::map<std::string, std::uint64_t> refused;  // error code name -> count
  std::set<std::uint64_t> received;
  std::uint64_t last_received = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t not_accepted = 0;
  std::uint32_t disconnects = 0;
  std::uint32_t reconnects = 0;
};

struct shared_state {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<conn_record> conns = std::vector<conn_record>(connection_count);
  std::atomic<bool> sending{false};

  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds deadline) {
    std::unique_lock guard{mutex};
    return changed.wait_for(guard, deadline, [&] { return pred(conns); });
  }
};

/// Owner of one connection: sends a numbered message every `send_interval` while sending is
/// on, and records replies and events in mailbox order. Because the connection's events and
/// its replies to our sends arrive in the order it produced them, a reply that comes after a
/// disconnected_event and before the next reconnected_event answered a send made while
/// down: a buffered message.
caf::behavior driver(caf::event_based_actor* self, connection_config config, std::size_t index,
                     shared_state* state) {
  auto conn = spawn_connection(self->system(), std::move(config), unchecked_owner(self));
  if (!conn) {
    std::lock_guard guard{state->mutex};
    state->conns[index].closed = true;
    self->quit();
    return {};
  }
  auto handle = *conn;
  auto update = [state, index](auto fn) {
    std::lock_guard guard{state->mutex};
    fn(state->conns[index]);
    state->changed.notify_all();
  };
  self->send(self, tick_atom::value);
  return {
      [=](tick_atom) {
        if (state->sending) {
          std::uint64_t seq = 0;
          update([&](conn_record& r) { seq = ++r.next_seq; });
          self->request(handle, 10s, send_atom::value,
                        ws_message{message_kind::text, std::to_string(seq)})
              .then([=](caf::ok_atom) { update([&](conn_record& r) { r.accepted[seq] = !r.up; }); },
                    [=](caf::error& err) {
                      update([&](conn_record& r) { ++r.refused[to_string(code_of(err))]; });
                    });
        }
        self->delayed_send(self, send_interval, tick_atom::value);
      },
      [=](connected_event&) { update([](conn_record& r) { r.up = true; }); },
      [=](reconnected_event&) {
        update([](conn_record& r) {
          r.up = true;
          ++r.reconnects;
        });
      },
      [=](disconnected_event&) {
        update([](conn_record& r) {
          r.up = false;
          ++r.disconnects;
        });
      },
      [=](closed_event&) {
        update([](conn_record& r) {
          r.up = false;
          r.closed = true;
        });
      },
      [=](message_event& e) {
        std::uint64_t seq = std::stoull(e.message.payload);
        update([&](conn_record& r) {
          if (!r.received.insert(seq).second)
            ++r.duplicates;
          else if (seq < r.last_received)
            ++r.out_of_order;
          if (!r.accepted.count(seq)) ++r.not_accepted;
          r.last_received = std::max(r.last_received, seq);
        });
      },
      [](reconnecting_event&) {},
      [](error_event&) {},
      [=](stop_atom) {
        // Take the connection down with us and wait for it: no connection may outlive the
        // test's actor system.
        self->monitor(handle);
        self->set_down_handler([=](caf::down_msg&) { self->quit(); });
        self->send_exit(handle, caf::exit_reason::user_shutdown);
      },
  };
}

struct fixture : test::actor_system_fixture {
  fixture() {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = std::max<rlim_t>(limit.rlim_cur, std::min<rlim_t>(4096, limit.rlim_max));
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  test::echo_server server;
  test::fault_proxy proxy{server.port()};
  shared_state state;
  std::vector<caf::actor> drivers;

  /// Stops the drivers and waits (with a deadline) until they are gone: they write into
  /// `state`, which dies with the fixture.
  ~fixture() {
    caf::scoped_actor self{system};
    for (auto& d : drivers) {
      self->monitor(d);
      self->send(d, stop_atom::value);
    }
    for (std::size_t gone = 0; gone < drivers.size();) {
      bool timed_out = false;
      self->receive([&](caf::down_msg&) { ++gone; },
                    caf::after(std::chrono::seconds{10}) >> [&] { timed_out = true; });
      if (timed_out) {
        BOOST_TEST_MESSAGE("drivers did not stop in time; killing them");
        for (auto& d : drivers) self->send_exit(d, caf::exit_reason::kill);
        break;
      }
    }
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(soak, fixture)

// Random faults for WSNOVA_SOAK_SECONDS under continuous traffic: every connection comes
// back, every connection's echoes are in order with no duplicate and nothing unaccepted,
// and the traffic after the faults arrives completely. Losses in flight are reported.
BOOST_AUTO_TEST_CASE(random_faults_under_traffic) {
  for (std::size_t i = 0; i < connection_count; ++i) {
    connection_config config;
    config.url = proxy.url();
    config.id = "soak-" + std::to_string(i);
    config.reconnect.kind = backoff_kind::exponential_full_jitter;
    config.reconnect.initial_delay = 100ms;
    config.reconnect.max_delay = 1s;
    config.reconnect.stable_after = 2s;
    config.session.ping_interval = 500ms;
    config.session.pong_timeout = 500ms;
    config.session.connect_timeout = 3s;
    config.session.handshake_timeout = 3s;
    config.sending.when_disconnected = offline_send_policy::buffer;
    config.sending.max_buffered_messages = 100000;
    drivers.push_back(system.spawn(driver, config, i, &state));
  }
  auto all_up = [](const std::vector<conn_record>& conns) {
    for (const auto& r : conns)
      if (!r.up) return false;
    return true;
  };
  BOOST_REQUIRE_MESSAGE(state.wait(all_up, 30s), "not every connection came up");

  // -- the faulty period ----------------------------------------------------------------
  state.sending = true;
  std::map<std::string, int> faults;
  std::mt19937 random{20240601};
  const auto seconds = soak_seconds();
  const auto end_of_faults = test::clock_type::now() + std::chrono::seconds{seconds};
  while (test::clock_type::now() < end_of_faults) {
    std::this_thread::sleep_for(std::chrono::milliseconds{1500 + random() % 2000});  // pacing
    switch (random() % 5) {
      case 0:
        proxy.drop_all();
        ++faults["drop_all"];
        break;
      case 1:
        proxy.close_all();
        ++faults["close_all"];
        break;
      case 2: {
        proxy.blackhole();
        std::this_thread::sleep_for(std::chrono::milliseconds{300 + random() % 1200});
        proxy.pass();
        ++faults["blackhole"];
        break;
      }
      case 3: {
        proxy.delay(50ms);
        std::this_thread::sleep_for(1s);
        proxy.pass();
        ++faults["delay"];
        break;
      }
      case 4: {
        proxy.refuse(true);
        proxy.drop_all();
        std::this_thread::sleep_for(std::chrono::milliseconds{500 + random() % 1000});
        proxy.refuse(false);
        ++faults["refuse+drop"];
        break;
      }
    }
  }
  proxy.pass();
  BOOST_REQUIRE_MESSAGE(state.wait(all_up, 30s), "not every connection came back after the faults");

  // -- the quiet tail: everything sent now must come back --------------------------------
  std::vector<std::uint64_t> tail_from(connection_count);
  {
    std::lock_guard guard{state.mutex};
    for (std::size_t i = 0; i < connection_count; ++i) tail_from[i] = state.conns[i].next_seq + 1;
  }
  std::this_thread::sleep_for(2s);  // pacing: two more seconds of traffic without faults
  state.sending = false;
  std::vector<std::uint64_t> tail_to(connection_count);
  auto replies_in = [&](const std::vector<conn_record>& conns) {
    for (std::size_t i = 0; i < connection_count; ++i) {
      const auto& r = conns[i];
      std::size_t answered = r.accepted.size();
      for (const auto& [code, n] : r.refused) answered += n;
      if (answered < r.next_seq) return false;
    }
    return true;
  };
  BOOST_REQUIRE_MESSAGE(state.wait(replies_in, 15s), "sends still unanswered");
  {
    std::lock_guard guard{state.mutex};
    for (std::size_t i = 0; i < connection_count; ++i) tail_to[i] = state.conns[i].next_seq;
  }
  auto tail_arrived = [&](const std::vector<conn_record>& conns) {
    for (std::size_t i = 0; i < connection_count; ++i)
      for (auto seq = tail_from[i]; seq <= tail_to[i]; ++seq)
        if (conns[i].accepted.count(seq) && !conns[i].received.count(seq)) return false;
    return true;
  };
  bool tail_complete = state.wait(tail_arrived, 20s);

  // -- the verdict ----------------------------------------------------------------------
  std::lock_guard guard{state.mutex};
  std::uint64_t sent = 0, accepted = 0, accepted_buffered = 0, received = 0;
  std::uint64_t lost_live = 0, lost_buffered = 0, duplicates = 0, out_of_order = 0;
  std::uint64_t not_accepted = 0, disconnects = 0, reconnects = 0, tail_missing = 0;
  // Runs of consecutive lost sequence numbers, and connections with more runs than drops:
  // frames handed to the kernel when a connection drops are lost at most once, together (one
  // run per drop, just before the frames the library kept and sent again); a lost run with
  // no drop to explain it is a frame the library dropped silently.
  std::uint64_t lost_runs = 0, unexplained_runs = 0;
  std::map<std::string, std::uint64_t> refused;
  std::size_t down = 0;
  for (std::size_t i = 0; i < connection_count; ++i) {
    const auto& r = state.conns[i];
    sent += r.next_seq;
    accepted += r.accepted.size();
    received += r.received.size();
    duplicates += r.duplicates;
    out_of_order += r.out_of_order;
    not_accepted += r.not_accepted;
    disconnects += r.disconnects;
    reconnects += r.reconnects;
    down += (r.up && !r.closed) ? 0 : 1;
    for (const auto& [code, n] : r.refused) refused[code] += n;
    std::uint64_t runs = 0;
    std::optional<std::uint64_t> previous_lost;
    for (const auto& [seq, buffered] : r.accepted) {
      accepted_buffered += buffered ? 1 : 0;
      if (r.received.count(seq)) continue;
      (buffered ? lost_buffered : lost_live) += 1;
      if (seq >= tail_from[i] && seq <= tail_to[i]) ++tail_missing;
      if (!previous_lost || *previous_lost + 1 != seq) ++runs;
      previous_lost = seq;
    }
    lost_runs += runs;
    if (runs > r.disconnects) unexplained_runs += runs - r.disconnects;
  }
  std::string fault_list, refused_list;
  for (const auto& [name, n] : faults) fault_list += name + "=" + std::to_string(n) + " ";
  for (const auto& [name, n] : refused) refused_list += name + "=" + std::to_string(n) + " ";
  BOOST_TEST_MESSAGE("soak " << seconds << " s, " << connection_count
                             << " connections; faults: " << fault_list);
  BOOST_TEST_MESSAGE("  sent " << sent << ", accepted " << accepted << " (" << accepted_buffered
                               << " buffered while down), refused: "
                               << (refused_list.empty() ? "none" : refused_list));
  BOOST_TEST_MESSAGE("  echoed back " << received << "; lost " << lost_live + lost_buffered
                                      << " (accepted while up: " << lost_live
                                      << ", buffered while down: " << lost_buffered << ") in "
                                      << lost_runs << " runs, " << unexplained_runs
                                      << " not explained by a drop");
  BOOST_TEST_MESSAGE("  duplicates " << duplicates << ", out of order " << out_of_order
                                     << ", never accepted " << not_accepted << "; disconnects "
                                     << disconnects << ", reconnects " << reconnects);
  BOOST_CHECK_EQUAL(down, 0u);
  BOOST_CHECK_EQUAL(duplicates, 0u);
  BOOST_CHECK_EQUAL(out_of_order, 0u);
  BOOST_CHECK_EQUAL(not_accepted, 0u);
  BOOST_CHECK_EQUAL(unexplained_runs, 0u);
  BOOST_CHECK_GT(received, 0u);
  BOOST_CHECK_GT(reconnects, 0u);
  BOOST_CHECK_MESSAGE(tail_complete && tail_missing == 0,
                      tail_missing << " messages sent after the faults never came back");
  // Nothing refused except for the documented reasons.
  for (const auto& [code, n] : refused)
    BOOST_CHECK_MESSAGE(code == "queue_full", n << " sends refused with " << code);
}

BOOST_AUTO_TEST_SUITE_END()
