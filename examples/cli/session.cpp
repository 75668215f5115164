#include "session.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>

#include <wsnova/actors/client.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/transport/proxy.hpp>
#include <wsnova/transport/url.hpp>

#include "exit_codes.hpp"
#include "line_sender.hpp"
#include "outcome.hpp"
#include "output.hpp"
#include "runtime.hpp"
#include "stdin_reader.hpp"

namespace wsnova::cli {

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

/// What the stdin thread tells the receive loop, under one lock.
struct input_side {
  std::mutex mutex;
  /// When wsnova asked to close (end of input, Ctrl-C, bad input); empty until then.
  std::optional<steady::time_point> close_requested_at;
  /// When the input ended while `--linger` keeps the connection open for replies.
  std::optional<steady::time_point> input_ended_at;
  /// A failure on our side (bad input, a refused send), reported as the run's error.
  caf::error local_error;
};

/// The text of the "connected" status lines.
void print_connected(const connected_event& ev, const cli_options& options) {
  std::string line = "connected to " + ev.url;
  if (!ev.subprotocol.empty()) line += " (subprotocol " + ev.subprotocol + ")";
  if (ev.compressed) line += " (permessage-deflate)";
  print_status(options.quiet, line);
  print_status(options.quiet, std::string{"each line of input goes out as a "} +
                                  (options.binary ? "binary" : "text") +
                                  " message; end of input (Ctrl-D) closes");
}

}  // namespace

int run_session(const cli_options& options) {
  // Check the URL before starting any thread: a typo should fail fast with the library's
  // own bad_url message.
  auto url = parse_ws_url(options.url);
  if (!url) return report_error(to_error(url.error()));
  auto config = to_connection_config(options);
  // The same choice the session makes when it connects (a bad proxy URL from the
  // environment fails here with the library's message).
  auto proxy = select_proxy(config.session.proxy, *url, proxy_environment::from_process());
  if (!proxy) return report_error(to_error(proxy.error()));
  if (options.insecure)
    print_warning(
        "--insecure: TLS certificate verification disabled; anyone on the network "
        "path can read and change this connection's traffic");

  const bool quiet = options.quiet;
  const auto max_line = config.sending.max_queued_bytes;
  runtime rt;
  print_status(quiet, "connecting to " + options.url +
                          (*proxy ? " through proxy " + (*proxy)->name() : std::string{}) + " ...");
  // connect_timeout bounds DNS+TCP and, separately, TLS+upgrade; wait for both plus slack.
  auto deadline = 2 * options.connect_timeout + std::chrono::seconds{1};
  auto connected = client::connect(rt.system, std::move(config),
                                   std::chrono::duration_cast<caf::timespan>(deadline));
  if (!connected) return report_error(connected.error());
  auto& conn = *connected;

  // The stdin thread talks to the connection actor through its own scoped actor (in
  // `line_sender`): the client facade belongs to this thread, which blocks in next_event()
  // so that received messages print the moment they arrive.
  input_side input;
  std::optional<stdin_reader> reader;
  line_sender sender{rt.system, conn.handle(), options.binary, quiet,
                     [&](std::chrono::milliseconds d) { return reader->wait(d); }};
  std::size_t dropped = 0;  // lines read from stdin and never sent (stdin thread only)
  auto request_close = [&](caf::error local_error) {
    {
      std::lock_guard<std::mutex> guard{input.mutex};
      input.close_requested_at = steady::now();
      input.local_error = std::move(local_error);
    }
    sender.close();
  };
  auto on_line = [&](std::string line) {
    switch (sender.send(std::move(line))) {
      case send_outcome::sent:
        return true;
      case send_outcome::interrupted:
        ++dropped;
        return false;
      case send_outcome::connection_gone:
        return false;
      case send_outcome::bad_input:
      case send_outcome::failed:
        ++dropped;
        request_close(sender.failure());
        return false;
    }
    return false;
  };
  auto on_end = [&](stdin_reader::end_reason why, std::size_t unhandled) {
    dropped += unhandled;
    using reason = stdin_reader::end_reason;
    switch (why) {
      case reason::interrupted: {
        std::string text = "interrupted: closing with 1000";
        if (dropped > 0)
          text += "; " + std::to_string(dropped) + " line(s) read from stdin were not sent";
        if (auto queued = sender.queued_messages(); queued > 0)
          text += "; " + std::to_string(queued) +
                  " message(s) still queued go out first if the server reads them in time";
        print_status(false, text);
        return request_close({});
      }
      case reason::eof: {
        if (options.linger.count() == 0) {
          print_status(quiet, "end of input: closing with 1000");
          return request_close({});
        }
        print_status(quiet, "end of input: closing with 1000 once replies stop (--linger " +
                                std::to_string(options.linger.count()) + " ms)");
        std::lock_guard<std::mutex> guard{input.mutex};
        input.input_ended_at = steady::now();
        return;
      }
      case reason::line_too_long:
        return request_close(make_error(errc::invalid_argument,
                                        "line " + std::to_string(sender.lines() + 1) +
                                            " of stdin is longer than " + std::to_string(max_line) +
                                            " bytes, the most the send queue holds"));
      case reason::refused:  // the line handler already asked to close, or the peer did
      case reason::stopped:
        return;
    }
  };
  // Started only once the connection is up: lines typed earlier wait in the terminal or
  // pipe, so none is lost and none is refused with not_connected.
  reader.emplace(on_line, on_end, max_line);

  // Every message that arrives before the close completes is printed: the loop ends only
  // at the closed_event, which the connection sends after everything it received.
  // The close is bounded by the library (handshake_timeout = --connect-timeout); the
  // deadline here is the backstop should that bound fail.
  const auto close_limit = options.connect_timeout + 2s;
  // Lingering after the end of input: a server may still be answering the last lines (RFC
  // 6455 lets it stop sending once it sees our Close, and servers do), so close only when
  // every line is written and the replies have paused for --linger, or 10 x --linger after
  // the end of input for a server that never pauses (a feed).
  auto last_received = steady::now();
  auto linger_over = [&](steady::time_point input_ended_at) {
    auto now = steady::now();
    if (now - input_ended_at >= 10 * options.linger) return true;
    if (now - std::max(input_ended_at, last_received) < options.linger) return false;
    auto status = conn.status(caf::timespan{1s});
    return !status || status->queued_messages == 0;
  };
  outcome verdict;
  std::optional<int> result;
  while (!result) {
    std::optional<steady::time_point> closing_since;
    std::optional<steady::time_point> lingering_since;
    {
      std::lock_guard<std::mutex> guard{input.mutex};
      closing_since = input.close_requested_at;
      if (!closing_since) lingering_since = input.input_ended_at;
    }
    if (lingering_since && reader->interrupted_after_eof()) {
      print_status(false, "interrupted: closing with 1000");
      request_close({});
      continue;
    }
    if (lingering_since && linger_over(*lingering_since)) {
      request_close({});
      continue;
    }
    if (closing_since && steady::now() - *closing_since > close_limit) {
      print_error("timeout", "the connection did not close within " +
                                 std::to_string(close_limit.count()) + " ms");
      // Abandon the connection: waiting for its actor is what failed, and the actor
      // system's destructor would wait for it again.
      std::fflush(nullptr);
      std::_Exit(exit_timeout);
    }
    // Short waits only to look at the close deadline; each costs one wake-up per second.
    auto event = conn.next_event(closing_since || lingering_since ? caf::timespan{100ms}
                                                                  : caf::timespan{1s});
    if (!event) {
      if (is(event.error(), errc::timeout)) continue;
      result = report_error(event.error());
      break;
    }
    std::visit(
        [&](auto& ev) {
          using event_type = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<event_type, connected_event>) {
            print_connected(ev, options);
          } else if constexpr (std::is_same_v<event_type, message_event>) {
            last_received = steady::now();
            print_message(ev.message);
          } else if constexpr (std::is_same_v<event_type, error_event>) {
            verdict.note_error(ev.error);
          } else if constexpr (std::is_same_v<event_type, disconnected_event>) {
            verdict.note_disconnect(ev);
          } else if constexpr (std::is_same_v<event_type, closed_event>) {
            // The stdin thread is done with `input` only after stop(); but what it noted
            // before asking to close is visible now, under the lock.
            std::lock_guard<std::mutex> guard{input.mutex};
            if (input.local_error) verdict.note_local_error(input.local_error);
            if (input.close_requested_at) verdict.note_close_requested();
            verdict.note_error(ev.cause);
            result = verdict.report(ev, quiet);
          }
        },
        *event);
  }
  // Join the stdin thread before its scoped actor and the actor system go away.
  reader->stop();
  return *result;
}

}  // namespace wsnova::cli
