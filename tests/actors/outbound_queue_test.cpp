// Tests of <wsnova/actors/detail/outbound_queue.hpp>: the offline buffer, the send-limit
// watermarks and frames handed back unwritten, without an actor or a socket.
#include <wsnova/actors/detail/outbound_queue.hpp>

#define BOOST_TEST_MODULE outbound_queue
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include <wsnova/core/error.hpp>

using namespace wsnova;
using namespace wsnova::detail;

namespace {

using strings = std::vector<std::string>;

ws_message text(std::string payload) { return ws_message{message_kind::text, std::move(payload)}; }

std::vector<ws_message> texts(std::initializer_list<const char*> payloads) {
  std::vector<ws_message> result;
  for (auto p : payloads) result.push_back(text(p));
  return result;
}

strings payloads(const std::vector<ws_message>& messages) {
  strings result;
  for (auto& m : messages) result.push_back(m.payload);
  return result;
}

send_limits buffering(std::size_t max_messages = 1024, std::size_t max_bytes = 4u << 20) {
  send_limits limits;
  limits.when_disconnected = offline_send_policy::buffer;
  limits.max_buffered_messages = max_messages;
  limits.max_buffered_bytes = max_bytes;
  return limits;
}

send_limits watermarks(std::size_t max_messages, std::size_t max_bytes, double fraction) {
  send_limits limits;
  limits.max_queued_messages = max_messages;
  limits.max_queued_bytes = max_bytes;
  limits.resume_fraction = fraction;
  return limits;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(offline_buffer)

// Rule: the policy decides whether sends while disconnected are kept.
BOOST_AUTO_TEST_CASE(policy_decides_buffering) {
  BOOST_TEST(!outbound_queue{send_limits{}}.buffers_offline());  // reject is the default
  BOOST_TEST(outbound_queue{buffering()}.buffers_offline());
}

// Rule: buffered messages come out oldest first, and taking them empties the buffer.
BOOST_AUTO_TEST_CASE(take_returns_messages_in_order_and_empties) {
  outbound_queue queue{buffering()};
  for (auto p : {"1", "22", "333"}) BOOST_TEST(!queue.buffer(text(p)));
  BOOST_TEST(queue.buffered_messages() == 3u);
  BOOST_TEST(queue.buffered_bytes() == 6u);
  BOOST_TEST(payloads(queue.take()) == (strings{"1", "22", "333"}));
  BOOST_TEST(queue.buffered_messages() == 0u);
  BOOST_TEST(queue.buffered_bytes() == 0u);
  BOOST_TEST(queue.take().empty());
}

// Rule: over the message bound, buffer answers queue_full and keeps what it had.
BOOST_AUTO_TEST_CASE(message_bound_gives_queue_full) {
  outbound_queue queue{buffering(2)};
  BOOST_TEST(!queue.buffer(text("a")));
  BOOST_TEST(!queue.buffer(text("b")));
  auto err = queue.buffer(text("c"));
  BOOST_TEST((code_of(err) == errc::queue_full));
  BOOST_TEST(payloads(queue.take()) == (strings{"a", "b"}));
}

// Rule: over the byte bound, buffer answers queue_full; a message that fits exactly is kept.
BOOST_AUTO_TEST_CASE(byte_bound_gives_queue_full) {
  outbound_queue queue{buffering(100, 5)};
  BOOST_TEST(!queue.buffer(text("abc")));
  BOOST_TEST((code_of(queue.buffer(text("xyz"))) == errc::queue_full));
  BOOST_TEST(!queue.buffer(text("de")));  // 3 + 2 == 5 fits
  BOOST_TEST(queue.buffered_bytes() == 5u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(send_watermarks)

// Rule: a send that stays under both high watermarks is admitted.
BOOST_AUTO_TEST_CASE(admits_under_the_high_watermarks) {
  outbound_queue queue{watermarks(10, 1000, 0.5)};
  BOOST_TEST(!queue.admit(8, 900, 100));  // 9 messages, 1000 bytes: at the bound, not over
  BOOST_TEST(!queue.paused());
}

// Rule: crossing the message watermark answers queue_full and pauses.
BOOST_AUTO_TEST_CASE(message_watermark_pauses) {
  outbound_queue queue{watermarks(10, 1000, 0.5)};
  BOOST_TEST((code_of(queue.admit(10, 0, 1)) == errc::queue_full));
  BOOST_TEST(queue.paused());
}

// Rule: crossing the byte watermark answers queue_full and pauses.
BOOST_AUTO_TEST_CASE(byte_watermark_pauses) {
  outbound_queue queue{watermarks(10, 1000, 0.5)};
  BOOST_TEST((code_of(queue.admit(1, 950, 51)) == errc::queue_full));
  BOOST_TEST(queue.paused());
}

// Rule: a message larger than the whole byte bound can never fit: message_too_big (not
// queue_full, which says "try again"), and no pause.
BOOST_AUTO_TEST_CASE(message_larger_than_the_bound_is_too_big) {
  outbound_queue queue{watermarks(10, 1000, 0.5)};
  BOOST_TEST((code_of(queue.admit(0, 0, 1001)) == errc::message_too_big));
  BOOST_TEST(!queue.paused());
  BOOST_TEST(!queue.admit(0, 0, 1000));
}

// Rule: while paused, sends are refused until the queue drained to the low watermark,
// even when they would fit under the high one.
BOOST_AUTO_TEST_CASE(paused_refuses_until_below_the_low_watermark) {
  outbound_queue queue{watermarks(10, 1000, 0.5)};
  BOOST_TEST(static_cast<bool>(queue.admit(10, 0, 1)));
  BOOST_TEST((code_of(queue.admit(6, 0, 1)) == errc::queue_full));    // 6 > 5 messages
  BOOST_TEST((code_of(queue.admit(0, 501, 1)) == errc::queue_full));  // 501 > 500 bytes
  BOOST_TEST(queue.paused());
  BOOST_TEST(!queue.admit(5, 500, 1));  // at the low watermark: resumes
  BOOST_TEST(!queue.paused());
}

// Rule: resume forgets the pause (a new session starts with an empty queue).
BOOST_AUTO_TEST_CASE(resume_forgets_the_pause) {
  outbound_queue queue{watermarks(10, 1000, 0.5)};
  BOOST_TEST(static_cast<bool>(queue.admit(10, 0, 1)));
  queue.resume();
  BOOST_TEST(!queue.admit(9, 0, 1));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(handed_back)

// Rule: with the buffer policy, unwritten frames go back to the FRONT, in their order,
// ahead of messages buffered since.
BOOST_AUTO_TEST_CASE(buffer_policy_puts_unsent_first_in_order) {
  outbound_queue queue{buffering()};
  BOOST_TEST(!queue.buffer(text("later")));
  auto rest = queue.give_back(texts({"u1", "u2", "u3"}));
  BOOST_TEST(rest.empty());
  BOOST_TEST(queue.buffered_bytes() == 11u);
  BOOST_TEST(payloads(queue.take()) == (strings{"u1", "u2", "u3", "later"}));
}

// Rule: with the reject policy, every unwritten frame comes back to be reported as not
// sent, in order, and nothing is buffered.
BOOST_AUTO_TEST_CASE(reject_policy_returns_everything) {
  outbound_queue queue{send_limits{}};
  auto rest = queue.give_back(texts({"u1", "u2"}));
  BOOST_TEST(payloads(rest) == (strings{"u1", "u2"}));
  BOOST_TEST(queue.buffered_messages() == 0u);
}

// Rule: the buffer's bounds hold for frames handed back too: the oldest that fit are kept,
// the newest come back to be reported.
BOOST_AUTO_TEST_CASE(buffer_bounds_keep_oldest_return_newest) {
  outbound_queue queue{buffering(3)};
  BOOST_TEST(!queue.buffer(text("later")));
  auto rest = queue.give_back(texts({"u1", "u2", "u3"}));
  BOOST_TEST(payloads(rest) == (strings{"u3"}));
  BOOST_TEST(payloads(queue.take()) == (strings{"u1", "u2", "later"}));
}

// Rule: the byte bound counts too.
BOOST_AUTO_TEST_CASE(byte_bound_applies_to_handed_back_frames) {
  outbound_queue queue{buffering(100, 4)};
  auto rest = queue.give_back(texts({"ab", "cd", "e"}));
  BOOST_TEST(payloads(rest) == (strings{"e"}));
  BOOST_TEST(queue.buffered_bytes() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()
