#include "demo.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>

#include <wsnova/actors/client.hpp>
#include <wsnova/adapters/echo_adapter.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>

#include "close_info.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include "runtime.hpp"

namespace wsnova::cli {

namespace {

using namespace std::chrono_literals;

/// Milliseconds with three decimals, e.g. "0.214 ms".
std::string format_ms(caf::timespan span) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f ms",
                std::chrono::duration<double, std::milli>(span).count());
  return buffer;
}

/// A message as the demo shows it: quoted text, or the size and base64 of binary data.
std::string show(const ws_message& message) {
  if (message.kind == message_kind::binary)
    return "binary, " + std::to_string(message.payload.size()) +
           " bytes, base64: " + base64(message.payload);
  return "text \"" + message.payload + "\"";
}

/// The demo's steps, with a connected client. Each check failing ends the demo with an error.
class tour {
 public:
  explicit tour(client& conn) : conn_(conn) {}

  /// Sends `message`, expects it back unchanged.
  caf::error echo(int step, const std::string& title, ws_message message) {
    print_line("[" + std::to_string(step) + "] " + title);
    print_line("    sent:     " + show(message));
    auto sent_at = std::chrono::steady_clock::now();
    auto reply = echo_round_trip(conn_, message, 5s);  // the echo adapter's facade
    if (!reply) return reply.error();
    auto took = std::chrono::steady_clock::now() - sent_at;
    print_line("    received: " + show(*reply) + "  (after " +
               format_ms(std::chrono::duration_cast<caf::timespan>(took)) + ")");
    return {};
  }

 private:
  client& conn_;
};

int fail(const caf::error& err) {
  print_line("demo FAILED, see the error on stderr");
  return report_error(err);
}

}  // namespace

int run_demo(const cli_options& options) {
  print_line(
      "wsnova demo: no URL given, so wsnova starts an embedded echo server and talks to it.");
  print_line("(To talk to your own server: wsnova ws://host:port/path  --  see wsnova --help.)");
  print_line("");

  runtime rt;
  std::optional<test::echo_server> server;
  try {
    test::server_options server_options;
    server_options.deflate = options.compress;
    server.emplace(server_options);
  } catch (const std::exception& e) {
    print_error("demo", std::string{"cannot start the embedded echo server: "} + e.what());
    return exit_failure;
  }
  auto url = server->url("/demo");
  print_line("embedded server: listening at " + url);
  print_line("  it echoes every message, and understands the text commands");
  print_line("  \"!close CODE REASON\", \"!stream N\" and \"!ping PAYLOAD\"");
  print_line("");

  // The echo adapter: an echo server's behaviours on top of the command's settings.
  auto config = to_connection_config(options);
  config.url = url;
  echo_adapter{}.configure(config);
  print_line("connecting to " + url + " ...");
  auto started = std::chrono::steady_clock::now();
  auto connected = client::connect(rt.system, std::move(config));
  if (!connected) return fail(connected.error());
  auto& conn = *connected;
  auto took = std::chrono::duration_cast<caf::timespan>(std::chrono::steady_clock::now() - started);
  print_line("connected in " + format_ms(took) + " (TCP connect + HTTP upgrade)" +
             (options.compress ? ", permessage-deflate offered" : ""));
  print_line("");

  tour steps{conn};
  if (auto err = steps.echo(1, "a text message", {message_kind::text, "hello"})) return fail(err);
  if (auto err = steps.echo(2, "UTF-8 text (multi-byte characters arrive intact)",
                            {message_kind::text, "Grüße, κόσμε, 世界 ✓"}))
    return fail(err);
  if (auto err = steps.echo(3, "a binary message (printed as base64)",
                            {message_kind::binary, std::string{"\x00\x01\x02\xfe\xff", 5}}))
    return fail(err);

  print_line("[4] a ping: the server answers with a pong, wsnova measures the round trip");
  auto rtt = conn.ping(5s);
  if (!rtt) return fail(rtt.error());
  print_line("    pong received, round trip " + format_ms(*rtt));

  print_line("[5] \"!stream 3\": the server sends three messages of its own");
  if (auto err = conn.send_text("!stream 3")) return fail(err);
  for (int i = 1; i <= 3; ++i) {
    auto message = conn.receive(5s);
    if (!message) return fail(message.error());
    print_line("    received: " + show(*message));
    if (message->payload != std::to_string(i))
      return fail(make_error(errc::protocol_violation, "expected \"" + std::to_string(i) + "\""));
  }

  print_line("[6] \"!close 4000 demo done\": the server starts the closing handshake");
  if (auto err = conn.send_text("!close 4000 demo done")) return fail(err);
  std::optional<disconnected_event> last_disconnect;
  for (;;) {
    auto event = conn.next_event(5s);
    if (!event) return fail(event.error());
    if (auto* message = std::get_if<message_event>(&*event)) {
      print_line("    received: " + show(message->message));
      continue;
    }
    if (auto* down = std::get_if<disconnected_event>(&*event)) last_disconnect = *down;
    if (auto* closed = std::get_if<closed_event>(&*event)) {
      auto close = final_close(*closed, last_disconnect);
      print_line("    closed by the server: code " + std::to_string(close.code) + ", reason \"" +
                 close.reason + "\"");
      if (close.code != 4000 || close.reason != "demo done")
        return fail(make_error(errc::protocol_violation,
                               "expected close 4000 \"demo done\"" +
                                   (closed->cause ? ", cause: " + describe(closed->cause) : "")));
      break;
    }
  }
  print_line("");
  print_line("demo finished: every message came back intact and the connection closed cleanly.");
  print_line("Next: pipe lines into a real server, e.g.  echo hi | wsnova wss://echo.example/ws");
  return exit_ok;
}

}  // namespace wsnova::cli
