#pragma once

/// @file
/// A wsnova node: an actor system that other nodes reach over CAF's BASP (`caf::io`), with
/// liveness checks on, and an agent other nodes watch to learn that this one is gone.
///
/// ```cpp
/// caf::actor_system_config cfg;
/// cfg.load<wsnova::io_module>();
/// wsnova::enable_distribution(cfg);                 // caf::io + heartbeats + the agent
/// wsnova::add_start_function(cfg, "feed", start_feed); // same name on every node
/// caf::actor_system sys{cfg};
/// auto port = wsnova::open_node(sys, 4242);          // other nodes connect here
/// ```

#include <chrono>
#include <cstdint>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

namespace wsnova {

/// Where a node listens for other nodes: the host and port `open_node` bound.
struct node_address {
  /// Host name or IP address. Empty means this node (no network hop).
  std::string host;
  /// The node's BASP port.
  std::uint16_t port = 0;

  /// Returns whether this names the local node.
  bool is_local() const noexcept { return host.empty(); }

  /// Member-wise equality.
  friend bool operator==(const node_address&, const node_address&) = default;
};

/// Returns "host:port", or "local" for the local node.
std::string to_string(const node_address& x);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_address& x) {
  return f(caf::meta::type_name("wsnova.node_address"), x.host, x.port);
}

/// How fast a node notices that another one is gone. CAF 0.17 sends no BASP heartbeats
/// and never times a connection out unless told; a peer that died without closing its
/// sockets (power loss, a partition) would otherwise stay "connected" for as long as TCP
/// takes to give up (minutes to hours).
struct distribution_options {
  /// `middleman.heartbeat-interval`: how often BASP sends a heartbeat on every link.
  caf::timespan heartbeat_interval = std::chrono::milliseconds{200};
  /// `middleman.connection-timeout`: a link that carried nothing (heartbeats included) for
  /// this long is closed; every proxy of that node then dies with
  /// `exit_reason::remote_link_unreachable`, so monitors (supervisors) see a down message.
  /// The default notices a partition in about 1.2 s (docs/distribution.md); lower it for
  /// faster failover, raise it where a node may stall longer than that without being dead.
  caf::timespan connection_timeout = std::chrono::seconds{1};
};

/// Makes `cfg` a distributed node: loads `caf::io::middleman` and wsnova's distribution
/// module (the node agent), and sets the BASP heartbeat and connection timeout from
/// `options` unless the program set them already (a config file or command line parsed
/// later overrides them too). Call before the actor system is built.
void enable_distribution(caf::actor_system_config& cfg, const distribution_options& options = {});

/// Publishes this node's agent on `port` (0: any free port) at `address`, so other nodes can
/// connect here and start children by name. Returns the bound port. Errors: the
/// distribution is not enabled (`errc::not_allowed`), or CAF's error when the port is taken.
caf::expected<std::uint16_t> open_node(caf::actor_system& system, std::uint16_t port,
                                       const std::string& address = "127.0.0.1");

/// Returns this node's agent (invalid when `enable_distribution` was not called). Other
/// nodes monitor it: its down message says the node is gone or unreachable.
caf::actor node_agent(caf::actor_system& system);

}  // namespace wsnova
