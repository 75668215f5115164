#pragma once

/// @file
/// A blocking facade over a connection actor, for code that is not an actor (`main()`,
/// tests, scripts).

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/timespan.hpp>

#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/connection_config.hpp>
#include <wsnova/actors/events.hpp>

namespace wsnova {

/// Any event a connection sends its owner.
using connection_event =
    std::variant<connected_event, message_event, disconnected_event, reconnecting_event,
                 reconnected_event, closed_event, error_event, ownership_event, unsent_event>;

/// Owns one connection through a scoped actor that is the connection's owner. Every wait has
/// a deadline and also watches the connection actor: if it dies, the wait ends at once with
/// an error instead of hanging (Gun's `await` with a monitor).
///
/// Thread safety: one thread at a time. Destroying the client is the owner's death: the
/// connection closes with 1001 and exits.
class client {
 public:
  /// Default deadline of every wait.
  static constexpr caf::timespan default_timeout = std::chrono::seconds{10};

  /// Starts a connection and waits until it is up, or fails with its error
  /// (`bad_url`, `dns`, `connect_refused`, `tls_verify_failed`, `upgrade_rejected`,
  /// `timeout`, ...).
  /// The system must have `io_module` loaded.
  static caf::expected<client> connect(caf::actor_system& system, connection_config config,
                                       caf::timespan timeout = default_timeout);

  /// Takes over `other`'s connection; `other` is left without one.
  client(client&& other) noexcept;
  /// Ends this client's connection as the destructor does (its owner dies), then takes over
  /// `other`'s.
  client& operator=(client&& other) noexcept;
  ~client();

  /// Queues a text message.
  caf::error send_text(std::string text, caf::timespan timeout = default_timeout);
  /// Queues a binary message.
  caf::error send_binary(std::string bytes, caf::timespan timeout = default_timeout);
  /// Queues a message.
  caf::error send(ws_message message, caf::timespan timeout = default_timeout);

  /// Checks that `json` is JSON and queues it as a text message.
  caf::error send_json(std::string json, caf::timespan timeout = default_timeout);

  /// Makes a JSON-RPC 2.0 request and returns its `result` as JSON text (see `connection`'s
  /// `request_atom` for the errors). `params`: an object or array as JSON text, empty for
  /// none. The server has `timeout` to answer; the wait ends a second later at the latest.
  caf::expected<std::string> request(std::string method, std::string params = {},
                                     caf::timespan timeout = default_timeout);

  /// Subscribes to `channel` (Subscription behaviour) and returns the subscription's id once
  /// confirmed; restored after every reconnect.
  caf::expected<std::uint64_t> subscribe(std::string channel, std::string params = {},
                                         caf::timespan timeout = default_timeout);

  /// Ends the subscription `id`.
  caf::error unsubscribe(std::uint64_t id, caf::timespan timeout = default_timeout);

  /// Authenticates now (Auth behaviour) and waits until the server accepted.
  caf::error authenticate(caf::timespan timeout = default_timeout);

  /// Drops the transport and connects again at once; returns when the reconnect started
  /// (wait for the `reconnected_event` to know it is back).
  caf::error reconnect(caf::timespan timeout = default_timeout);

  /// Returns the next event, or `timeout` when none arrives in time, or `actor_gone` when the
  /// connection actor is gone and no event is left.
  caf::expected<connection_event> next_event(caf::timespan timeout = default_timeout);

  /// Returns the next message, skipping other events. When the connection closes first,
  /// returns the close's cause (`closed_by_peer`, `message_too_big`, ...) or `closed`.
  caf::expected<ws_message> receive(caf::timespan timeout = default_timeout);

  /// Pings the peer and returns the round-trip time.
  caf::expected<caf::timespan> ping(caf::timespan timeout = default_timeout);

  /// Returns the connection's status.
  caf::expected<connection_status> status(caf::timespan timeout = default_timeout);

  /// Closes with `code` and `reason` and waits for the close handshake; afterwards
  /// `closed()` holds the final close. Events that arrived meanwhile stay readable.
  caf::error close(std::uint16_t code = close_code::normal, std::string reason = {},
                   caf::timespan timeout = default_timeout);

  /// Returns the final close, once the connection reported it.
  const std::optional<closed_event>& closed() const { return closed_; }

  /// Returns the connection actor.
  const connection& handle() const { return connection_; }

 private:
  client(std::unique_ptr<caf::scoped_actor> self, connection handle);

  template <class... Ts>
  caf::error request_ok(caf::timespan timeout, Ts&&... xs);

  /// Sends the request `xs...` and waits up to `timeout` for its answer, given to `on_value`.
  template <class OnValue, class... Ts>
  caf::error ask(caf::timespan timeout, OnValue on_value, Ts&&... xs);

  /// Asks the connection `(xs...)` and returns its one answer of type `T`.
  template <class T, class... Ts>
  caf::expected<T> request_value(caf::timespan timeout, Ts&&... xs);

  /// Waits for the first `connected_event` (or the close, or the actor's end).
  caf::error await_connected(caf::timespan timeout);

  /// Takes the next event from the mailbox.
  caf::expected<connection_event> pull_event(caf::timespan timeout);

  std::unique_ptr<caf::scoped_actor> self_;
  connection connection_;
  /// Events taken from the mailbox while waiting for something else, served first.
  std::deque<connection_event> pending_;
  std::optional<closed_event> closed_;
  bool actor_down_ = false;
};

}  // namespace wsnova
