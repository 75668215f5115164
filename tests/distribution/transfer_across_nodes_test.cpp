// Ownership transfer across nodes: this process is node A (echo server, owners), the
// connection runs on node W, a real `wsnova-node` process, started there by name over BASP.
// A hand-over in the middle of a 100,000-message stream loses and duplicates nothing, as in
// tests/integration/ownership_transfer_test.cpp; a remote owner gets the connection's events,
// and its death closes the connection on W.
#define BOOST_TEST_MODULE distribution_transfer_across_nodes
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/actors/io_module.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/distribution/node.hpp>
#include <wsnova/distribution/start_by_name.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/integration/integration_fixture.hpp>
#include <wsnova/tests/integration/recording_owner.hpp>

extern char** environ;  // NOLINT: POSIX declares it nowhere else

using namespace std::chrono_literals;
using namespace wsnova;

namespace {

using itest::check_hand_over;
using itest::deadline;
using itest::record;
using itest::record_ptr;
using itest::recording_owner;
constexpr std::uint32_t stream_length = 100000;

/// A `wsnova-node` worker process with stdin and stdout piped. The destructor SIGKILLs it and
/// waits, on every path out of a test.
class node_process {
 public:
  node_process() {
    int in[2];
    int out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) BOOST_FAIL("pipe2 failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 clears close-on-exec on the copies: the child keeps exactly stdin and stdout.
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::string binary = WSNOVA_NODE_BINARY;
    std::string port_flag = "--port";
    std::string any_port = "0";
    char* argv[] = {binary.data(), port_flag.data(), any_port.data(), nullptr};
    int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    if (rc != 0) {
      ::close(out[0]);
      BOOST_FAIL("posix_spawn " << binary << ": " << std::strerror(rc));
    }
    reader_ = std::thread{[this, fd = out[0]] { read_lines(fd); }};
  }

  node_process(const node_process&) = delete;
  node_process& operator=(const node_process&) = delete;

  ~node_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (stdin_ >= 0) ::close(stdin_);
    if (reader_.joinable()) reader_.join();  // the pipe ends with the process
  }

  /// Returns the first line not returned before that contains `part` (earlier ones are
  /// skipped), or nullopt when the process ended or the deadline passed.
  std::optional<std::string> expect(const std::string& part,
                                    std::chrono::milliseconds limit = deadline) {
    std::unique_lock<std::mutex> guard{mtx_};
    auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      for (; next_ < lines_.size(); ++next_)
        if (lines_[next_].find(part) != std::string::npos) return lines_[next_++];
      if (ended_ || !cv_.wait_until(guard, until, [&] { return next_ < lines_.size() || ended_; }))
        if (next_ == lines_.size()) return std::nullopt;
    }
  }

  /// Returns every line the node printed so far, for failure messages.
  std::string output() {
    std::lock_guard<std::mutex> guard{mtx_};
    std::string result;
    for (const auto& line : lines_) result += "\n  " + line;
    return result;
  }

  /// Reads the node's "T node port=P pid=PID" line and returns P (0 when it never came).
  std::uint16_t port() {
    auto line = expect("node port=");
    if (!line) return 0;
    auto at = line->find("port=") + 5;
    return static_cast<std::uint16_t>(std::stoul(line->substr(at)));
  }

 private:
  void read_lines(int fd) {
    std::string pending;
    char buffer[4096];
    for (;;) {
      auto n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buffer, static_cast<std::size_t>(n));
      for (auto eol = pending.find('\n'); eol != std::string::npos; eol = pending.find('\n')) {
        std::lock_guard<std::mutex> guard{mtx_};
        lines_.push_back(pending.substr(0, eol));
        pending.erase(0, eol + 1);
        cv_.notify_all();
      }
    }
    ::close(fd);
    std::lock_guard<std::mutex> guard{mtx_};
    ended_ = true;
    cv_.notify_all();
  }

  pid_t pid_ = -1;
  int stdin_ = -1;  // held open: the node stops at the end of its input
  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  std::size_t next_ = 0;  // lines before it were returned or skipped by expect
  bool ended_ = false;
  std::thread reader_;
};

/// Node A's config: the same start function "feed" as wsnova-node registers (start_by_name
/// checks the name on this node), a connection to args (url, id, owner).
struct node_config : caf::actor_system_config {
  node_config() {
    load<io_module>();
    enable_distribution(*this);
    set("scheduler.max-threads", 2);
    add_start_function(*this, "feed", [](caf::actor_system& sys, const caf::message& args) {
      if (!args.match_elements<std::string, std::string, caf::actor>())
        return start_result{make_error(errc::not_allowed, "feed: expected (url, id, owner)")};
      connection_config conf;
      conf.url = args.get_as<std::string>(0);
      conf.id = args.get_as<std::string>(1);
      auto conn = spawn_connection(sys, conf, unchecked_owner(args.get_as<caf::actor>(2)));
      if (!conn) return start_result{conn.error()};
      return start_result{caf::actor_cast<caf::actor>(*conn)};
    });
  }
};

/// Node A with an echo server, and node W as a process. Destroyed in reverse: W is killed
/// first, then A's actors stop, then the server and A.
struct fixture {
  node_config cfg;
  caf::actor_system system{cfg};
  test::echo_server server;
  caf::scoped_actor self{system};
  std::vector<caf::actor> stop_list;
  std::vector<caf::down_msg> downs;
  node_process worker;
  std::uint16_t worker_port = worker.port();

  fixture() {
    if (worker_port == 0) BOOST_FAIL("wsnova-node printed no port:" << worker.output());
  }
  fixture(const fixture&) = delete;
  fixture& operator=(const fixture&) = delete;

  ~fixture() {
    for (auto i = stop_list.rbegin(); i != stop_list.rend(); ++i) stop(*i);
  }

  caf::actor spawn_owner(record_ptr rec, std::size_t transfer_after = 0,
                         caf::actor next = nullptr) {
    auto owner = system.spawn(recording_owner, std::move(rec), transfer_after, std::move(next));
    stop_list.push_back(owner);
    return owner;
  }

  /// Starts connection `id` owned by `owner` on W, by name, and returns its handle.
  caf::actor start_on_worker(const std::string& id, const caf::actor& owner) {
    placement where;
    where.nodes = {node_address{"127.0.0.1", worker_port}};
    where.connect_timeout = 5s;
    where.spawn_timeout = 5s;
    auto start = start_by_name(system, "feed", caf::make_message(server.url(), id, owner), where);
    if (!start) BOOST_FAIL("start_by_name: " << describe(start.error()));
    auto result = (*start)(system, caf::message{});
    if (!result.started()) BOOST_FAIL("start on W: " << describe(result.error()));
    stop_list.push_back(result.handle());
    return result.handle();
  }

  /// Waits for the down message of `who` (monitored before) and returns its reason;
  /// nullopt at the deadline. Down messages of others are kept for their own wait.
  std::optional<caf::error> wait_down(const caf::actor& who) {
    auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      for (auto i = downs.begin(); i != downs.end(); ++i)
        if (i->source == who.address()) {
          auto reason = std::move(i->reason);
          downs.erase(i);
          return reason;
        }
      if (std::chrono::steady_clock::now() >= until) return std::nullopt;
      self->receive([&](caf::down_msg& down) { downs.push_back(std::move(down)); },
                    caf::after(50ms) >> [] {});
    }
  }

  void stop(const caf::actor& who) {
    if (!who) return;
    self->monitor(who);
    caf::anon_send_exit(who, caf::exit_reason::user_shutdown);
    wait_down(who);
  }

  caf::error send_text(const caf::actor& conn, std::string text) const {
    caf::error failure;
    self->request(caf::actor_cast<connection>(conn), deadline, send_atom::value,
                  ws_message{message_kind::text, std::move(text)})
        .receive([](caf::ok_atom) {}, [&](caf::error& err) { failure = std::move(err); });
    return failure;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(transfer_across_nodes, fixture)

// The connection runs on W; A hands it over to B (both on this node) after 30,000 of
// 100,000 streamed numbers: A holds 1..k, B k+1..100000, nothing lost or doubled; A's last
// and B's first event is the ownership_event.
BOOST_AUTO_TEST_CASE(transfer_during_a_stream_across_nodes_loses_and_duplicates_nothing) {
  auto rec_a = std::make_shared<record>();
  auto rec_b = std::make_shared<record>();
  auto b = spawn_owner(rec_b);
  auto a = spawn_owner(rec_a, 30000, b);
  auto conn = start_on_worker("stream", a);
  BOOST_CHECK(conn.node() != system.node());
  BOOST_REQUIRE_MESSAGE(worker.expect("feed started stream"),
                        "W did not start the feed:" << worker.output());
  BOOST_REQUIRE_MESSAGE(rec_a->wait([](record& r) { return r.connected > 0; }),
                        "A got no connected_event");
  auto started = std::chrono::steady_clock::now();
  if (auto err = send_text(conn, "!stream " + std::to_string(stream_length)))
    BOOST_FAIL("send: " << describe(err));
  BOOST_REQUIRE_MESSAGE(
      rec_b->wait([](record& r) { return !r.numbers.empty() && r.numbers.back() == stream_length; },
                  60s),
      "B did not receive the end of the stream");
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  BOOST_TEST_MESSAGE(stream_length
                     << " messages from W to A and B: " << elapsed.count() << " ms ("
                     << static_cast<long>(stream_length) * 1000 / std::max<long>(elapsed.count(), 1)
                     << " messages/s)");
  check_hand_over(*rec_a, *rec_b, a, b, stream_length, "stream");
}

// An owner on A of a connection on W gets its connected_event and message_event; when the
// owner dies, the connection on W closes (W prints "feed stopped") and exits normally.
BOOST_AUTO_TEST_CASE(remote_owner_gets_events_and_its_death_closes_the_connection) {
  auto rec = std::make_shared<record>();
  auto owner = spawn_owner(rec);
  auto conn = start_on_worker("owned", owner);
  BOOST_CHECK(conn.node() != system.node());
  BOOST_REQUIRE(rec->wait([](record& r) { return r.connected == 1; }));
  BOOST_REQUIRE(!send_text(conn, "hello from A"));
  BOOST_REQUIRE_MESSAGE(rec->wait([](record& r) { return !r.others.empty(); }),
                        "A got no message_event");
  {
    std::lock_guard<std::mutex> guard{rec->mtx};
    BOOST_CHECK_EQUAL(rec->others.front(), "hello from A");
  }
  self->monitor(conn);
  stop(owner);
  BOOST_CHECK_MESSAGE(worker.expect("feed stopped owned"),
                      "the connection on W did not stop:" << worker.output());
  auto reason = wait_down(conn);
  BOOST_REQUIRE_MESSAGE(reason, "no down message from the connection on W");
  BOOST_CHECK_MESSAGE(!*reason, "exit reason: " << describe(*reason));
}

BOOST_AUTO_TEST_SUITE_END()
