// wsnova-node: one node of a supervision tree that spans processes or hosts (docs/distribution.md).
//
//   wsnova-node [--port P] [--host H]                 a worker node: runs children for others
//   wsnova-node --tree --peers H:P[,H:P...] [--feeds N] [--rule in_order|sticky] [--url URL]
//               [--observer-port P]                   the tree node: supervisor and owner
//
// Every node registers the start function "feed" (a WebSocket connection whose owner is given
// in the arguments) and listens for other nodes on P (0: any free port). The tree node runs an
// echo server (unless --url names one), an owner that prints every connection event, and a
// one_for_one supervisor whose N children "feed-1".."feed-N" start by name on the first peer
// that answers, in the order given: kill the first peer and its feeds come back on the next.
// With --observer-port the tree node also serves the observer (docs/observer.md) on
// 127.0.0.1:P (0: any free port): the tree with the node each feed runs on, live.
//
// Output, one line per fact, each prefixed with the steady clock in microseconds (the same
// clock in every process on a host, so a test can time a failover across processes):
//   T node port=P pid=PID                       this node listens
//   T observer http://127.0.0.1:P/              the observer's page (with --observer-port)
//   T child ID pid=PID | T child ID down        the supervisor (re)started a child there, or lost
//   it T event connected|disconnected|closed ID pid=PID T feed started|stopped ID a worker node's
//   own view of its feeds
// Commands on stdin: `quit` (or the end of input) stops the node; on the tree node,
// `stream ID N` asks feed ID's server to stream the numbers 1..N (printed as one line
// `T stream ID N in order` or `... out of order`).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include <caf/all.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/actors/io_module.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/distribution/node.hpp>
#include <wsnova/distribution/start_by_name.hpp>
#include <wsnova/observer/observer.hpp>
#include <wsnova/supervision/supervisor.hpp>
#include <wsnova/testing/echo_server.hpp>

using namespace wsnova;

namespace {

/// Prints whole lines from any thread, each stamped with the steady clock.
class line_printer {
 public:
  void operator()(const std::string& line) {
    auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count();
    std::lock_guard<std::mutex> guard{mtx_};
    std::cout << now << ' ' << line << std::endl;
  }

 private:
  std::mutex mtx_;
};

using printer_ptr = std::shared_ptr<line_printer>;

/// Returns the process id of a node (CAF writes a node id as "HOST-HASH#PID").
std::string pid_of(const caf::node_id& node) {
  auto text = caf::to_string(node);
  auto hash = text.rfind('#');
  return hash == std::string::npos ? text : text.substr(hash + 1);
}

std::string pid_of(const caf::actor& handle) { return handle ? pid_of(handle.node()) : "none"; }

/// The start function every node registers: a connection to args(0) with id args(1),
/// owned by args(2) (an actor on any node).
start_function feed_start(printer_ptr print) {
  return [print](caf::actor_system& sys, const caf::message& args) -> start_result {
    if (!args.match_elements<std::string, std::string, caf::actor>())
      return make_error(errc::not_allowed, "feed: expected (url, id, owner)");
    connection_config conf;
    conf.url = args.get_as<std::string>(0);
    conf.id = args.get_as<std::string>(1);
    auto conn = spawn_connection(sys, conf, unchecked_owner(args.get_as<caf::actor>(2)));
    if (!conn) return conn.error();
    (*print)("feed started " + conf.id);
    (*conn)->attach_functor([print, id = conf.id] { (*print)("feed stopped " + id); });
    return caf::actor_cast<caf::actor>(*conn);
  };
}

/// Checks the numbers of a `!stream N` as they arrive and prints one verdict at the end.
struct stream_check {
  std::string id;
  std::uint32_t expected = 0;
  std::uint32_t next = 1;
  bool in_order = true;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_check& x) {
  return f(x.id, x.expected, x.next, x.in_order);
}

/// The tree's owner: prints connection events with the node they came from.
caf::behavior printing_owner(caf::stateful_actor<std::optional<stream_check>>* self,
                             printer_ptr print) {
  auto from = [self] { return pid_of(caf::actor_cast<caf::actor>(self->current_sender())); };
  return {
      [=](connected_event& ev) { (*print)("event connected " + ev.id + " pid=" + from()); },
      [=](disconnected_event& ev) { (*print)("event disconnected " + ev.id + " pid=" + from()); },
      [=](closed_event& ev) { (*print)("event closed " + ev.id + " pid=" + from()); },
      [=](message_event& ev) {
        auto& check = self->state;
        if (!check || check->id != ev.id) return;
        if (ev.message.payload != std::to_string(check->next)) check->in_order = false;
        if (check->next++ == check->expected) {
          (*print)("stream " + ev.id + " " + std::to_string(check->expected) +
                   (check->in_order ? " in order" : " out of order"));
          check.reset();
        }
      },
      [=](stream_check& check) { self->state = std::move(check); },
      [](reconnecting_event&) {},
      [](reconnected_event&) {},
      [](ownership_event&) {},
      [](unsent_event&) {},
      [](error_event&) {},
  };
}

std::optional<node_address> parse_peer(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  try {
    auto port = std::stoul(text.substr(colon + 1));
    if (port == 0 || port > 65535) return std::nullopt;
    return node_address{text.substr(0, colon), static_cast<std::uint16_t>(port)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

struct options {
  std::uint16_t port = 0;
  std::string host = "127.0.0.1";
  bool tree = false;
  std::vector<node_address> peers;
  int feeds = 1;
  placement::rule rule = placement::rule::in_order;
  std::string url;
  std::optional<std::uint16_t> observer_port;
};

std::optional<options> parse(int argc, char** argv) {
  namespace po = boost::program_options;
  options opts;
  std::string peers;
  std::string rule = "in_order";
  int observer_port = -1;
  po::options_description desc{"wsnova-node options"};
  desc.add_options()("help", "this text")("port", po::value(&opts.port), "BASP port (0: any)")(
      "host", po::value(&opts.host), "address to listen on")("tree", po::bool_switch(&opts.tree),
                                                             "run the supervisor and owner")(
      "peers", po::value(&peers), "worker nodes HOST:PORT,... in placement order")(
      "feeds", po::value(&opts.feeds), "number of feed children")(
      "rule", po::value(&rule), "in_order or sticky")("observer-port", po::value(&observer_port),
                                                      "serve the observer on 127.0.0.1 (0: any)")(
      "url", po::value(&opts.url), "WebSocket server (default: embedded)");
  po::variables_map vars;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vars);
    po::notify(vars);
  } catch (const std::exception& ex) {
    std::cerr << "wsnova-node: " << ex.what() << '\n';
    return std::nullopt;
  }
  if (vars.count("help")) {
    std::cout << desc;
    std::exit(EXIT_SUCCESS);
  }
  std::istringstream list{peers};
  for (std::string item; std::getline(list, item, ',');) {
    auto peer = parse_peer(item);
    if (!peer) {
      std::cerr << "wsnova-node: bad peer '" << item << "' (want HOST:PORT)\n";
      return std::nullopt;
    }
    opts.peers.push_back(*peer);
  }
  if (rule == "sticky")
    opts.rule = placement::rule::sticky;
  else if (rule != "in_order") {
    std::cerr << "wsnova-node: --rule must be in_order or sticky\n";
    return std::nullopt;
  }
  if (observer_port > 65535) {
    std::cerr << "wsnova-node: --observer-port must be at most 65535\n";
    return std::nullopt;
  }
  if (observer_port >= 0) opts.observer_port = static_cast<std::uint16_t>(observer_port);
  if (opts.tree && opts.peers.empty()) {
    std::cerr << "wsnova-node: --tree needs --peers\n";
    return std::nullopt;
  }
  return opts;
}

/// The tree: a supervisor whose feeds start by name on the peers; returns it or prints why not.
caf::expected<supervisor_actor> start_tree(caf::actor_system& sys, const options& opts,
                                           const std::string& url, const caf::actor& owner,
                                           const printer_ptr& print) {
  placement where;
  where.nodes = opts.peers;
  where.how = opts.rule;
  where.connect_timeout = std::chrono::milliseconds{500};
  std::vector<child_spec> specs;
  for (int n = 1; n <= opts.feeds; ++n) {
    auto id = "feed-" + std::to_string(n);
    auto start = start_by_name(sys, "feed", caf::make_message(url, id, owner), where);
    if (!start) return start.error();
    child_spec spec;
    spec.id = id;
    spec.start = std::move(*start);
    specs.push_back(std::move(spec));
  }
  supervisor_flags flags;
  flags.intensity = 100;
  flags.period = std::chrono::seconds{10};
  flags.on_child_change = [print](const std::string& id, const caf::actor& handle) {
    (*print)("child " + id + (handle ? " pid=" + pid_of(handle) : std::string{" down"}));
  };
  return spawn_supervisor(sys, flags, specs);
}

}  // namespace

int main(int argc, char** argv) {
  auto opts = parse(argc, argv);
  if (!opts) return EXIT_FAILURE;
  auto print = std::make_shared<line_printer>();
  caf::actor_system_config cfg;
  cfg.load<io_module>();
  enable_distribution(cfg);
  add_start_function(cfg, "feed", feed_start(print));
  caf::actor_system sys{cfg};
  auto port = open_node(sys, opts->port, opts->host);
  if (!port) {
    std::cerr << "wsnova-node: cannot listen: " << describe(port.error()) << '\n';
    return EXIT_FAILURE;
  }
  (*print)("node port=" + std::to_string(*port) + " pid=" + pid_of(sys.node()));

  std::optional<test::echo_server> server;
  caf::actor owner;
  supervisor_actor tree;
  if (opts->tree) {
    auto url = opts->url.empty() ? server.emplace().url() : opts->url;
    owner = sys.spawn(printing_owner, print);
    auto sup = start_tree(sys, *opts, url, owner, print);
    if (!sup) {
      std::cerr << "wsnova-node: cannot start the tree: " << describe(sup.error()) << '\n';
      caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
      return EXIT_FAILURE;
    }
    tree = *sup;
  }
  std::optional<observer_handle> observer;
  if (opts->tree && opts->observer_port) {
    observer_options observe;
    observe.port = *opts->observer_port;
    observe.roots = {{"tree", tree}};
    auto started = start_observer(sys, observe);
    if (!started) {
      std::cerr << "wsnova-node: cannot start the observer: " << describe(started.error()) << '\n';
      caf::anon_send_exit(tree, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
      return EXIT_FAILURE;
    }
    (*print)("observer " + started->url());
    observer.emplace(std::move(*started));
  }
  for (std::string line; std::getline(std::cin, line) && line != "quit";) {
    std::istringstream words{line};
    std::string command, id;
    std::uint32_t count = 0;
    words >> command >> id >> count;
    if (command == "stream" && owner && count > 0) {
      caf::anon_send(owner, stream_check{id, count});
      // The feed is found through the supervisor, wherever it runs.
      caf::scoped_actor self{sys};
      self->request(tree, std::chrono::seconds{5}, which_children_atom::value)
          .receive(
              [&](std::vector<child_info>& children) {
                for (auto& child : children)
                  if (child.id == id && child.handle)
                    self->send(child.handle, send_atom::value,
                               ws_message{message_kind::text, "!stream " + std::to_string(count)});
              },
              [&](caf::error& err) { (*print)("error which_children: " + describe(err)); });
    } else if (!command.empty()) {
      (*print)("error unknown command: " + line);
    }
  }
  observer.reset();  // before the actor system, as observer_handle asks
  if (tree) caf::anon_send_exit(tree, caf::exit_reason::user_shutdown);
  if (owner) caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
  return EXIT_SUCCESS;
}
