#pragma once

/// @file
/// JSON-RPC 2.0 correlation: request ids, deadlines, and the classification of every incoming
/// text message (response, error response, notification, not JSON-RPC, malformed). Transport
/// free and clock free: the owner passes the time in and sends the encoded text itself.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/timespan.hpp>

namespace wsnova {

/// A request ready to send.
struct rpc_outgoing {
  /// The id the response will carry.
  std::uint64_t id = 0;
  /// The encoded request, e.g. `{"jsonrpc":"2.0","id":1,"method":"ping"}`.
  std::string text;
};

/// A successful response to a request in flight.
struct rpc_result {
  /// The request's id.
  std::uint64_t id = 0;
  /// The request's method, so the caller need not keep its own table.
  std::string method;
  /// The `result` member.
  boost::json::value result;
  /// Time from `make_request` to the response.
  caf::timespan round_trip{0};
};

/// An error response (`error` member). `id` is empty when the server could not read the
/// request's id (JSON-RPC answers a parse error with `"id": null`); no request is completed
/// then, and `method` is empty.
struct rpc_error {
  /// The request's id, if the server gave one we have in flight.
  std::optional<std::uint64_t> id;
  /// The request's method (empty without an id).
  std::string method;
  /// `error.code`, e.g. -32601 (method not found).
  std::int64_t code = 0;
  /// `error.message`.
  std::string message;
  /// `error.data`; null when absent.
  boost::json::value data;
};

/// A message from the peer with a `method`: a notification (no `id`), or a request of the
/// peer to us (with an `id` to answer with).
struct rpc_notification {
  /// The method, e.g. "subscription".
  std::string method;
  /// The `params` member; null when absent.
  boost::json::value params;
  /// `params.channel` when present (a string as it is, another value as its JSON text), so the
  /// notification can be routed to the subscription of that channel.
  std::optional<std::string> channel;
  /// The peer's id when the peer asks us something; null for a notification.
  boost::json::value id;
};

/// A response (result or error) whose id is not in flight: answered after its timeout,
/// answered twice, failed at a disconnect, or never sent by us (ids we send are numbers).
struct rpc_unmatched {
  /// The id as received.
  boost::json::value id;
  /// The whole message, for logging.
  boost::json::value message;
};

/// Text that is not JSON-RPC at all (not JSON, or JSON without `"jsonrpc"`): the ordinary
/// message handling should have it.
struct rpc_passthrough {
  /// Why it is not JSON-RPC, e.g. "not JSON: syntax error".
  std::string reason;
};

/// A message claiming to be JSON-RPC 2.0 that breaks the specification; the caller reports it
/// and carries on. Never an exception.
struct rpc_malformed {
  /// What is wrong, e.g. "response has both result and error".
  std::string reason;
};

/// What an incoming text message was.
using rpc_event = std::variant<rpc_result, rpc_error, rpc_notification, rpc_unmatched,
                               rpc_passthrough, rpc_malformed>;

/// A request that ended without a response: timed out or failed at a disconnect.
struct rpc_failure {
  /// The request's id.
  std::uint64_t id = 0;
  /// The request's method.
  std::string method;
  /// `errc::timeout` (by `expire`) or the disconnect's reason (by `fail_all`); the detail
  /// names the method and the id.
  caf::error error;
};

/// Correlates JSON-RPC 2.0 requests with their responses on one connection. Ids are numbers
/// counting up from 1, unique for the correlator's life (also across reconnects), so a late
/// response can never be mistaken for the answer to a newer request. Requests in flight at a
/// disconnect are failed at once by `fail_all` and never sent again: whether the server saw
/// them is unknown, and only the user can decide to repeat one.
///
/// Not thread-safe: one per connection, inside its actor.
class rpc_correlator {
 public:
  /// The clock all times refer to; the same as CAF's actor clock.
  using clock = std::chrono::steady_clock;
  /// A point in time on `clock`.
  using time_point = clock::time_point;

  /// Encodes a request for `method` with `params` (an object, an array, or null for none) and
  /// puts it in flight with the deadline `now + timeout`. Errors: `invalid_argument` for an
  /// empty method or params that are neither object, array nor null (JSON-RPC 2.0 section 4.2).
  caf::expected<rpc_outgoing> make_request(std::string_view method, boost::json::value params,
                                           caf::timespan timeout, time_point now);

  /// Classifies one incoming text message received at `now`. A response or error response to a
  /// request in flight completes it. Never throws on bad input: that is `rpc_malformed` or
  /// `rpc_passthrough`. A batch (JSON array) of JSON-RPC messages is `rpc_malformed`: this
  /// correlator never sends batches.
  rpc_event on_message(std::string_view text, time_point now);

  /// Removes and returns the requests whose deadline is at or before `now`, earliest first,
  /// each with `errc::timeout`.
  std::vector<rpc_failure> expire(time_point now);

  /// Removes and returns every request in flight, oldest first, each failed with `reason`'s
  /// code (`connection_lost` when `reason` is not a wsnova error) and a detail naming the
  /// method, the id and the reason. Used at a disconnect.
  std::vector<rpc_failure> fail_all(const caf::error& reason);

  /// The earliest deadline in flight; empty when nothing is. The owner sets its timer to this.
  std::optional<time_point> next_deadline() const;

  /// Requests in flight.
  std::size_t in_flight() const noexcept { return pending_.size(); }

  /// True if the request `id` is in flight.
  bool has(std::uint64_t id) const { return pending_.count(id) != 0; }

 private:
  /// A request in flight.
  struct pending {
    std::string method;
    time_point sent_at;
    time_point deadline;
  };

  /// Removes request `id` and returns it; empty if it is not in flight.
  std::optional<pending> take(std::uint64_t id);

  std::uint64_t next_id_ = 1;
  /// Requests in flight by id (ids increase, so this is also the order they were made).
  std::map<std::uint64_t, pending> pending_;
  /// (deadline, id) of each request in flight, earliest first.
  std::set<std::pair<time_point, std::uint64_t>> deadlines_;
};

}  // namespace wsnova
