#include "feed_printer.hpp"

#include <iostream>

#include <boost/json.hpp>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <wsnova/adapters/deribit_adapter.hpp>
#include <wsnova/core/error.hpp>

namespace deribit_example {

namespace {

using namespace wsnova;

void status(const std::string& line) { std::cerr << "wsnova-deribit: " << line << std::endl; }

std::string millis(caf::timespan span) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(span).count()) +
         " ms";
}

/// Counts what is missing between the last `sequence` of a channel and `data`'s.
void count_gaps(feed_summary& summary, const deribit::notification& note) {
  boost::system::error_code ec;
  auto data = boost::json::parse(note.data, ec);
  if (ec) return;
  auto visit = [&](const boost::json::value& item) {
    const auto* object = item.if_object();
    const auto* sequence = object ? object->if_contains("sequence") : nullptr;
    if (!sequence || !sequence->is_int64()) return;
    auto now = static_cast<std::uint64_t>(sequence->get_int64());
    auto& last = summary.last[note.channel];
    if (last != 0 && now > last + 1) summary.missing[note.channel] += now - last - 1;
    last = now;
  };
  if (const auto* items = data.if_array())
    for (const auto& item : *items) visit(item);
  else
    visit(data);
}

}  // namespace

connection_owner spawn_feed_printer(caf::actor_system& system, std::uint64_t count, caf::actor done,
                                    std::shared_ptr<feed_summary> summary) {
  return system.spawn([count, done, summary]() -> connection_owner::behavior_type {
    return {
        [](connected_event& e) { status("connected to " + e.url); },
        [count, done, summary](message_event& e) {
          auto note = deribit::read_notification(e.message);
          if (!note) return;  // answers and other traffic: not part of the stream
          std::cout << deribit::to_json_line(*note) << '\n' << std::flush;
          count_gaps(*summary, *note);
          if (++summary->notifications == count) caf::anon_send(done, caf::ok_atom::value);
        },
        [](disconnected_event& e) {
          status("disconnected (" + describe(e.cause) + ", code " + std::to_string(e.code) + ")");
        },
        [](reconnecting_event& e) {
          status("reconnecting in " + millis(e.delay) + " (attempt " + std::to_string(e.attempt) +
                 ")");
        },
        [](reconnected_event& e) {
          status("reconnected after " + std::to_string(e.attempts) +
                 " attempt(s); auth and subscriptions restored");
        },
        [](closed_event& e) {
          status("closed (" + (e.cause ? describe(e.cause) : e.reason) + ", code " +
                 std::to_string(e.code) + ")");
        },
        [](error_event& e) { status("error: " + describe(e.error)); },
        [](ownership_event&) {},
        [](unsent_event& e) { status(std::to_string(e.messages.size()) + " message(s) not sent"); },
    };
  });
}

}  // namespace deribit_example
