#include <wsnova/observer/tree_snapshot.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/node_id.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/actors/connection.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova {

namespace {

namespace json = boost::json;

/// Supervisors nested deeper are not walked (a tree that contains itself ends here).
constexpr std::size_t max_depth = 32;

/// One node of the tree as the walk found it.
struct tree_node {
  /// The child's row in its supervisor's `which_children`; for a root, only id and handle.
  child_info info;
  /// False for roots (they have no restart type or restart count).
  bool is_child = true;
  /// Set when a supervisor did not answer `which_children` (why).
  std::optional<std::string> unreachable;
  /// Set when a worker answered `status` as a connection.
  std::optional<connection_status> connection;
  /// The children of a supervisor that answered; sized once, so pointers into it stay valid.
  std::vector<tree_node> children;
};

/// The state of one walk, shared by the walker's pending response handlers.
struct walk {
  std::vector<tree_node> roots;
  std::chrono::milliseconds timeout;
  snapshot_callback done;
  /// Requests not answered yet; at zero the snapshot is rendered and handed to `done`.
  std::size_t pending = 0;
};

using walk_ptr = std::shared_ptr<walk>;

json::value node_field(const caf::actor& handle) {
  if (!handle) return nullptr;
  return json::value(caf::to_string(handle.node()));
}

/// True if `worker` may answer `status` with a `connection_status`: a local actor says so
/// in its typed interface (asking an untyped one would make CAF print "unexpected message"
/// on every snapshot); a proxy of a remote actor does not tell, so it is asked.
bool may_be_connection(caf::actor_system& system, const caf::actor& worker) {
  if (worker.node() != system.node()) return true;
  static const auto wanted =
      system
          .message_types<caf::typed_actor<caf::replies_to<status_atom>::with<connection_status>>>();
  auto offered = worker->message_types();
  return std::includes(offered.begin(), offered.end(), wanted.begin(), wanted.end()) &&
         !wanted.empty();
}

json::object render_connection(const connection_status& st) {
  json::object out;
  out["id"] = st.id;
  out["url"] = st.url;
  out["state"] = to_string(st.state);
  out["subprotocol"] = st.subprotocol;
  out["messages_sent"] = st.messages_sent;
  out["messages_received"] = st.messages_received;
  out["connects"] = st.connects;
  out["queued_messages"] = st.queued_messages;
  out["queued_bytes"] = st.queued_bytes;
  out["buffered_messages"] = st.buffered_messages;
  out["rate_queued"] = st.rate_queued;
  return out;
}

json::object render(const tree_node& node, const caf::node_id& here) {
  json::object out;
  const auto& info = node.info;
  out["id"] = info.id;
  out["kind"] = to_string(info.kind);
  // json::value(x), not json::value{x}: braces make an array.
  out["restart"] = node.is_child ? json::value(to_string(info.restart)) : json::value(nullptr);
  out["state"] = to_string(info.state);
  out["restarts"] = info.restarts;
  out["actor_id"] = info.handle ? json::value(info.handle.id()) : json::value(nullptr);
  out["node"] = node_field(info.handle);
  out["local"] = info.handle ? json::value(info.handle.node() == here) : json::value(nullptr);
  if (node.connection) out["connection"] = render_connection(*node.connection);
  if (node.unreachable) {
    out["unreachable"] = true;
    out["error"] = *node.unreachable;
  }
  if (info.kind == child_kind::supervisor && !node.unreachable && info.handle) {
    json::array children;
    children.reserve(node.children.size());
    for (const auto& child : node.children) children.push_back(render(child, here));
    out["children"] = std::move(children);
  }
  return out;
}

/// Counts one answered request; the last one renders the snapshot and hands it over.
void settle(caf::event_based_actor* self, const walk_ptr& w) {
  if (--w->pending > 0) return;
  const auto here = self->system().node();
  json::object doc;
  doc["node"] = caf::to_string(here);
  json::array roots;
  roots.reserve(w->roots.size());
  for (const auto& root : w->roots) roots.push_back(render(root, here));
  doc["roots"] = std::move(roots);
  auto done = std::move(w->done);
  done(json::serialize(doc));
}

void visit(caf::event_based_actor* self, const walk_ptr& w, tree_node& node, std::size_t depth);

void visit_supervisor(caf::event_based_actor* self, const walk_ptr& w, tree_node& node,
                      std::size_t depth) {
  if (depth >= max_depth) {
    node.unreachable = "deeper than " + std::to_string(max_depth) + " levels";
    return;
  }
  ++w->pending;
  auto sup = caf::actor_cast<supervisor_actor>(node.info.handle);
  self->request(sup, w->timeout, which_children_atom::value)
      .then(
          [self, w, &node, depth](std::vector<child_info>& rows) {
            node.children.resize(rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) {
              node.children[i].info = std::move(rows[i]);
              visit(self, w, node.children[i], depth + 1);
            }
            settle(self, w);
          },
          [self, w, &node](const caf::error& err) {
            node.unreachable = describe(err);
            settle(self, w);
          });
}

void visit_worker(caf::event_based_actor* self, const walk_ptr& w, tree_node& node) {
  if (!may_be_connection(self->system(), node.info.handle)) return;
  ++w->pending;
  self->request(node.info.handle, w->timeout, status_atom::value)
      .then(
          [self, w, &node](connection_status& st) {
            node.connection = std::move(st);
            settle(self, w);
          },
          // Not a connection, busy or gone: a plain worker.
          [self, w](caf::error&) { settle(self, w); });
}

void visit(caf::event_based_actor* self, const walk_ptr& w, tree_node& node, std::size_t depth) {
  if (!node.info.handle) return;  // stopped or restarting: nothing to ask
  if (node.info.kind == child_kind::supervisor)
    visit_supervisor(self, w, node, depth);
  else
    visit_worker(self, w, node);
}

}  // namespace

void take_snapshot(caf::actor_system& system, std::vector<named_supervisor> roots,
                   std::chrono::milliseconds timeout, snapshot_callback done) {
  auto w = std::make_shared<walk>();
  w->timeout = timeout;
  w->done = std::move(done);
  w->roots.resize(roots.size());
  for (std::size_t i = 0; i < roots.size(); ++i) {
    auto& info = w->roots[i].info;
    info.id = std::move(roots[i].first);
    info.handle = caf::actor_cast<caf::actor>(roots[i].second);
    info.kind = child_kind::supervisor;
    info.state = info.handle ? child_state::running : child_state::undefined;
    w->roots[i].is_child = false;
  }
  // The walker has no behaviour of its own: it lives while responses are pending and ends
  // with the last one. One extra count keeps an empty walk from finishing before it began.
  system.spawn([w](caf::event_based_actor* self) {
    ++w->pending;
    for (auto& root : w->roots) visit(self, w, root, 0);
    settle(self, w);
  });
}

}  // namespace wsnova
