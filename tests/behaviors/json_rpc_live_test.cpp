// JSON-RPC 2.0 over a live connection against the scripted peer: results, error objects,
// timeouts and late answers; requests in flight at a disconnect fail at once and are never
// sent again; requests while down and invalid JSON are refused; the public reconnect
// restores the subscriptions.
#define BOOST_TEST_MODULE json_rpc_live
#include <wsnova/actors/client.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/scoped_actor.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>
#include <wsnova/tests/behaviors/live_helpers.hpp>
#include <wsnova/tests/behaviors/rpc_peer.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using clock_type = std::chrono::steady_clock;

namespace {

/// How long a negative check ("nothing more arrived") waits: a bounded time, since the
/// absence of an event cannot be waited for.
constexpr auto quiet_period = 200ms;

struct fixture : test::actor_system_fixture {
  std::shared_ptr<test::rpc_peer> peer = std::make_shared<test::rpc_peer>();
  test::echo_server server{peer->options()};

  connection_config config() const {
    connection_config c;
    c.url = server.url();
    c.reconnect.initial_delay = 10ms;
    c.reconnect.max_delay = 50ms;
    return c;
  }
};

std::string describe_result(const caf::expected<std::string>& result) {
  return result ? "result " + *result : describe(result.error());
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(json_rpc_live, fixture)

// "echo" answers its params, "fail" an error object, "never" nothing: timeout.
BOOST_AUTO_TEST_CASE(result_error_and_timeout) {
  auto conn = test::connect_or_fail(system, config());
  auto echoed = conn.request("echo", R"({"a":1,"b":[true,null]})");
  BOOST_REQUIRE_MESSAGE(echoed, describe_result(echoed));
  BOOST_CHECK_EQUAL(*echoed, R"({"a":1,"b":[true,null]})");

  auto failed = conn.request("fail", "[]");
  BOOST_REQUIRE(!failed);
  BOOST_CHECK_MESSAGE(is(failed.error(), errc::rpc_error), describe(failed.error()));
  BOOST_CHECK_MESSAGE(
      describe(failed.error()).find("-32000: failed on purpose") != std::string::npos,
      describe(failed.error()));

  const auto asked = clock_type::now();
  auto silent = conn.request("never", {}, 200ms);
  const auto took = test::ms_between(asked, clock_type::now());
  BOOST_CHECK_MESSAGE(!silent && is(silent.error(), errc::timeout), describe_result(silent));
  BOOST_CHECK_GE(took, 150.0);
  BOOST_CHECK_LT(took, 2000.0);
}

// An answer that comes after its request timed out is dropped without harm: the next request
// gets its own answer, not the late one.
BOOST_AUTO_TEST_CASE(late_answer_is_ignored) {
  auto conn = test::connect_or_fail(system, config());
  peer->hold({"echo"});
  auto late = conn.request("echo", R"({"late":1})", 200ms);
  BOOST_CHECK_MESSAGE(!late && is(late.error(), errc::timeout), describe_result(late));
  peer->hold({});
  BOOST_REQUIRE_EQUAL(peer->release_held(server), 1u);
  // The server sends the late answer first, so it was processed before this one arrives.
  auto next = conn.request("echo", R"({"n":2})");
  BOOST_REQUIRE_MESSAGE(next, describe_result(next));
  BOOST_CHECK_EQUAL(*next, R"({"n":2})");
  auto status = conn.status();
  BOOST_REQUIRE(status);
  BOOST_CHECK(status->state == connection_state::connected);
}

// Requests in flight when the connection drops fail at once with connection_lost (well
// before their 5 s timeout) and are not sent again after the reconnect.
BOOST_AUTO_TEST_CASE(in_flight_requests_fail_at_disconnect_and_are_not_replayed) {
  constexpr std::size_t in_flight = 3;
  auto conn = test::connect_or_fail(system, config());
  peer->hold({"echo"});
  caf::scoped_actor self{system};
  using pending_request = decltype(self->request(conn.handle(), caf::infinite, request_atom::value,
                                                 std::string{}, std::string{}, caf::timespan{}));
  std::vector<pending_request> pending;
  for (std::size_t i = 0; i < in_flight; ++i)
    pending.push_back(self->request(conn.handle(), 20s, request_atom::value, std::string{"echo"},
                                    R"({"i":)" + std::to_string(i) + "}", caf::timespan{5s}));
  BOOST_REQUIRE_MESSAGE(peer->wait_for(in_flight, 10s), "the requests did not reach the peer");

  const auto dropped = clock_type::now();
  server.drop_all();
  std::vector<caf::error> failures;
  for (auto& request : pending)
    request.receive([](std::string& result) { BOOST_ERROR("answered: " << result); },
                    [&](caf::error& err) { failures.push_back(std::move(err)); });
  const auto took = test::ms_between(dropped, clock_type::now());
  BOOST_TEST_MESSAGE(in_flight << " requests failed " << took << " ms after the drop");
  BOOST_CHECK_LT(took, 1000.0);  // at once, not at the 5 s timeout
  BOOST_REQUIRE_EQUAL(failures.size(), in_flight);
  for (const auto& err : failures)
    BOOST_CHECK_MESSAGE(is(err, errc::connection_lost), describe(err));

  test::next_event_of<reconnected_event>(conn);
  peer->take_held();  // the answers of the dead session: nobody to send them to
  peer->hold({});
  // Bounded negative check: nothing is replayed on the new connection.
  BOOST_CHECK(!peer->wait_for(in_flight + 1, quiet_period));
  BOOST_CHECK_EQUAL(peer->count("echo"), in_flight);
  auto after = conn.request("echo", R"({"after":true})");
  BOOST_REQUIRE_MESSAGE(after, describe_result(after));
  BOOST_CHECK_EQUAL(peer->count("echo"), in_flight + 1);
}

// While down, a request fails with not_connected; send_json refuses text that is not JSON.
BOOST_AUTO_TEST_CASE(not_connected_and_invalid_json) {
  auto c = config();
  c.reconnect.initial_delay = 5s;  // stays down for the rest of the test
  c.reconnect.max_delay = 5s;
  c.reconnect.kind = backoff_kind::fixed;
  auto conn = test::connect_or_fail(system, std::move(c));
  auto bad = conn.send_json(R"({"unterminated": )");
  BOOST_CHECK_MESSAGE(is(bad, errc::invalid_argument), describe(bad));
  BOOST_REQUIRE(!conn.send_json(R"({"ok":1})"));
  BOOST_CHECK_EQUAL(test::receive_or_fail(conn).payload, R"({"ok":1})");

  BOOST_REQUIRE(server.wait_for_connections(1, 10s));
  server.drop_all();
  test::next_event_of<disconnected_event>(conn);
  auto down = conn.request("echo", "{}", 1s);
  BOOST_CHECK_MESSAGE(!down && is(down.error(), errc::not_connected), describe_result(down));
}

// The public reconnect drops the transport and comes back at once, subscriptions restored.
BOOST_AUTO_TEST_CASE(public_reconnect_restores_subscriptions) {
  auto conn = test::connect_or_fail(system, config());
  auto id = conn.subscribe("ch.r");
  if (!id) BOOST_FAIL("subscribe: " << describe(id.error()));
  const auto accepted = server.accepted_count();
  BOOST_REQUIRE(!conn.reconnect());
  test::next_event_of<reconnected_event>(conn);
  BOOST_CHECK_EQUAL(server.accepted_count(), accepted + 1);
  BOOST_CHECK_EQUAL(peer->count("subscribe"), 2u);
  server.send_all(test::rpc_peer::notification("ch.r", 7));
  auto note = test::receive_or_fail(conn);
  BOOST_CHECK_NE(note.payload.find("ch.r"), std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
