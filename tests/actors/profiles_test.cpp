#define BOOST_TEST_MODULE profiles
#include <wsnova/actors/profiles.hpp>

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

/// The numbers of one profile that docs/profiles.md's table promises.
struct expected_numbers {
  profile kind;
  caf::timespan connect_timeout, ping_interval, pong_timeout;
  backoff_kind backoff;
  double jitter;
  std::uint32_t max_attempts;
  caf::timespan initial_delay, max_delay;
};

const expected_numbers table[] = {
    {profile::financial, 5s, 15s, 5s, backoff_kind::exponential, 0.25, 0, 100ms, 30s},
    {profile::standard, 10s, 30s, 10s, backoff_kind::linear, 0.0, 10, 1s, 60s},
    {profile::lightweight, 15s, 60s, 15s, backoff_kind::exponential, 0.0, 3, 2s, 10s},
    {profile::chat, 8s, 45s, 10s, backoff_kind::exponential, 0.25, 20, 1s, 30s},
};

}  // namespace

// Each preset carries the table's numbers: timeouts, heartbeat and reconnect policy.
BOOST_AUTO_TEST_CASE(presets_match_the_documented_table) {
  for (const auto& row : table) {
    BOOST_TEST_CONTEXT(to_string(row.kind)) {
      auto config = make_profile(row.kind, "wss://x/");
      BOOST_CHECK_EQUAL(config.url, "wss://x/");
      BOOST_CHECK(config.session.connect_timeout == row.connect_timeout);
      BOOST_CHECK(config.session.handshake_timeout == row.connect_timeout);
      BOOST_CHECK(config.session.ping_interval == row.ping_interval);
      BOOST_CHECK(config.session.pong_timeout == row.pong_timeout);
      BOOST_CHECK(config.reconnect.kind == row.backoff);
      BOOST_CHECK_EQUAL(config.reconnect.jitter, row.jitter);
      BOOST_CHECK_EQUAL(config.reconnect.max_attempts, row.max_attempts);
      BOOST_CHECK(config.reconnect.initial_delay == row.initial_delay);
      BOOST_CHECK(config.reconnect.max_delay == row.max_delay);
    }
  }
}

// The rest of what a profile implies: queues, offline policy, compression, rate limit, logs.
BOOST_AUTO_TEST_CASE(profiles_set_queues_offline_policy_and_limits) {
  auto financial = make_profile(profile::financial, "ws://x/");
  BOOST_CHECK(!financial.session.compress);
  BOOST_CHECK(!financial.session.coalesce_writes);
  BOOST_CHECK(financial.sending.when_disconnected == offline_send_policy::reject);
  BOOST_CHECK_EQUAL(financial.sending.max_queued_messages, 256u);
  BOOST_CHECK(financial.auth_timeout == 5s);
  BOOST_CHECK(financial.log_threshold == log_level::info);
  BOOST_CHECK(!financial.rate_limit);

  auto standard = make_profile(profile::standard, "ws://x/");
  BOOST_CHECK_EQUAL(standard.session.max_message_size, 16u << 20);
  BOOST_CHECK(standard.log_threshold == log_level::warning);

  auto lightweight = make_profile(profile::lightweight, "ws://x/");
  BOOST_CHECK_EQUAL(lightweight.sending.max_queued_bytes, 256u << 10);
  BOOST_CHECK_EQUAL(lightweight.session.max_message_size, 1u << 20);
  BOOST_CHECK_EQUAL(lightweight.session.write_buffer_bytes, 4096u);
  BOOST_CHECK_EQUAL(standard.session.write_buffer_bytes, 64u << 10);
  BOOST_CHECK(lightweight.log_threshold == log_level::error);

  auto chat = make_profile(profile::chat, "ws://x/");
  BOOST_CHECK(chat.session.compress);
  BOOST_CHECK(chat.sending.when_disconnected == offline_send_policy::buffer);
  BOOST_REQUIRE(chat.rate_limit);
  BOOST_CHECK_EQUAL(chat.rate_limit->capacity, 20u);
  BOOST_CHECK(chat.rate_limit->refill_interval == 100ms);
}

BOOST_AUTO_TEST_CASE(names_round_trip) {
  for (const auto& row : table) BOOST_CHECK(profile_from_string(to_string(row.kind)) == row.kind);
  BOOST_CHECK(!profile_from_string("fast"));
  BOOST_CHECK(!profile_from_string(""));
}
