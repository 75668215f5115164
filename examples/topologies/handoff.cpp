// Shows an ownership hand-off between two consumer actors: consumer A takes the first part
// of a numbered stream, hands the live connection to B, and B gets the rest: none lost.

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <caf/all.hpp>

#include <wsnova/actors/connection_owner.hpp>
#include <wsnova/actors/events.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>

#include "common.hpp"

using namespace wsnova;

namespace {

constexpr int total = 1000;
constexpr int hand_over_after = 400;

using report_atom = caf::atom_constant<caf::atom("report")>;

/// What a consumer saw: first and last number, how many, whether they were consecutive,
/// and where its ownership_event came (0 = before any number).
struct summary {
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::int64_t count = 0;
  bool consecutive = true;
  std::int64_t ownership_after = -1;
};

// --(consumer-begin)--
/// A consumer: a typed connection owner (every event has a handler, or this does not
/// compile) that counts the numbers it owns. With `next` set, it hands the connection over
/// after `hand_over_after` numbers. Reports to `app` when it stops owning (its last event
/// is the ownership_event) or when it saw the last number.
connection_owner::behavior_type consumer(connection_owner::pointer self, std::string name,
                                         caf::actor app, connection_owner next) {
  auto s = std::make_shared<summary>();
  auto send_report = [=] {
    caf::anon_send(app, report_atom::value, name, s->first, s->last, s->count, s->consecutive,
                   s->ownership_after);
  };
  return {
      [=](const message_event& ev) {
        std::int64_t value = 0;
        const auto& p = ev.message.payload;
        std::from_chars(p.data(), p.data() + p.size(), value);
        if (s->count == 0)
          s->first = value;
        else if (value != s->last + 1)
          s->consecutive = false;
        s->last = value;
        ++s->count;
        if (next && s->count == hand_over_after) {
          // The connection is the sender of its events.
          auto conn = caf::actor_cast<connection>(self->current_sender());
          self->request(conn, caf::infinite, transfer_atom::value, next)
              .then([](caf::ok_atom) {},
                    [=](caf::error&) { std::cout << name << ": transfer failed\n"; });
        }
        if (value == total) send_report();
      },
      [=](const ownership_event& ev) {
        s->ownership_after = s->count;
        if (ev.previous_owner == self->address()) send_report();  // A's last event
      },
      [](const connected_event&) {},
      [](const disconnected_event&) {},
      [](const reconnecting_event&) {},
      [](const reconnected_event&) {},
      [](const closed_event&) {},
      [](const error_event&) {},
      [](const unsent_event&) {},
  };
}
// --(consumer-end)--

}  // namespace

int main(int argc, char** argv) {
  return topo::run(argc, argv, "hand-off", [](topo::context& ctx) {
    auto& sys = ctx.sys;
    auto& self = ctx.self;
    // --(spawn-begin)--
    auto b = sys.spawn(consumer, std::string{"B"}, caf::actor{self}, connection_owner{});
    auto a = sys.spawn(consumer, std::string{"A"}, caf::actor{self}, b);
    connection_config conf;
    conf.url = ctx.url;
    conf.id = "ticker";
    auto conn = spawn_connection(sys, conf, a);
    // --(spawn-end)--
    if (!conn) {
      std::cout << "FAILED: " << describe(conn.error()) << '\n';
      return false;
    }
    bool ok = false;
    caf::error err;
    self->request(*conn, topo::patience, connect_atom::value)
        .receive([](caf::ok_atom) {}, [&](caf::error& e) { err = e; });
    if (!err) {
      std::cout << "connection owned by consumer A; sending 1.." << total << '\n';
      // The echo server sends every number back: the stream the consumers see.
      // Paced (one per 100 us), so that the hand-off happens while numbers are in flight.
      for (int i = 1; i <= total; ++i) {
        self->send(*conn, send_atom::value, ws_message{message_kind::text, std::to_string(i)});
        std::this_thread::sleep_for(std::chrono::microseconds{100});
      }
      // The two reports may arrive in either order; print them in stream order.
      std::map<std::string, summary> reports;
      while (reports.size() < 2) {
        bool timeout = false;
        self->receive(
            [&](report_atom, const std::string& name, std::int64_t first, std::int64_t last,
                std::int64_t count, bool consecutive, std::int64_t ownership_after) {
              reports[name] = summary{first, last, count, consecutive, ownership_after};
            },
            [](caf::ok_atom) {}, caf::after(topo::patience) >> [&] { timeout = true; });
        if (timeout) break;
      }
      std::int64_t sum_count = 0, next_expected = 1;
      bool consistent = reports.size() == 2;
      for (auto& [name, r] : reports) {  // "A" sorts before "B"
        std::cout << "consumer " << name << " got " << r.first << ".." << r.last << " (" << r.count
                  << " numbers" << (r.consecutive ? ", in order" : ", OUT OF ORDER")
                  << "), ownership_event "
                  << (r.ownership_after == r.count ? "last"
                      : r.ownership_after == 0     ? "first"
                                                   : "in between")
                  << '\n';
        if (r.first != next_expected || !r.consecutive) consistent = false;
        next_expected = r.last + 1;
        sum_count += r.count;
      }
      ok = consistent && sum_count == total && next_expected == total + 1;
      std::cout << "together: " << sum_count << " numbers, "
                << (ok ? "no gap, no duplicate" : "MISMATCH") << '\n';
    } else {
      std::cout << "FAILED: connect: " << describe(err) << '\n';
    }
    self->send_exit(*conn, caf::exit_reason::user_shutdown);
    self->send_exit(a, caf::exit_reason::user_shutdown);
    self->send_exit(b, caf::exit_reason::user_shutdown);
    return ok;
  });
}
