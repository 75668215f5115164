#include "session.hpp"

#include <atomic>
#include <chrono>
#include <optional>

#include <caf/scoped_actor.hpp>

#include <wsnova/actors/client.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/transport/url.hpp>

#include "close_info.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include "runtime.hpp"
#include "stdin_reader.hpp"

namespace wsnova::cli {

namespace {

using namespace std::chrono_literals;

/// True for errors that only say the connection is already gone. The receive loop reports
/// the close itself, so the stdin side stays silent about them.
bool is_gone(const caf::error& err) {
  if (err.category() == caf::atom("system")) return true;  // request_receiver_down
  switch (code_of(err)) {
    case errc::closed:
    case errc::not_connected:
    case errc::actor_gone: return true;
    default: return false;
  }
}

/// Decides the exit code of a finished connection and prints why it ended.
int on_closed(const closed_event& closed, const std::optional<disconnected_event>& disconnect,
              bool closed_by_us, bool quiet) {
  auto close = final_close(closed, disconnect);
  auto text = "closed: " + describe_close(close.code, close.reason);
  if (close.code == close_code::normal) {
    print_status(quiet, closed_by_us ? text + " (closed by wsnova)" : text);
    return exit_ok;
  }
  // Anything but a normal close is a failure: say it even when quiet.
  print_status(false, text);
  if (closed.cause && !is(closed.cause, errc::closed_by_peer)) return report_error(closed.cause);
  return exit_closed_abnormally;
}

}  // namespace

int run_session(const cli_options& options) {
  // Check the URL before starting any thread: a typo should fail fast with the library's
  // own bad_url message.
  if (auto url = parse_ws_url(options.url); !url) return report_error(to_error(url.error()));
  if (options.insecure)
    print_warning("--insecure: TLS certificate verification disabled; anyone on the network "
                  "path can read and change this connection's traffic");

  const bool quiet = options.quiet;
  runtime rt;
  print_status(quiet, "connecting to " + options.url + " ...");
  // connect_timeout bounds DNS+TCP and, separately, TLS+upgrade; wait for both plus slack.
  auto deadline = 2 * options.connect_timeout + std::chrono::seconds{1};
  auto connected = client::connect(rt.system, to_connection_config(options),
                                   std::chrono::duration_cast<caf::timespan>(deadline));
  if (!connected) return report_error(connected.error());
  auto& conn = *connected;

  // The stdin thread talks to the connection actor through its own scoped actor: the
  // client facade belongs to this thread, which blocks in next_event() so that received
  // messages print the moment they arrive.
  caf::scoped_actor sender{rt.system};
  auto handle = conn.handle();
  std::atomic<bool> closed_by_us{false};
  bool send_failed = false;  // touched by the stdin thread only
  const auto kind = options.binary ? message_kind::binary : message_kind::text;
  const auto close_wait =
    std::chrono::duration_cast<caf::timespan>(options.connect_timeout + std::chrono::seconds{1});

  auto on_line = [&](std::string line) {
    if (send_failed) return;
    sender->request(handle, caf::timespan{10s}, send_atom::value, ws_message{kind, std::move(line)})
      .receive([](caf::ok_atom) {},
               [&](caf::error& err) {
                 send_failed = true;
                 if (!is_gone(err)) report_error(err);
               });
  };
  auto on_end = [&](stdin_reader::end_reason why) {
    if (send_failed) return;
    print_status(quiet, why == stdin_reader::end_reason::interrupted
                          ? "interrupted: closing with 1000"
                          : "end of input: closing with 1000");
    closed_by_us = true;
    sender->request(handle, close_wait, close_atom::value, close_code::normal, std::string{})
      .receive([](caf::ok_atom) {},
               [&](caf::error& err) {
                 if (!is_gone(err)) report_error(err);
               });
  };

  // Started only once the connection is up: lines typed earlier wait in the terminal or
  // pipe, so none is lost and none is refused with not_connected.
  stdin_reader reader{on_line, on_end};
  std::optional<int> result;
  std::optional<disconnected_event> last_disconnect;
  // An error event is held back one event: when the closed_event right after it carries the
  // same error, the final error line says it once; otherwise it is printed as a warning.
  std::optional<caf::error> held_error;
  auto flush_held_error = [&] {
    if (held_error) print_warning(error_category(*held_error) + ": " + error_detail(*held_error));
    held_error.reset();
  };
  while (!result) {
    // A long wait, not an infinite one: next_event needs a finite deadline, and a quiet
    // connection is not an error, so a timeout only loops.
    auto event = conn.next_event(std::chrono::hours{1});
    if (!event) {
      if (is(event.error(), errc::timeout)) continue;
      result = report_error(event.error());
      break;
    }
    std::visit(
      [&](auto& ev) {
        using event_type = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<event_type, closed_event>) {
          if (held_error && code_of(*held_error) == code_of(ev.cause)) held_error.reset();
        }
        if constexpr (!std::is_same_v<event_type, disconnected_event>) flush_held_error();
        if constexpr (std::is_same_v<event_type, connected_event>) {
          std::string line = "connected to " + ev.url;
          if (!ev.subprotocol.empty()) line += " (subprotocol " + ev.subprotocol + ")";
          if (ev.compressed) line += " (permessage-deflate)";
          print_status(quiet, line);
          print_status(quiet, options.binary
                                ? "each line of input goes out as a binary message; "
                                  "end of input (Ctrl-D) closes"
                                : "each line of input goes out as a text message; "
                                  "end of input (Ctrl-D) closes");
        } else if constexpr (std::is_same_v<event_type, message_event>) {
          print_message(ev.message);
        } else if constexpr (std::is_same_v<event_type, error_event>) {
          // A peer's close is reported by the closed line, never as an error.
          if (!is(ev.error, errc::closed_by_peer)) held_error = ev.error;
        } else if constexpr (std::is_same_v<event_type, closed_event>) {
          result = on_closed(ev, last_disconnect, closed_by_us, quiet);
        } else if constexpr (std::is_same_v<event_type, disconnected_event>) {
          // A closed_event follows (no reconnection configured) and carries the verdict;
          // this one carries the peer's close code (see close_info.hpp).
          last_disconnect = ev;
        }
      },
      *event);
  }
  // Join the stdin thread before its scoped actor and the actor system go away.
  reader.stop();
  return *result;
}

}  // namespace wsnova::cli
