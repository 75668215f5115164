#define BOOST_TEST_MODULE connection
#include <wsnova/actors/client.hpp>

#include <boost/test/unit_test.hpp>

#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/support/echo_server.hpp>
#include <wsnova/transport/error.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

struct fixture : test::actor_system_fixture {
  test::echo_server server;

  client open(connection_config config = {}) {
    if (config.url.empty()) config.url = server.url();
    auto result = client::connect(system, pool, std::move(config));
    if (!result) BOOST_FAIL("connect failed: " << describe(result.error()));
    return std::move(*result);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(echo, fixture)

// A text message sent comes back unchanged.
BOOST_AUTO_TEST_CASE(text_round_trip) {
  auto c = open();
  BOOST_REQUIRE(!c.send_text("hello"));
  auto reply = c.receive(5s);
  if (!reply) BOOST_FAIL(describe(reply.error()));
  BOOST_CHECK_EQUAL(reply->payload, "hello");
  BOOST_CHECK(reply->kind == message_kind::text);
  BOOST_REQUIRE(!c.close());
  BOOST_REQUIRE(c.closed());
  BOOST_CHECK_EQUAL(c.closed()->code, 1000);
}

BOOST_AUTO_TEST_SUITE_END()
