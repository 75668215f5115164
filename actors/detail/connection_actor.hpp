#pragma once

// The connection actor's implementation. Internal: users hold a `connection` handle.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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
#include <wsnova/behaviors/json_rpc.hpp>
#include <wsnova/behaviors/subscriptions.hpp>
#include <wsnova/core/metrics.hpp>
#include <wsnova/transport/session.hpp>
#include <wsnova/transport/url.hpp>

namespace wsnova::detail {

/// Internal: connect again after a delay; the token tells stale timers apart.
using retry_timer_atom = caf::atom_constant<caf::atom("retry_tmr")>;
/// Internal: a deadline passed (JSON-RPC requests, subscriptions, the rate limit's queue).
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;
/// Internal: the token is about to expire; the token tells stale timers apart.
using auth_timer_atom = caf::atom_constant<caf::atom("auth_tmr")>;
// commit_atom (owner_link.hpp): completes an ownership transfer.

/// The full interface: the public one plus the transport's events and internal timers.
using connection_actor_interface = connection::extend<
    caf::reacts_to<session_open_atom, std::uint64_t, std::string, bool>,
    caf::reacts_to<session_data_atom, std::uint64_t, ws_message>,
    caf::reacts_to<session_data_atom, std::uint64_t, ws_message, caf::timespan>,
    caf::reacts_to<session_control_atom, std::uint64_t, control_kind, std::string>,
    caf::reacts_to<session_end_atom, std::uint64_t, caf::error, std::uint16_t, std::string,
                   std::vector<ws_message>>,
    caf::reacts_to<retry_timer_atom, std::uint64_t>, caf::reacts_to<commit_atom, std::uint64_t>,
    caf::reacts_to<deadline_atom>, caf::reacts_to<auth_timer_atom, std::uint64_t>,
    caf::reacts_to<rate_release_atom, std::uint64_t>>;

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
                   std::shared_ptr<boost::asio::ssl::context> tls,
                   std::shared_ptr<const connection_config> config, std::string id,
                   connection_owner owner);

  behavior_type make_behavior() override;

  void on_exit() override;

  // -- scheduling: on the session's I/O thread unless configured otherwise ----------

  using super::enqueue;
  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* eu) override;
  void launch(caf::execution_unit* eu, bool lazy, bool hide) override;

  // -- receiving without the mailbox (session_bridge, io-pinned only) ---------------

  /// The bridge enqueued a session event (open, data, control, end) for this actor.
  void session_event_queued() noexcept { ++queued_session_events_; }

  /// Handles data frame `message` of session `id` by a direct call, as its message would be
  /// (`read_at` as in the timestamped message, 0 for none), when that is safe: the actor is
  /// io-pinned, initialized and not quitting, no actor code is on the stack (neither its
  /// resume nor another direct call), and no session event is still waiting in the mailbox,
  /// so events keep their order (open, data..., end). Returns false and leaves `message`
  /// untouched when not. Call on the actor's I/O thread only, holding a strong reference.
  bool try_receive_direct(std::uint64_t id, ws_message& message, caf::timespan read_at);

 private:
  // -- handler_context ---------------------------------------------------------

  const std::string& connection_id() const override { return connection_id_; }
  const std::string& url() const override { return config_->url; }
  void send(ws_message message) override;
  void apply(directive decision) override;
  const reconnect_policy& reconnection() const override { return config_->reconnect; }

  // -- state machine (connection_actor.cpp) -------------------------------------

  /// Asks `on_handshake` (when set), then starts a transport session.
  void start_session();
  void open_session(std::shared_ptr<const session_options> options);
  /// The session options of `config_`, without a copy.
  std::shared_ptr<const session_options> shared_session_options() const;
  void on_open(std::string subprotocol, bool compressed);
  /// A data frame of session `id` (`read_at`: when it was read, 0 if not stamped).
  void on_session_data(std::uint64_t id, ws_message message, caf::timespan read_at);
  /// Counts a session event taken from the mailbox (see `session_event_queued`).
  void session_event_handled() noexcept {
    if (config_->run_on_io_thread) --queued_session_events_;
  }
  void on_message(ws_message message);
  /// Runs the Message behaviour on `message`, then delivers or acts.
  void handle_message(ws_message message);
  /// Hands a message to the owner, within the flow-control credit.
  void deliver(ws_message message);
  void on_control(control_kind kind, std::string payload);
  void on_end(const caf::error& cause, std::uint16_t code, std::string reason,
              std::vector<ws_message> unsent);
  /// What the Connection behaviour's `on_disconnect` decides (after the Error behaviour).
  void decide_disconnect(const disconnect_info& info);
  /// Carries out a disconnect decision; `ok` is the default policy.
  void apply_disconnect(directive decision, const disconnect_info& info);
  /// Tells the owner of accepted messages that will not be sent (`unsent_event`).
  void report_unsent(std::vector<ws_message> messages);
  void on_owner_down();
  /// Carries out an exit message: closes (politely when connected), then `finish` exits with
  /// `reason`.
  void on_exit_request(caf::error reason);
  /// The cause a stopping connection reports: `owner_gone`, the exit message's reason, or
  /// none for a requested close.
  caf::error stop_error() const;
  /// Drops the session and schedules a reconnect after `delay` (`counted`: an attempt of the
  /// reconnect policy).
  void schedule_reconnect(caf::timespan delay);
  /// Enters `closed` for good: tells the owner and every pending request, then exits.
  void finish(std::uint16_t code, std::string reason, caf::error cause);
  void fail_pending_pings(const caf::error& reason);
  /// Fails every request waiting on this session (pings, JSON-RPC) with `reason`.
  void fail_in_flight(const caf::error& reason);

  // -- sending (connection_send.cpp) --------------------------------------------

  /// `send` as the user asked it: rate limit, encoding, watermarks or the offline buffer.
  void send_user(std::string kind, ws_message message, std::function<void(caf::error)> done);
  /// Encodes (in-process Message behaviour) and sends; the synchronous core of sending.
  caf::error send_encoded(ws_message message);
  /// Sends an encoded message: to the session when ready (within the watermarks), else
  /// by the offline policy.
  caf::error send_encoded_raw(ws_message message);
  /// Writes a frame of the connection's own (restore sequence, JSON-RPC) straight to the
  /// session, skipping the offline policy: the caller knows the transport is up.
  void write_frame(ws_message message);
  void flush_offline_buffer();
  /// Asks the RateLimit behaviour whether a request of `kind` may leave; calls `go` with no
  /// error when it may (now or later, in order) and with `rate_limited` when it may not.
  void pass_rate_limit(std::string kind, std::function<void(caf::error)> go);
  /// True when the RateLimit behaviour is the connection's own bucket (the default).
  bool slot_is_local_bucket() const noexcept {
    const auto& slot = config_->behaviors.rate_limit;
    return !slot.actor() && !slot.find(rate_acquire_atom::value);
  }
  /// The token bucket's released requests at `now`.
  void release_rate_waiters(caf::actor_clock::time_point now);

  // -- JSON-RPC, auth, subscriptions, restore (connection_restore.cpp) -----------

  /// Sends a JSON-RPC request of `kind`; `done` gets the result's JSON text or the error.
  void rpc_request(std::string kind, const rpc_call& call, caf::timespan timeout,
                   std::function<void(caf::expected<std::string>)> done);
  /// Classifies an incoming text message as JSON-RPC; true when it was consumed.
  bool route_rpc(ws_message& message);
  /// Starts the restore sequence after an upgrade: on_connect → auth → subscriptions →
  /// buffered sends.
  void start_restore(const connect_info& info);
  void restore_auth();
  void restore_subscriptions();
  void restore_done();
  /// Authenticates; `done` gets no error on success (after the Error behaviour's decision on
  /// a failure, when it says to go on, `done` gets the failure).
  void authenticate(auth_reason reason, const std::function<void(caf::error)>& done);
  void on_auth_failed(caf::error err, const std::function<void(caf::error)>& done);
  /// Sends the subscribe request of subscription `id`.
  void send_subscribe(std::uint64_t id, bool restoring);
  /// A subscription was confirmed (no `err`) or became final: answers its waiters, reports a
  /// failure to the Error behaviour (when `report`), continues a restore.
  void settle_subscription(std::uint64_t id, const caf::error& err, bool report = true);
  /// Processes every deadline that passed; schedules the next one.
  void on_deadline();
  /// Fails the requests and subscriptions past their deadline.
  void expire_rpc(caf::actor_clock::time_point now);
  /// The JSON-RPC and subscription state, made on first use.
  struct rpc_state;
  rpc_state& rpc();
  /// Makes sure a `deadline_atom` arrives by `at`.
  void wake_at(caf::actor_clock::time_point at);

  // -- behaviours and telemetry (connection_behaviors.cpp) --------------------------

  /// Reports `err` (from `where`) to the Error behaviour; `go_on` runs unless the decision
  /// acts on the connection (close, stop, reconnect). The owner gets an `error_event` unless
  /// the decision is `ignore`.
  void report_error(caf::error err, std::string where, std::function<void()> go_on);
  /// A behaviour failed to answer `callback_name`: logs, reports it (`behavior:NAME`), and
  /// runs `fallback` (the callback's default) when the Error behaviour says go on.
  void behavior_failed(const char* callback_name, caf::error err, std::function<void()> fallback);
  /// True when log events of `level` reach the Logging behaviour.
  bool logs(log_level level) const noexcept { return level >= config_->log_threshold; }
  void log(log_level level, std::string event, std::uint16_t code = 0,
           caf::timespan duration = caf::timespan{0}, std::string detail = {});
  /// True when measurements are recorded at all.
  bool measures() const noexcept {
    return config_->metrics != nullptr || !config_->behaviors.metrics.is_default();
  }
  void measure(std::string_view name, double value, std::string code = {});
  /// Reports the message counters and the send queue depth to the Metrics behaviour: in
  /// batches (after `counter_batch` messages or `counter_period`, checked as messages pass)
  /// so that a message costs no sample of its own, and always when `now_or_never`.
  void report_counters(bool now_or_never);
  void measure_duration(std::string_view name, caf::timespan duration);

  /// Sends an event to the owner (see `owner_link::tell`).
  template <class... Ts>
  void tell_owner(Ts&&... xs) {
    owner_.tell(std::forward<Ts>(xs)...);
  }

  /// A behaviour actor's failed reply in wsnova's terms: CAF's request timeout becomes
  /// `timeout`, a dead actor `actor_gone`; an error the actor answered stays as it is.
  static caf::error behavior_reply_error(caf::error err);

  /// Calls the callback `atom` of the behaviour in `slot`: in-process, by request to its
  /// actor (within the slot's timeout), or `fallback(args...)` when unset. `k` gets the
  /// answer as `caf::expected`, now or when the reply arrives.
  template <class Decl, class Atom, class Fallback, class Continuation, class... Args>
  void call(const behavior_slot<Decl>& slot, Atom atom, Fallback fallback, Continuation k,
            Args... args) {
    using result = typename Decl::template callback_of<Atom>::result;
    if (const auto* handler = slot.actor()) {
      this->request(*handler, slot.timeout(), atom, args...)
          .then([k](result& answer) mutable { k(caf::expected<result>{std::move(answer)}); },
                [k](caf::error& err) mutable {
                  k(caf::expected<result>{behavior_reply_error(std::move(err))});
                });
    } else if (const auto* fn = slot.find(atom)) {
      k((*fn)(*this, args...));
    } else {
      k(caf::expected<result>{fallback(args...)});
    }
  }

  /// Calls a one-way callback (logging, metrics).
  template <class Decl, class Atom, class Fallback, class... Args>
  void notify(const behavior_slot<Decl>& slot, Atom atom, Fallback fallback, Args... args) {
    if (const auto* handler = slot.actor())
      super::send(*handler, atom, std::move(args)...);  // `send` alone is the context's
    else if (const auto* fn = slot.find(atom))
      (*fn)(*this, args...);
    else
      fallback(args...);
  }

  // -- member variables --------------------------------------------------------

  boost::asio::io_context& io_;
  /// Runs this actor on `io_` (when `config.run_on_io_thread`).
  io_pinned_unit pinned_;
  ws_url ws_url_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  /// Read-only; shared with every connection spawned from the same `shared_ptr`, and each
  /// session shares its `session` part instead of a copy (docs/benchmarks.md, idle memory).
  std::shared_ptr<const connection_config> config_;
  /// The id given at spawn, else `config_->id`, else "conn-N" (N = the actor id).
  std::string connection_id_;
  /// The state and why the connection stops; every state change goes through it.
  connection_lifecycle lifecycle_;
  /// The owner: events, monitor, transfer.
  owner_link owner_;
  /// The offline buffer and the send watermarks.
  outbound_queue outbound_;
  /// Receive credit (flow control; unlimited when `config_->flow == 0`).
  flow_window flow_;
  std::shared_ptr<session> session_;
  /// Session events in the mailbox, not yet handled (io-pinned only): data goes direct at 0.
  std::uint32_t queued_session_events_ = 0;
  /// A direct call (`try_receive_direct`) is running.
  bool receiving_direct_ = false;
  /// This actor, from start to exit (see make_behavior).
  caf::strong_actor_ptr keep_alive_;
  /// Id of the current session; events of older sessions are stale and ignored.
  std::uint64_t session_id_ = 0;
  /// Token of the pending reconnect timer.
  std::uint64_t reconnect_token_ = 0;
  std::string subprotocol_;
  bool compressed_ = false;
  /// Connected and restored: user sends go to the session (before: the offline policy).
  bool ready_ = false;
  /// The user asked to reconnect: the session closes, then the connection comes back at once.
  bool reconnect_requested_ = false;
  /// A `reconnect` directive arrived while a session existed: it is aborted, and once its end
  /// is handled like any drop (disconnected_event, unwritten frames back, requests in flight
  /// failed) the connection comes back after this delay.
  std::optional<caf::timespan> reconnect_after_;
  /// The reason of the exit message or `stop` directive being carried out
  /// (`stop_cause::exit_requested`).
  caf::error exit_reason_;
  /// The error for which the Error behaviour asked to close: the cause of that close.
  caf::error close_cause_;
  backoff backoff_;
  /// Reconnects scheduled since the connection was last up.
  std::uint32_t reconnect_attempts_ = 0;
  caf::actor_clock::time_point opened_at_;
  std::uint64_t messages_sent_ = 0;
  std::uint64_t messages_received_ = 0;
  /// What `report_counters` reported last, and when.
  struct reported_counters {
    std::uint64_t received = 0;
    std::uint64_t sent = 0;
    caf::actor_clock::time_point at;
  } reported_;
  static constexpr std::uint64_t counter_batch = 64;
  static constexpr caf::timespan counter_period = std::chrono::seconds{1};
  std::uint32_t connects_ = 0;
  std::uint64_t next_ping_ = 0;
  std::vector<caf::typed_response_promise<caf::ok_atom>> awaiting_connect_;
  std::optional<caf::typed_response_promise<caf::ok_atom>> awaiting_close_;
  struct pending_ping {
    caf::actor_clock::time_point sent_at;
    caf::typed_response_promise<caf::timespan> promise;
  };
  std::map<std::string, pending_ping> pending_pings_;

  /// JSON-RPC requests and subscriptions in flight.
  struct rpc_state {
    rpc_correlator correlator;
    std::map<std::uint64_t, std::function<void(caf::expected<std::string>)>> waiters;
    subscription_table subscriptions;
    std::map<std::uint64_t, std::vector<caf::typed_response_promise<std::uint64_t>>>
        subscription_waiters;
    /// Subscriptions being restored, not yet settled.
    std::set<std::uint64_t> restoring;
  };
  /// Made by the first use (`rpc()`): a connection that never sends a request nor
  /// subscribes holds none (docs/benchmarks.md, idle memory).
  std::unique_ptr<rpc_state> rpc_;
  /// Classify incoming text as JSON-RPC (set by the first request or subscription).
  bool rpc_active_ = false;

  // Restore sequence
  enum class restore_step : std::uint8_t { none, on_connect, auth, subscriptions };
  restore_step restore_ = restore_step::none;
  caf::actor_clock::time_point restore_started_;
  caf::actor_clock::time_point down_since_;
  bool was_down_ = false;

  // Auth
  std::string refresh_token_;
  std::uint64_t auth_timer_token_ = 0;
  bool authenticated_ = false;

  // Rate limit
  /// Only with `config.rate_limit` (a pointer: most connections have none).
  std::unique_ptr<token_bucket> bucket_;
  std::map<std::uint64_t, std::function<void(caf::error)>> rate_waiters_;

  /// The earliest pending `deadline_atom`, if one is scheduled.
  std::optional<caf::actor_clock::time_point> wake_at_;
};

}  // namespace wsnova::detail
