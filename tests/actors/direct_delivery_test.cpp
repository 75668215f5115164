// Data frames reach an io-pinned connection actor by a direct call instead of a mailbox message
// when that is safe (actors/detail/session_bridge.hpp): order with control frames kept, a
// handler that stops the connection or throws ends the actor as inside a resume.
#define BOOST_TEST_MODULE direct_delivery
#include <wsnova/actors/client.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <caf/after.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

constexpr unsigned text_opcode = 1;
constexpr unsigned pong_opcode = 10;

/// What the behaviours saw, in order; written on the I/O thread, read by the test.
class event_log {
 public:
  void add(std::string entry) {
    std::lock_guard lock{mutex_};
    entries_.push_back(std::move(entry));
  }
  std::vector<std::string> entries() const {
    std::lock_guard lock{mutex_};
    return entries_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> entries_;
};

/// A Message behaviour that stops the connection on "stop", throws on "throw", and lets
/// everything else through.
behavior_slot<message_behavior> stopping_or_throwing() {
  return message_behavior::local{}.on(
      handle_msg_atom::value, [](handler_context&, ws_message& m) -> directive {
        if (m.payload == "stop")
          return directive::stop(make_error(errc::closed_by_peer, "told to stop"));
        if (m.payload == "throw") throw std::runtime_error{"handler failed"};
        return directive::ok();
      });
}

struct fixture : test::actor_system_fixture {
  test::echo_server server;
  caf::scoped_actor self{system};

  client open(connection_config config = {}) {
    config.url = server.url();
    auto c = test::connect_or_fail(system, std::move(config));
    self->monitor(c.handle());
    return c;
  }

  /// Waits for the down message of `who`; fails the test at the deadline.
  caf::down_msg wait_for_down(const caf::actor_addr& who) { return test::wait_for_down(self, who); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(direct_delivery, fixture)

// More control frames than one resume handles (io_pinned_unit::max_throughput) between data
// frames of one segment: the data frame after them must wait in the mailbox behind the ones
// the first resume left, not overtake them by a direct call. Unsolicited pongs, because Beast
// reads them all in one read operation (a ping would wait for its pong to be written).
BOOST_AUTO_TEST_CASE(data_after_many_control_frames_keeps_its_place) {
  constexpr int pongs = 100;
  auto seen = std::make_shared<event_log>();
  connection_config config;
  config.behaviors.connection = connection_behavior::local{}.on(
      on_control_atom::value, [seen](handler_context&, control_kind&, std::string&) {
        seen->add("pong");
        return directive::ok();
      });
  config.behaviors.message =
      message_behavior::local{}.on(handle_msg_atom::value, [seen](handler_context&, ws_message& m) {
        seen->add(m.payload);
        return directive::ok();
      });
  auto c = open(std::move(config));
  std::string raw = "!raw " + test::frame_hex(text_opcode, "first");
  for (int i = 0; i < pongs; ++i) raw += test::frame_hex(pong_opcode, "p");
  raw += test::frame_hex(text_opcode, "second") + test::frame_hex(text_opcode, "third");
  test::send_or_fail(c, {message_kind::text, raw});
  for (const auto* want : {"first", "second", "third"})
    BOOST_REQUIRE_EQUAL(test::receive_or_fail(c).payload, want);
  std::vector<std::string> expected{"first"};
  expected.insert(expected.end(), pongs, "pong");
  expected.emplace_back("second");
  expected.emplace_back("third");
  auto got = seen->entries();
  BOOST_REQUIRE_EQUAL(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    BOOST_REQUIRE_MESSAGE(got[i] == expected[i], "event " << i << " is " << got[i]);
}

// A frame whose handler stops the connection ends it as through the mailbox: the session is
// aborted inline from the direct call, its end still arrives in order (closed_event, then the
// actor's down message with the directive's reason).
BOOST_AUTO_TEST_CASE(stop_directive_on_a_frame_ends_the_actor) {
  connection_config config;
  config.behaviors.message = stopping_or_throwing();
  auto c = open(std::move(config));
  test::send_or_fail(c, {message_kind::text, "hello"});
  BOOST_CHECK_EQUAL(test::receive_or_fail(c).payload, "hello");
  test::send_or_fail(c, {message_kind::text, "stop"});
  auto events = test::events_until_closed(c);
  BOOST_CHECK(test::find_event<closed_event>(events) != nullptr);
  auto down = wait_for_down(c.handle().address());
  BOOST_CHECK_MESSAGE(is(down.reason, errc::closed_by_peer),
                      "exit reason: " << caf::to_string(down.reason));
}

// A handler that throws kills its connection actor with `unhandled_exception`, as CAF does
// inside a resume (no resume runs around a direct call: the actor finalizes itself), and not
// the I/O thread: another connection on it goes on echoing.
BOOST_AUTO_TEST_CASE(throwing_handler_kills_only_its_connection) {
  connection_config config;
  config.behaviors.message = stopping_or_throwing();
  auto doomed = open(config);
  auto other = open(config);
  test::send_or_fail(doomed, {message_kind::text, "throw"});
  auto down = wait_for_down(doomed.handle().address());
  BOOST_CHECK_MESSAGE(down.reason == caf::exit_reason::unhandled_exception,
                      "exit reason: " << caf::to_string(down.reason));
  test::send_or_fail(other, {message_kind::text, "still here"});
  BOOST_CHECK_EQUAL(test::receive_or_fail(other).payload, "still here");
}

BOOST_AUTO_TEST_SUITE_END()
