// An owner that records the numbers of an echo server's `!stream N` and can hand the
// connection over after k of them: the ownership transfer tests in one process
// (ownership_transfer_test) and across nodes (tests/distribution) share it.
#pragma once

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <caf/event_based_actor.hpp>

#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/connection_owner.hpp>
#include <wsnova/actors/events.hpp>
#include <wsnova/tests/integration/integration_fixture.hpp>

namespace wsnova::itest {

/// What a recording owner saw, shared with the test thread.
struct record {
  std::mutex mtx;
  std::condition_variable cv;
  std::size_t connected = 0;
  std::vector<std::uint32_t> numbers;
  /// Messages that were not numbers.
  std::vector<std::string> others;
  std::vector<ownership_event> ownership;
  /// `numbers.size()` when each ownership_event arrived.
  std::vector<std::size_t> ownership_at;
  bool transfer_answered = false;
  caf::error transfer_error;
  std::size_t closed = 0;

  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds limit = deadline) {
    std::unique_lock<std::mutex> guard{mtx};
    return cv.wait_for(guard, limit, [&] { return pred(*this); });
  }

  template <class F>
  void update(F f) {
    {
      std::lock_guard<std::mutex> guard{mtx};
      f(*this);
    }
    cv.notify_all();
  }
};

using record_ptr = std::shared_ptr<record>;

/// An owner that records what it receives; after `transfer_after` numbers (0 = never) it
/// asks the connection that sent them to transfer ownership to `next`.
inline caf::behavior recording_owner(caf::event_based_actor* self, const record_ptr& rec,
                                     std::size_t transfer_after, const caf::actor& next) {
  self->set_default_handler(ignore_message);
  return {
      [=](connected_event&) { rec->update([](record& r) { ++r.connected; }); },
      [=](message_event& ev) {
        std::uint32_t value = 0;
        auto& p = ev.message.payload;
        auto parsed = std::from_chars(p.data(), p.data() + p.size(), value);
        bool is_number = parsed.ec == std::errc{} && parsed.ptr == p.data() + p.size();
        std::size_t count = 0;
        rec->update([&](record& r) {
          if (is_number)
            r.numbers.push_back(value);
          else
            r.others.push_back(p);
          count = r.numbers.size();
        });
        if (transfer_after == 0 || count != transfer_after) return;
        auto conn = caf::actor_cast<connection>(self->current_sender());
        self->request(conn, caf::infinite, transfer_atom::value, unchecked_owner(next))
            .then(
                [rec](caf::ok_atom) { rec->update([](record& r) { r.transfer_answered = true; }); },
                [rec](caf::error& err) {
                  rec->update([&](record& r) {
                    r.transfer_answered = true;
                    r.transfer_error = err;
                  });
                });
      },
      [=](ownership_event& ev) {
        rec->update([&](record& r) {
          r.ownership.push_back(ev);
          r.ownership_at.push_back(r.numbers.size());
        });
      },
      [=](closed_event&) { rec->update([](record& r) { ++r.closed; }); },
  };
}

/// Returns the index of the first value that breaks `first, first+1, ...`, or xs.size().
inline std::size_t first_gap(const std::vector<std::uint32_t>& xs, std::uint32_t first) {
  for (std::size_t i = 0; i < xs.size(); ++i)
    if (xs[i] != first + i) return i;
  return xs.size();
}

/// Checks a hand-over from owner `a` to `b` during a stream of 1..`length` on connection `id`:
/// A holds a prefix (at least 30,000), B the rest, each in order, together exactly 1..length;
/// A's last and B's first event is the one ownership_event each got.
inline void check_hand_over(record& rec_a, record& rec_b, const caf::actor& a, const caf::actor& b,
                            std::uint32_t length, const std::string& id) {
  BOOST_REQUIRE(rec_a.wait([](record& r) { return r.transfer_answered; }));
  std::scoped_lock guard{rec_a.mtx, rec_b.mtx};
  BOOST_CHECK_MESSAGE(!rec_a.transfer_error, "transfer failed");
  auto& xs = rec_a.numbers;
  auto& ys = rec_b.numbers;
  BOOST_TEST_MESSAGE("A got 1.." << xs.size() << ", B got " << ys.size() << " numbers");
  BOOST_CHECK_GE(xs.size(), 30000u);
  BOOST_CHECK_EQUAL(first_gap(xs, 1), xs.size());
  BOOST_CHECK_EQUAL(first_gap(ys, static_cast<std::uint32_t>(xs.size() + 1)), ys.size());
  BOOST_CHECK_EQUAL(xs.size() + ys.size(), std::size_t{length});
  BOOST_CHECK(rec_a.others.empty());
  BOOST_CHECK(rec_b.others.empty());
  BOOST_REQUIRE_EQUAL(rec_a.ownership.size(), 1u);
  BOOST_REQUIRE_EQUAL(rec_b.ownership.size(), 1u);
  BOOST_CHECK_EQUAL(rec_a.ownership_at[0], xs.size());
  BOOST_CHECK_EQUAL(rec_b.ownership_at[0], 0u);
  for (auto* r : {&rec_a, &rec_b}) {
    auto& ev = r->ownership[0];
    BOOST_CHECK_EQUAL(ev.id, id);
    BOOST_CHECK(ev.previous_owner == a.address());
    BOOST_CHECK(ev.new_owner == b.address());
  }
}

}  // namespace wsnova::itest
