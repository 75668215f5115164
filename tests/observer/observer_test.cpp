// The observer (observer/observer.hpp) over real loopback sockets: a real supervision tree
// with a connection to the in-process echo server, /tree.json fetched with a Beast client,
// a killed child showing as restarted, workers and supervisors that do not answer, the
// page, 404/405, keep-alive, its header limit, roots added and removed, stop.
#include <wsnova/observer/observer.hpp>

#define BOOST_TEST_MODULE observer
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include <wsnova/actors/io_module.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>

#include <wsnova/tests/support/http_client.hpp>

#include "observer_fixture.hpp"

using namespace std::chrono_literals;
using namespace wsnova;
using namespace wsnova::test;
namespace json = boost::json;

namespace {

struct config : caf::actor_system_config {
  config() {
    load<io_module>();
    set("scheduler.max-threads", 2);
  }
};

/// Deadline of every wait on a condition.
constexpr auto patience = 10s;

struct fixture {
  echo_server server;  // first: outlives the system, so connections close cleanly
  config cfg;
  caf::actor_system system{cfg};
  caf::actor owner = system.spawn(sink_owner);
  supervisor_actor app;
  std::optional<observer_handle> observer;  // last: stopped before the system goes

  fixture() {
    auto sup = spawn_supervisor(system, demo_flags(), demo_tree(server.url(), owner));
    if (!sup) BOOST_FAIL("spawn_supervisor: " << describe(sup.error()));
    app = *sup;
    observer_options options;
    options.roots = {{"app", app}};
    auto started = start_observer(system, options);
    if (!started) BOOST_FAIL("start_observer: " << describe(started.error()));
    observer.emplace(std::move(*started));
  }

  ~fixture() {
    observer.reset();
    caf::anon_send_exit(app, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
  }

  /// Fetches and parses /tree.json on `client`.
  json::object tree(http_client& client) {
    auto response = client.request(http::verb::get, "/tree.json");
    BOOST_REQUIRE_EQUAL(response.result_int(), 200u);
    BOOST_REQUIRE_EQUAL(response[http::field::content_type], "application/json");
    return json::parse(response.body()).as_object();
  }

  /// Fetches /tree.json until `ok(tree)` holds; fails the test at the deadline.
  json::object tree_until(http_client& client, const std::function<bool(const json::object&)>& ok,
                          const char* what) {
    auto until = std::chrono::steady_clock::now() + patience;
    for (;;) {
      auto doc = tree(client);
      if (ok(doc)) return doc;
      if (std::chrono::steady_clock::now() > until)
        BOOST_FAIL("no snapshot where " << what << "; last: " << json::serialize(doc));
    }
  }
};

/// The child `id` of the object `parent` (a root or a supervisor), or null.
const json::object* child(const json::object& parent, std::string_view id) {
  auto* children = parent.if_contains("children");
  if (!children) return nullptr;
  for (const auto& c : children->as_array())
    if (c.as_object().at("id").as_string() == id) return &c.as_object();
  return nullptr;
}

const json::object& app_root(const json::object& doc) {
  return doc.at("roots").as_array().at(0).as_object();
}

bool connection_up(const json::object& doc) {
  auto* conn = child(app_root(doc), "conn-1");
  return conn && conn->contains("connection") &&
         conn->at("connection").at("state").as_string() == "connected";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(observer_tests, fixture)

// Every node carries id, kind, restart type, state, restarts, actor id, node and local; the
// connection carries its status; the nested supervisor its children.
BOOST_AUTO_TEST_CASE(tree_json_shows_the_whole_tree) {
  http_client client{observer->port()};
  auto doc = tree_until(client, connection_up, "conn-1 is connected");
  BOOST_TEST(doc.at("node").as_string() == caf::to_string(system.node()));
  BOOST_REQUIRE_EQUAL(doc.at("roots").as_array().size(), 1u);
  const auto& root = app_root(doc);
  BOOST_TEST(root.at("id").as_string() == "app");
  BOOST_TEST(root.at("kind").as_string() == "supervisor");
  BOOST_TEST(root.at("restart").is_null());
  BOOST_TEST(root.at("actor_id").to_number<std::uint64_t>() == app.id());
  BOOST_TEST(root.at("local").as_bool());
  std::vector<std::string> ids;
  for (const auto& c : root.at("children").as_array())
    ids.emplace_back(c.as_object().at("id").as_string());
  BOOST_TEST(ids == (std::vector<std::string>{"worker-1", "conn-1", "inner", "mute", "hung-sup"}),
             boost::test_tools::per_element());
  const auto& worker = *child(root, "worker-1");
  BOOST_TEST(worker.at("kind").as_string() == "worker");
  BOOST_TEST(worker.at("restart").as_string() == "permanent");
  BOOST_TEST(worker.at("state").as_string() == "running");
  BOOST_TEST(worker.at("restarts").as_int64() == 0);
  BOOST_TEST(worker.at("node").as_string() == caf::to_string(system.node()));
  BOOST_TEST(worker.at("local").as_bool());
  BOOST_TEST(!worker.contains("connection"));  // answered status with an error
  BOOST_TEST(!worker.contains("children"));
  const auto& conn = child(root, "conn-1")->at("connection").as_object();
  BOOST_TEST(conn.at("id").as_string() == "conn-1");
  BOOST_TEST(conn.at("url").as_string() == server.url());
  BOOST_TEST(conn.at("connects").as_int64() == 1);
  for (auto field : {"messages_sent", "messages_received", "queued_messages", "queued_bytes"})
    BOOST_TEST(conn.contains(field), field);
  const auto& inner = *child(root, "inner");
  BOOST_TEST(inner.at("kind").as_string() == "supervisor");
  BOOST_REQUIRE(child(inner, "leaf"));
  BOOST_TEST(child(inner, "leaf")->at("state").as_string() == "running");
}

// The acceptance: kill a child, a later snapshot shows restarts 1 and a new actor.
BOOST_AUTO_TEST_CASE(a_killed_child_shows_as_restarted) {
  http_client client{observer->port()};
  auto before = tree(client);
  const auto& old_worker = *child(app_root(before), "worker-1");
  const auto old_id = old_worker.at("actor_id").to_number<std::uint64_t>();
  BOOST_TEST(old_worker.at("restarts").as_int64() == 0);
  caf::actor victim;
  {
    caf::scoped_actor self{system};
    self->request(app, patience, which_children_atom::value)
        .receive(
            [&](std::vector<child_info>& rows) {
              for (auto& row : rows)
                if (row.id == "worker-1") victim = row.handle;
            },
            [](caf::error& err) { BOOST_FAIL("which_children: " << describe(err)); });
  }
  BOOST_REQUIRE(victim);
  BOOST_TEST(victim.id() == old_id);
  caf::anon_send_exit(victim, caf::exit_reason::kill);
  auto after = tree_until(
      client,
      [](const json::object& doc) {
        auto* w = child(app_root(doc), "worker-1");
        return w && w->at("restarts").as_int64() == 1 && w->at("state").as_string() == "running";
      },
      "worker-1 restarted once");
  const auto& worker = *child(app_root(after), "worker-1");
  BOOST_TEST(worker.at("actor_id").to_number<std::uint64_t>() != old_id);
  BOOST_TEST(child(app_root(after), "conn-1")->at("restarts").as_int64() == 0);  // per id
}

// A worker that never answers status is a plain worker; a "supervisor" that never answers
// which_children is unreachable; the snapshot still comes, after about one timeout.
BOOST_AUTO_TEST_CASE(unresponsive_children_do_not_stall_the_snapshot) {
  http_client client{observer->port()};
  auto begin = std::chrono::steady_clock::now();
  auto doc = tree(client);
  auto took = std::chrono::steady_clock::now() - begin;
  const auto& root = app_root(doc);
  const auto& mute = *child(root, "mute");
  BOOST_TEST(mute.at("state").as_string() == "running");
  BOOST_TEST(!mute.contains("connection"));
  const auto& hung = *child(root, "hung-sup");
  BOOST_TEST(hung.at("unreachable").as_bool());
  BOOST_TEST(!hung.at("error").as_string().empty());
  BOOST_TEST(!hung.contains("children"));
  BOOST_TEST(took >= 150ms);  // waited for the 200 ms timeouts
  BOOST_TEST(took < 5s);
}

// A dead root answers at once with an error: unreachable, not a hang.
BOOST_AUTO_TEST_CASE(roots_are_added_and_removed_at_run_time) {
  auto dead = system.spawn(mute_actor);
  caf::anon_send_exit(dead, caf::exit_reason::kill);
  observer->add_root("gone", caf::actor_cast<supervisor_actor>(dead));
  http_client client{observer->port()};
  auto doc = tree(client);
  const auto& roots = doc.at("roots").as_array();
  BOOST_REQUIRE_EQUAL(roots.size(), 2u);
  BOOST_TEST(roots.at(1).at("id").as_string() == "gone");
  BOOST_TEST(roots.at(1).at("unreachable").as_bool());
  BOOST_TEST(observer->remove_root("gone"));
  BOOST_TEST(!observer->remove_root("gone"));
  BOOST_TEST(tree(client).at("roots").as_array().size() == 1u);
}

// The page is self-contained HTML that polls tree.json and marks nodes for tests.
BOOST_AUTO_TEST_CASE(the_page_is_served_at_the_root) {
  http_client client{observer->port()};
  auto response = client.request(http::verb::get, "/");
  BOOST_REQUIRE_EQUAL(response.result_int(), 200u);
  BOOST_TEST(response[http::field::content_type] == "text/html; charset=utf-8");
  const auto& body = response.body();
  BOOST_TEST(body.find("tree.json") != std::string::npos);
  BOOST_TEST(body.find("childId") != std::string::npos);  // data-child-id
  for (auto external : {"http://", "https://", "src=", "href="})
    BOOST_TEST(body.find(external) == std::string::npos, external);
  BOOST_TEST(observer->url() == "http://127.0.0.1:" + std::to_string(observer->port()) + "/");
}

// Exactly the page and the tree are served, on one keep-alive connection (the refusals
// themselves are the shared server's: http_server_test).
BOOST_AUTO_TEST_CASE(only_the_page_and_the_tree_are_served) {
  http_client client{observer->port()};
  auto missing = client.request(http::verb::get, "/metrics");
  BOOST_TEST(missing.result_int() == 404u);
  BOOST_TEST(missing.body() == "not found: this server serves only / and /tree.json\n");
  BOOST_TEST(client.request(http::verb::put, "/").result_int() == 405u);
  BOOST_TEST(client.request(http::verb::get, "/tree.json?x=1").result_int() == 200u);
}

// The observer's limits reach its server (whose 431, 400, timeout and cap
// metrics_server_test and http_server_test cover): a 2 KiB target over a 1 KiB limit.
BOOST_AUTO_TEST_CASE(the_header_limit_is_the_observers) {
  observer_options small;
  small.max_header_bytes = 1024;
  auto started = start_observer(system, small);
  BOOST_REQUIRE(started);
  http_client client{started->port()};
  auto response = client.request(http::verb::get, "/tree.json?" + std::string(2048, 'x'));
  BOOST_TEST(response.result_int() == 431u);
  BOOST_TEST(!response.keep_alive());
}

// Stopping while a snapshot is being taken (the hung supervisor holds it for its timeout):
// the waiting client sees the connection end, with no answer and before its deadline. A
// reset instead of a FIN when the stop came before the server had read the request.
BOOST_AUTO_TEST_CASE(stop_closes_connections_and_the_listener) {
  const auto port = observer->port();
  http_client client{port};
  BOOST_REQUIRE(!client.send(http::verb::get, "/tree.json"));
  observer->stop();
  auto end = client.read_until_closed();
  BOOST_TEST((end == net::error::eof || end == net::error::connection_reset), end.message());
  BOOST_CHECK_THROW(http_client{port}, std::runtime_error);  // refused
  observer->stop();                                          // idempotent
}

BOOST_AUTO_TEST_CASE(bad_options_are_clear_errors) {
  observer_options by_name;
  by_name.address = "localhost";
  auto named = start_observer(system, by_name);
  BOOST_REQUIRE(!named);
  BOOST_TEST(is(named.error(), errc::invalid_argument));
  BOOST_TEST(describe(named.error()).find("localhost") != std::string::npos);
  observer_options no_timeout;
  no_timeout.snapshot_timeout = 0ms;
  BOOST_TEST(is(start_observer(system, no_timeout).error(), errc::invalid_argument));
  observer_options taken;
  taken.port = observer->port();
  auto second = start_observer(system, taken);
  BOOST_REQUIRE(!second);
  BOOST_TEST(is(second.error(), errc::bind_failed));
}

BOOST_AUTO_TEST_SUITE_END()
