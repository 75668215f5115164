// The `wsnova` command's stdin side against a scripted connection actor: a full send queue
// is waited out with a growing pause (never a busy retry, never giving up), an interrupt
// during the wait drops the line, and text that is not UTF-8 never leaves the process.
#include "line_sender.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#define BOOST_TEST_MODULE cli_line_sender
#include <boost/test/unit_test.hpp>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <wsnova/core/error.hpp>

#include "runtime.hpp"

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::cli;

namespace {

/// What the scripted connection does and saw.
struct script {
  std::mutex mutex;
  /// `send` answers queue_full this many times before accepting.
  int refusals = 0;
  /// Payloads accepted, in order.
  std::vector<std::string> accepted;
};

/// A connection actor whose `send` follows `state`; everything else answers trivially.
connection::behavior_type scripted_connection(std::shared_ptr<script> state) {
  return {
      [](connect_atom) -> caf::result<caf::ok_atom> { return caf::ok_atom::value; },
      [state](send_atom, ws_message& message) -> caf::result<caf::ok_atom> {
        std::lock_guard<std::mutex> guard{state->mutex};
        if (state->refusals > 0) {
          --state->refusals;
          return make_error(errc::queue_full, "send queue full");
        }
        state->accepted.push_back(message.payload);
        return caf::ok_atom::value;
      },
      [](ping_atom) -> caf::result<caf::timespan> { return caf::timespan{0}; },
      [](status_atom) { return connection_status{}; },
      [](close_atom, std::uint16_t, std::string&) -> caf::result<caf::ok_atom> {
        return caf::ok_atom::value;
      },
      [](transfer_atom, connection_owner&) -> caf::result<caf::ok_atom> {
        return caf::ok_atom::value;
      },
      [](flow_atom, std::uint32_t) {},
      // Not used by the line sender.
      [](send_json_atom, std::string&) -> caf::result<caf::ok_atom> { return caf::ok_atom::value; },
      [](request_atom, std::string&, std::string&, caf::timespan) -> caf::result<std::string> {
        return std::string{};
      },
      [](subscribe_atom, std::string&, std::string&) -> caf::result<std::uint64_t> {
        return std::uint64_t{0};
      },
      [](unsubscribe_atom, std::uint64_t) -> caf::result<caf::ok_atom> {
        return caf::ok_atom::value;
      },
      [](authenticate_atom) -> caf::result<caf::ok_atom> { return caf::ok_atom::value; },
      [](reconnect_atom) -> caf::result<caf::ok_atom> { return caf::ok_atom::value; },
  };
}

struct fixture {
  runtime rt;
  std::shared_ptr<script> state = std::make_shared<script>();
  connection conn = rt.system.spawn(scripted_connection, state);
  /// Every pause the sender asked for.
  std::vector<std::chrono::milliseconds> pauses;
  /// `wait` returns false from this pause on (1-based); 0 never.
  std::size_t interrupt_at = 0;

  line_sender make_sender(bool binary) {
    return line_sender{rt.system, conn, binary, true, [this](std::chrono::milliseconds d) {
                         pauses.push_back(d);
                         return interrupt_at == 0 || pauses.size() < interrupt_at;
                       }};
  }

  std::vector<std::string> accepted() {
    std::lock_guard<std::mutex> guard{state->mutex};
    return state->accepted;
  }

  ~fixture() { caf::anon_send_exit(conn, caf::exit_reason::user_shutdown); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(back_pressure, fixture)

// Rule: a full queue is waited out; pauses double from 1 ms and stop growing at 200 ms.
BOOST_AUTO_TEST_CASE(queue_full_is_waited_out_with_growing_pauses) {
  state->refusals = 12;
  auto sender = make_sender(false);
  BOOST_CHECK(sender.send("hello") == send_outcome::sent);
  BOOST_CHECK(accepted() == std::vector<std::string>{"hello"});
  std::vector<std::chrono::milliseconds> expected{1ms,  2ms,   4ms,   8ms,   16ms,  32ms,
                                                  64ms, 128ms, 200ms, 200ms, 200ms, 200ms};
  BOOST_CHECK(pauses == expected);
}

// Rule: an accepted line costs no pause at all.
BOOST_AUTO_TEST_CASE(room_in_the_queue_sends_without_pausing) {
  auto sender = make_sender(false);
  BOOST_CHECK(sender.send("a") == send_outcome::sent);
  BOOST_CHECK(sender.send("b") == send_outcome::sent);
  BOOST_CHECK(pauses.empty());
  BOOST_CHECK(accepted() == (std::vector<std::string>{"a", "b"}));
}

// Rule: an interrupt during the wait ends it at once; the line is not sent.
BOOST_AUTO_TEST_CASE(interrupt_while_waiting_drops_the_line) {
  state->refusals = 1000;
  interrupt_at = 3;
  auto sender = make_sender(false);
  BOOST_CHECK(sender.send("never") == send_outcome::interrupted);
  BOOST_CHECK_EQUAL(pauses.size(), 3u);
  BOOST_CHECK(accepted().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(input_checks, fixture)

// Rule: text that is not UTF-8 is refused before it reaches the connection.
BOOST_AUTO_TEST_CASE(text_line_that_is_not_utf8_is_refused_locally) {
  auto sender = make_sender(false);
  BOOST_CHECK(sender.send("fine") == send_outcome::sent);
  BOOST_CHECK(sender.send("caf\xc3\x28") == send_outcome::bad_input);
  BOOST_CHECK(is(sender.failure(), errc::invalid_argument));
  BOOST_CHECK_NE(describe(sender.failure()).find("line 2"), std::string::npos);
  BOOST_CHECK(accepted() == std::vector<std::string>{"fine"});
}

// Rule: with --binary any bytes go out unchanged.
BOOST_AUTO_TEST_CASE(binary_line_may_hold_any_bytes) {
  auto sender = make_sender(true);
  BOOST_CHECK(sender.send("\xff\xfe") == send_outcome::sent);
  BOOST_CHECK(accepted() == std::vector<std::string>{"\xff\xfe"});
}

BOOST_AUTO_TEST_SUITE_END()
