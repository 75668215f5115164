#include <wsnova/distribution/start_by_name.hpp>

#include <exception>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/spawn_options.hpp>
#include <caf/system_messages.hpp>

#include <wsnova/core/atoms.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/core/supervision_errc.hpp>

namespace wsnova {

namespace {

// Runs beside a child started here for a supervisor on another node: when that node's agent
// goes down (the node died, or the link timed out in a partition), the child stops too.
caf::behavior guard_child(caf::event_based_actor* self, const caf::actor& origin,
                          const caf::actor& child) {
  self->monitor(origin);
  self->monitor(child);
  auto origin_addr = origin.address();
  auto child_addr = child.address();
  self->set_down_handler([self, origin_addr, child_addr](const caf::down_msg& down) {
    if (down.source == origin_addr) self->send_exit(child_addr, caf::exit_reason::user_shutdown);
    self->quit();
  });
  // A behaviour with no handler would end the actor at once; this one only waits.
  return {[](caf::ok_atom) {}};
}

caf::error invalid_start(const std::string& name, const std::string& what) {
  return make_error(sup_errc::invalid_start, "start: '" + name + "': " + what);
}

class named_start {
 public:
  std::string name;
  caf::message args;
  placement where;
  caf::actor origin;  // this node's agent, watched by the node that runs the child

  std::vector<node_address> candidates() const {
    auto previous = last_node();
    if (where.order) return where.order(where.nodes, previous);
    if (where.how != placement::rule::sticky || !previous) return where.nodes;
    std::vector<node_address> result{*previous};
    for (const auto& node : where.nodes)
      if (!(node == *previous)) result.push_back(node);
    return result;
  }

  std::optional<node_address> last_node() const {
    std::lock_guard<std::mutex> guard{mtx};
    return last;
  }

  void ran_on(const node_address& node) {
    std::lock_guard<std::mutex> guard{mtx};
    last = node;
  }

 private:
  // A copied child spec shares its start function, so supervisors may share this state.
  mutable std::mutex mtx;
  std::optional<node_address> last;
};

caf::expected<caf::actor> start_here(caf::actor_system& system, const std::string& name,
                                     caf::message wrapped) {
  // The factory needs an execution unit to find the actor system; outside an actor's
  // handler the system's dummy unit serves.
  return system.spawn<caf::actor>(name, std::move(wrapped), system.dummy_execution_unit(), false);
}

// CAF 0.17's middleman opens a connection with a blocking connect(2) on its own thread: a
// host that is down without answering (no RST) would hold it for the kernel's SYN retries,
// about two minutes, and every later connect, to any node, would wait behind it. A TCP probe
// with a deadline keeps such a node away from the middleman. It costs one short-lived TCP
// connection to the node's port per start, which BASP closes without a handshake.
caf::error probe(const node_address& node, caf::timespan timeout) {
  boost::asio::io_context context;
  boost::asio::ip::tcp::resolver resolver{context};
  boost::asio::ip::tcp::socket socket{context};
  boost::system::error_code result = boost::asio::error::timed_out;
  resolver.async_resolve(node.host, std::to_string(node.port),
                         [&](const boost::system::error_code& ec,
                             const boost::asio::ip::tcp::resolver::results_type& endpoints) {
                           if (ec) {
                             result = ec;
                             return;
                           }
                           boost::asio::async_connect(
                               socket, endpoints,
                               [&](const boost::system::error_code& connect_ec,
                                   const boost::asio::ip::tcp::endpoint&) { result = connect_ec; });
                         });
  context.run_for(timeout);
  if (!result) return caf::none;
  if (result == boost::asio::error::timed_out)
    return make_error(errc::timeout, "no TCP answer within the connect timeout");
  return make_error(errc::connect_refused, result.message());
}

// Blocking, bounded by the placement's deadlines: a supervisor's start is synchronous, as
// OTP's is. A scoped actor per call, so a late answer lands in a mailbox that is gone.
caf::expected<caf::actor> start_on(caf::actor_system& system, const node_address& node,
                                   const named_start& start, const caf::message& wrapped) {
  if (auto err = probe(node, start.where.connect_timeout)) return err;
  auto middleman = system.middleman().actor_handle();
  caf::scoped_actor self{system, true};
  caf::error failure;
  caf::node_id target;
  self->request(middleman, start.where.connect_timeout, caf::connect_atom::value, node.host,
                node.port)
      .receive([&](caf::node_id& nid, caf::strong_actor_ptr&,
                   std::set<std::string>&) { target = std::move(nid); },
               [&](caf::error& err) { failure = std::move(err); });
  if (failure) return failure;
  if (!target) return make_error(errc::not_allowed, "node answered without a node id");
  caf::actor child;
  self->request(middleman, start.where.spawn_timeout, caf::spawn_atom::value, target, start.name,
                wrapped, std::set<std::string>{})
      .receive([&](caf::strong_actor_ptr& ptr) { child = caf::actor_cast<caf::actor>(ptr); },
               [&](caf::error& err) { failure = std::move(err); });
  if (failure) return failure;
  if (!child) return make_error(sup_errc::start_failed, "the node started no actor");
  return child;
}

}  // namespace

void add_start_function(caf::actor_system_config& cfg, std::string name, start_function start) {
  cfg.add_actor_factory(std::move(name),
                        [start = std::move(start)](caf::actor_config& actor_cfg,
                                                   caf::message& msg) -> caf::actor_factory_result {
                          if (actor_cfg.host == nullptr) return {};
                          auto& system = actor_cfg.host->system();
                          caf::actor origin;
                          caf::message args = msg;
                          if (msg.match_elements<named_start_atom, caf::actor, caf::message>()) {
                            origin = msg.get_as<caf::actor>(1);
                            args = msg.get_as<caf::message>(2);
                          }
                          start_result started;
                          try {
                            started = start(system, args);
                          } catch (const std::exception&) {
                            return {};
                          }
                          if (!started.started()) return {};
                          if (origin && origin.node() != system.node())
                            system.spawn<caf::hidden>(guard_child, origin, started.handle());
                          return {caf::actor_cast<caf::strong_actor_ptr>(started.handle()), {}};
                        });
}

caf::expected<start_function> start_by_name(caf::actor_system& system, std::string name,
                                            caf::message args, placement where) {
  if (name.empty()) return invalid_start(name, "empty name");
  if (system.config().actor_factories.count(name) == 0)
    return invalid_start(name,
                         "no start function of that name on this node "
                         "(add_start_function on every node)");
  // CAF answers its default name ("???"), not an empty one, for a type nobody announced.
  for (std::size_t i = 0; i < args.size(); ++i)
    if (const auto& type_name = system.types().portable_name(args.type(i));
        type_name.empty() || type_name == system.types().default_type_name())
      return invalid_start(name, "argument " + std::to_string(i) +
                                     " has a type CAF cannot send to another node "
                                     "(announce it with cfg.add_message_type<T>(name))");
  if (where.nodes.empty()) return invalid_start(name, "placement has no nodes");
  bool any_remote = false;
  for (const auto& node : where.nodes) {
    if (node.is_local()) continue;
    any_remote = true;
    if (node.port == 0) return invalid_start(name, "node " + node.host + " has no port");
  }
  if (where.connect_timeout.count() <= 0 || where.spawn_timeout.count() <= 0)
    return invalid_start(name, "placement timeouts must be positive");
  auto origin = node_agent(system);
  if (any_remote && (!system.has_middleman() || !origin))
    return invalid_start(name, "remote nodes need enable_distribution(cfg)");
  auto state = std::make_shared<named_start>();
  state->name = std::move(name);
  state->args = std::move(args);
  state->where = std::move(where);
  state->origin = std::move(origin);
  return start_function{[state](caf::actor_system& sys, const caf::message& extra) -> start_result {
    auto wrapped = caf::make_message(named_start_atom::value, state->origin,
                                     extra.empty() ? state->args : state->args + extra);
    std::string failures;
    for (const auto& node : state->candidates()) {
      auto child = node.is_local() ? start_here(sys, state->name, wrapped)
                                   : start_on(sys, node, *state, wrapped);
      if (child) {
        state->ran_on(node);
        return start_result{std::move(*child)};
      }
      if (!failures.empty()) failures += "; ";
      failures += to_string(node) + ": " + describe(child.error());
    }
    return start_result{make_error(sup_errc::start_failed,
                                   "'" + state->name + "' started on no node (" + failures + ")")};
  }};
}

}  // namespace wsnova
