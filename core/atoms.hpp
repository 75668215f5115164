#pragma once

/// @file
/// The message tags of wsnova's actor interfaces, in one table. CAF 0.17 atoms are plain
/// strings of at most 10 characters, global to the actor system: two interfaces that picked
/// the same string would accept each other's messages, so every tag is declared here, where
/// a clash shows. Tags private to one actor's implementation stay next to it (`detail/`).

#include <caf/atom.hpp>

namespace wsnova {

// -- connection (actors/connection.hpp) ----------------------------------------

/// Request: wait until the connection is up.
using connect_atom = caf::atom_constant<caf::atom("connect")>;
/// Request: send a message.
using send_atom = caf::atom_constant<caf::atom("send")>;
/// Request: ping the peer and measure the round trip.
using ping_atom = caf::atom_constant<caf::atom("ping")>;
/// Request: report the connection's state.
using status_atom = caf::atom_constant<caf::atom("status")>;
/// Request: close the connection for good.
using close_atom = caf::atom_constant<caf::atom("close")>;
/// Request: hand the connection's events to another owner.
using transfer_atom = caf::atom_constant<caf::atom("transfer")>;
/// Message: grant the connection credit to deliver more messages (flow control).
using flow_atom = caf::atom_constant<caf::atom("flow")>;
/// Request: send a JSON text message (checked to be JSON first).
using send_json_atom = caf::atom_constant<caf::atom("send_json")>;
/// Request: a JSON-RPC 2.0 request, answered with its result.
using request_atom = caf::atom_constant<caf::atom("request")>;
/// Request: subscribe to a channel (kept across reconnects).
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
/// Request: end a subscription.
using unsubscribe_atom = caf::atom_constant<caf::atom("unsubscrib")>;
/// Request: authenticate now (also done on every connect when an Auth behaviour is set).
using authenticate_atom = caf::atom_constant<caf::atom("authentic")>;
/// Request: drop the transport and connect again at once.
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;

// -- transport session -> connection actor (actors/detail/session_bridge.hpp) --

/// Session → actor: the upgrade succeeded. Payload: `(session_id, subprotocol, compressed)`.
using session_open_atom = caf::atom_constant<caf::atom("ws_open")>;
/// Session → actor: a data message arrived. Payload: `(session_id, ws_message)`.
using session_data_atom = caf::atom_constant<caf::atom("ws_data")>;
/// Session → actor: a control frame arrived. Payload: `(session_id, control_kind, payload)`.
using session_control_atom = caf::atom_constant<caf::atom("ws_ctrl")>;
/// Session → actor: the session ended, exactly once, after which it sends nothing more.
/// Payload: `(session_id, caf::error cause, close code, close reason,
/// std::vector<ws_message> unsent)`. The cause is empty when the close was ours and
/// completed cleanly; `unsent` holds the messages sent but never written, oldest first.
using session_end_atom = caf::atom_constant<caf::atom("ws_end")>;

// -- registry (actors/registry.hpp) --------------------------------------------

/// Registry request: bind an id to an actor (replacing what it was bound to).
using register_atom = caf::atom_constant<caf::atom("register")>;
/// Registry request: resolve an id.
using lookup_atom = caf::atom_constant<caf::atom("lookup")>;
/// Registry request: be told of every change of an id.
using follow_atom = caf::atom_constant<caf::atom("follow")>;
/// Registry request: stop being told.
using unfollow_atom = caf::atom_constant<caf::atom("unfollow")>;
/// Registry request: list every live binding.
using list_atom = caf::atom_constant<caf::atom("list")>;

// -- behaviour actors (behaviors/) ---------------------------------------------

/// Connection behaviour: `on_handshake`, before every (re)connect.
using on_handshk_atom = caf::atom_constant<caf::atom("on_handshk")>;

/// Connection behaviour: `on_connect`.
using on_connect_atom = caf::atom_constant<caf::atom("on_connect")>;
/// Connection behaviour: `on_disconnect`.
using on_disconn_atom = caf::atom_constant<caf::atom("on_disconn")>;
/// Connection behaviour: `on_control_frame`.
using on_control_atom = caf::atom_constant<caf::atom("on_control")>;
/// Message behaviour: a received message.
using handle_msg_atom = caf::atom_constant<caf::atom("handle_msg")>;
/// Message behaviour: encode an outgoing message.
using encode_atom = caf::atom_constant<caf::atom("encode")>;
/// Error behaviour: an error and where it happened.
using on_error_atom = caf::atom_constant<caf::atom("on_error")>;
/// Auth behaviour: build the authentication request.
using auth_req_atom = caf::atom_constant<caf::atom("auth_req")>;
/// Auth behaviour: read the authentication result.
using auth_res_atom = caf::atom_constant<caf::atom("auth_res")>;
/// Subscription behaviour: build a subscribe request.
using sub_req_atom = caf::atom_constant<caf::atom("sub_req")>;
/// Subscription behaviour: build an unsubscribe request.
using unsub_req_atom = caf::atom_constant<caf::atom("unsub_req")>;
/// Subscription behaviour: a notification of a subscribed channel arrived.
using notify_atom = caf::atom_constant<caf::atom("on_notify")>;
/// Logging behaviour: one structured log event.
using log_atom = caf::atom_constant<caf::atom("log")>;
/// Metrics behaviour: one measurement.
using metric_atom = caf::atom_constant<caf::atom("metric")>;

// -- supervisor (supervision/supervisor_actor.hpp) -----------------------------

/// Tags `start_child`.
using start_child_atom = caf::atom_constant<caf::atom("sv_start")>;
/// Tags `terminate_child`.
using terminate_child_atom = caf::atom_constant<caf::atom("sv_term")>;
/// Tags `restart_child`.
using restart_child_atom = caf::atom_constant<caf::atom("sv_restart")>;
/// Tags `delete_child`.
using delete_child_atom = caf::atom_constant<caf::atom("sv_delete")>;
/// Tags `which_children`.
using which_children_atom = caf::atom_constant<caf::atom("sv_which")>;
/// Tags `count_children`.
using count_children_atom = caf::atom_constant<caf::atom("sv_count")>;
/// Tags `get_childspec`.
using get_childspec_atom = caf::atom_constant<caf::atom("sv_spec")>;
/// Tags `adopt`.
using adopt_atom = caf::atom_constant<caf::atom("sv_adopt")>;
/// Tags `release`.
using release_atom = caf::atom_constant<caf::atom("sv_release")>;
/// Tags the change notification sent to `supervisor_flags::observer`.
using child_atom = caf::atom_constant<caf::atom("sv_child")>;

// -- shared rate limit (behaviors/shared_rate_limit.hpp) ----------------------

/// Asks the shared bucket for tokens: `(rate_acquire_atom, cost)` or `(rate_acquire_atom, kind)`.
using rate_acquire_atom = caf::atom_constant<caf::atom("rl_acquire")>;
/// Sent by the shared bucket to a requester whose queued request may now leave:
/// `(rate_release_atom, ticket)`.
using rate_release_atom = caf::atom_constant<caf::atom("rl_release")>;
/// The shared bucket's own timer message; part of the interface only because a typed actor
/// can receive nothing else. Sending it early does no harm: nothing leaves before its tokens.
using rate_tick_atom = caf::atom_constant<caf::atom("rl_tick")>;
/// Asks the shared bucket for its tokens now and the number of requests waiting.
using rate_status_atom = caf::atom_constant<caf::atom("rl_status")>;

// -- distribution (distribution/) ----------------------------------------------

/// Tags the message a supervisor's named start sends to a node's spawn server:
/// `(named_start_atom, origin node agent, args)`, so the start function on that node knows
/// which node to watch (distribution/start_by_name.hpp).
using named_start_atom = caf::atom_constant<caf::atom("wsn_start")>;
/// The name under which a node's agent sits in its actor system's registry
/// (distribution/node.hpp).
constexpr caf::atom_value node_agent_name = caf::atom("wsn_node");

}  // namespace wsnova
