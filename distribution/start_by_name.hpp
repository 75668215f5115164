#pragma once

/// @file
/// OTP's `{M, F, A}` for wsnova: a start function registered under a name on every node, and
/// a child spec start that runs it, with serialisable arguments, on the node a placement
/// picks. CAF does the work: names are CAF actor factories (`add_actor_factory`), a remote
/// start is the middleman's `spawn` request to that node's spawn server over BASP, and the
/// supervisor monitors the remote child's proxy like any local child.
///
/// ```cpp
/// // every node, before its actor system is built:
/// wsnova::add_start_function(cfg, "feed", wsnova::start_with(
///     [](caf::actor_system& sys, const caf::message& args) { ... return handle; }));
/// // the supervisor's node:
/// wsnova::placement where{.nodes = {{"10.0.0.2", 4242}, {"10.0.0.3", 4242}}};
/// auto start = wsnova::start_by_name(sys, "feed", caf::make_message(std::string{"BTC"}), where);
/// if (!start) ... // unknown name, an argument that cannot cross nodes, a bad placement
/// wsnova::child_spec spec{.id = "feed-btc", .start = *start};
/// ```

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>
#include <caf/timespan.hpp>

#include <wsnova/distribution/node.hpp>
#include <wsnova/supervision/child_spec.hpp>

namespace wsnova {

/// Registers `start` under `name` in `cfg`, so a supervisor on any node can start it here by
/// name (`start_by_name`). Register the same names on every node that may run the child.
///
/// A child started here for a supervisor on another node is stopped (exit reason
/// `user_shutdown`) when that node becomes unreachable: as a child linked to its supervisor
/// in OTP, it does not outlive the tree that would restart it elsewhere, so a partition that
/// heals leaves one instance, not two. A start that fails or answers `ignore` reaches the
/// remote supervisor as a failed start (CAF's spawn server carries no reason).
void add_start_function(caf::actor_system_config& cfg, std::string name, start_function start);

/// Where a child started by name runs, tried in order at every start and restart.
struct placement {
  /// How the order of candidate nodes is chosen.
  enum class rule : std::uint8_t {
    /// Always `nodes` in the order given: the first node runs the child whenever it is up,
    /// so after a failover the next restart goes back to it ("same node when it is back").
    in_order,
    /// The node that ran the last instance first (if any), then `nodes` in order: a child
    /// stays where it failed over to until that node fails too.
    sticky,
  };

  /// The candidates; a default `node_address{}` (empty host) is this node. Must not be empty.
  std::vector<node_address> nodes;
  /// The rule. Default `in_order`.
  rule how = rule::in_order;
  /// Your own order instead of `how`: gets `nodes` and the node of the last instance (none
  /// before the first start) and returns the nodes to try, in order.
  std::function<std::vector<node_address>(const std::vector<node_address>& nodes,
                                          const std::optional<node_address>& last)>
      order;
  /// Deadline to reach a node (TCP connect and BASP handshake; at once when already
  /// connected). Must be positive.
  caf::timespan connect_timeout = std::chrono::seconds{1};
  /// Deadline for the node to answer the spawn. Must be positive.
  caf::timespan spawn_timeout = std::chrono::seconds{2};

  /// Returns a placement that always starts on this node.
  static placement local() {
    placement result;
    result.nodes = {node_address{}};
    return result;
  }
};

/// Returns a start function that starts the function registered as `name` with `args`
/// (for simple_one_for_one children followed by the arguments of `start_child`) on the
/// first node of `where` that answers, and records which node that was.
///
/// Checked at the door: fails with `sup_errc::invalid_start` (detail "start: ...") when
/// `name` is not registered on this node (every node registers the same names, so a typo
/// shows here), when an argument's type has no name CAF can send to another node (announce
/// it with `cfg.add_message_type<T>(name)`), when the distribution is not enabled and a
/// node is remote, or when `where` has no nodes, a remote node without port or a timeout
/// that is not positive.
///
/// The start runs inside the supervisor, as OTP's does: it blocks the supervisor for at
/// most `connect_timeout + spawn_timeout` per node it tries. A start that reached no node
/// fails with `sup_errc::start_failed` naming every node and why; the supervisor then
/// retries it by its restart intensity and backoff.
caf::expected<start_function> start_by_name(caf::actor_system& system, std::string name,
                                            caf::message args, placement where);

}  // namespace wsnova
