#pragma once

// The connection actor's implementation. Internal: users hold a `connection` handle.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/connection_config.hpp>
#include <wsnova/actors/connection_owner.hpp>
#include <wsnova/actors/detail/connection_lifecycle.hpp>
#include <wsnova/actors/detail/flow_window.hpp>
#include <wsnova/actors/detail/io_execution_unit.hpp>
#include <wsnova/actors/detail/outbound_queue.hpp>
#include <wsnova/actors/detail/owner_link.hpp>
#include <wsnova/actors/detail/session_bridge.hpp>
#include <wsnova/transport/session.hpp>
#include <wsnova/transport/url.hpp>

namespace wsnova::detail {

/// Internal: connect again after a delay; the token tells stale timers apart.
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;
// commit_atom (owner_link.hpp): completes an ownership transfer.

/// The full interface: the public one plus the transport's events and internal timers.
using connection_actor_interface = connection::extend<
    caf::reacts_to<session_open_atom, std::uint64_t, std::string, bool>,
    caf::reacts_to<session_data_atom, std::uint64_t, ws_message>,
    caf::reacts_to<session_control_atom, std::uint64_t, control_kind, std::string>,
    caf::reacts_to<session_end_atom, std::uint64_t, caf::error, std::uint16_t, std::string,
                   std::vector<ws_message>>,
    caf::reacts_to<reconnect_atom, std::uint64_t>, caf::reacts_to<commit_atom, std::uint64_t>>;

static_assert(std::is_convertible_v<connection_actor_interface, connection>,
              "the full interface must convert to the public connection handle");

/// The GenServer of WebsockexNova: one per WebSocket, holding the state machine, handlers
/// and pending requests; the transport session runs on an I/O thread and reports here.
/// It wires four parts: `connection_lifecycle` (state and stop cause), `owner_link` (owner,
/// monitor, transfer), `outbound_queue` (offline buffer, send watermarks) and
/// `flow_window` (receive credit).
class connection_actor : public connection_actor_interface::base, private handler_context {
 public:
  using super = connection_actor_interface::base;

  connection_actor(caf::actor_config& cfg, boost::asio::io_context& io, ws_url url,
                   std::shared_ptr<boost::asio::ssl::context> tls, connection_config config,
                   connection_owner owner);

  behavior_type make_behavior() override;

  void on_exit() override;

  // -- scheduling: on the session's I/O thread unless configured otherwise ----------

  using super::enqueue;
  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* eu) override;
  void launch(caf::execution_unit* eu, bool lazy, bool hide) override;

 private:
  // -- handler_context ---------------------------------------------------------

  const std::string& connection_id() const override { return config_.id; }
  const std::string& url() const override { return config_.url; }
  void send(ws_message message) override;
  void apply(directive decision) override;
  void request_directive(const caf::actor& handler, caf::message request) override;
  caf::expected<caf::timespan> next_backoff() override { return backoff_.next(); }
  const reconnect_policy& reconnection() const override { return config_.reconnect; }

  // -- state machine -----------------------------------------------------------

  void start_session();
  void on_open(std::string subprotocol, bool compressed);
  void on_message(ws_message message);
  /// Hands a message to the owner, within the flow-control credit.
  void deliver(ws_message message);
  void on_control(control_kind kind, const std::string& payload);
  void on_end(caf::error cause, std::uint16_t code, std::string reason,
              std::vector<ws_message> unsent);
  /// Tells the owner of accepted messages that will not be sent (`unsent_event`).
  void report_unsent(std::vector<ws_message> messages);
  void on_owner_down();
  void flush_offline_buffer();
  /// Enters `closed` for good: tells the owner and every pending request, then exits.
  void finish(std::uint16_t code, std::string reason, caf::error cause);
  void fail_pending_pings(const caf::error& reason);
  caf::error send_now(ws_message message);

  /// Sends an event to the owner (see `owner_link::tell`).
  template <class... Ts>
  void tell_owner(Ts&&... xs) {
    owner_.tell(std::forward<Ts>(xs)...);
  }

  // -- member variables --------------------------------------------------------

  boost::asio::io_context& io_;
  /// Runs this actor on `io_` (when `config.run_on_io_thread`).
  io_pinned_unit pinned_;
  ws_url ws_url_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  connection_config config_;
  /// The state and why the connection stops; every state change goes through it.
  connection_lifecycle lifecycle_;
  /// The owner: events, monitor, transfer.
  owner_link owner_;
  /// The offline buffer and the send watermarks.
  outbound_queue outbound_;
  /// Receive credit (flow control; unlimited when `config_.flow == 0`).
  flow_window flow_;
  std::shared_ptr<session> session_;
  /// This actor, from start to exit (see make_behavior).
  caf::strong_actor_ptr keep_alive_;
  /// Id of the current session; events of older sessions are stale and ignored.
  std::uint64_t session_id_ = 0;
  /// Token of the pending reconnect timer.
  std::uint64_t reconnect_token_ = 0;
  std::string subprotocol_;
  backoff backoff_;
  /// Reconnects scheduled since the connection was last up.
  std::uint32_t reconnect_attempts_ = 0;
  caf::actor_clock::time_point opened_at_;
  std::uint64_t messages_sent_ = 0;
  std::uint64_t messages_received_ = 0;
  std::uint32_t connects_ = 0;
  std::uint64_t next_ping_ = 0;
  std::vector<caf::typed_response_promise<caf::ok_atom>> awaiting_connect_;
  std::optional<caf::typed_response_promise<caf::ok_atom>> awaiting_close_;
  struct pending_ping {
    caf::actor_clock::time_point sent_at;
    caf::typed_response_promise<caf::timespan> promise;
  };
  std::map<std::string, pending_ping> pending_pings_;
};

}  // namespace wsnova::detail
