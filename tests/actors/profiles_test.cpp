#define BOOST_TEST_MODULE profiles
#include <wsnova/actors/profiles.hpp>

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

// Each preset carries the numbers its documentation table promises.
BOOST_AUTO_TEST_CASE(presets_match_the_documented_table) {
  auto financial = make_profile(profile::financial, "wss://x/");
  BOOST_CHECK_EQUAL(financial.url, "wss://x/");
  BOOST_CHECK(!financial.session.compress);
  BOOST_CHECK(!financial.session.coalesce_writes);
  BOOST_CHECK(financial.session.ping_interval == 5s);
  BOOST_CHECK(financial.reconnect.initial_delay == caf::timespan{100ms});
  BOOST_CHECK(financial.sending.when_disconnected == offline_send_policy::reject);
  BOOST_CHECK_EQUAL(financial.sending.max_queued_messages, 256u);

  auto standard = make_profile(profile::standard, "ws://x/");
  BOOST_CHECK(standard.session.ping_interval == 20s);
  BOOST_CHECK_EQUAL(standard.session.max_message_size, 16u << 20);

  auto lightweight = make_profile(profile::lightweight, "ws://x/");
  BOOST_CHECK_EQUAL(lightweight.sending.max_queued_bytes, 256u << 10);
  BOOST_CHECK(lightweight.session.ping_interval == 60s);

  auto chat = make_profile(profile::chat, "ws://x/");
  BOOST_CHECK(chat.session.compress);
  BOOST_CHECK(chat.sending.when_disconnected == offline_send_policy::buffer);
  BOOST_CHECK(chat.reconnect.kind == backoff_kind::exponential_decorrelated_jitter);
}

// Profiles differ where they should: financial fails fast, chat buffers.
BOOST_AUTO_TEST_CASE(financial_is_faster_than_chat) {
  auto financial = make_profile(profile::financial, "ws://x/");
  auto chat = make_profile(profile::chat, "ws://x/");
  BOOST_CHECK(financial.reconnect.max_delay < chat.reconnect.max_delay);
  BOOST_CHECK(financial.session.ping_interval < chat.session.ping_interval);
  BOOST_CHECK_EQUAL(std::string{to_string(profile::chat)}, "chat");
}
