// Blocking waits of the client facade watch the connection actor (Gun's await with a
// monitor): when the actor is killed mid-wait, the wait ends at once with actor_gone
// instead of running into its deadline.
#define BOOST_TEST_MODULE await
#include <wsnova/actors/client.hpp>

#include <boost/test/unit_test.hpp>

#include <array>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <wsnova/actors/registry.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using tcp = boost::asio::ip::tcp;

namespace {

/// Describes the error of `x`, or "ok" (error() of a value is undefined).
template <class T>
std::string why(const caf::expected<T>& x) {
  return x ? std::string{"ok"} : describe(x.error());
}

/// Deadline of the wait under test: far longer than the failure bound below.
constexpr caf::timespan long_wait = 30s;

/// Upper bound from the kill to the end of the wait. A failure bound, not a speed claim:
/// the wait must end on the down message, not on its 30 s deadline.
constexpr auto prompt = 2s;

/// A TCP server on 127.0.0.1 that accepts every connection and reads whatever arrives
/// (the upgrade request) but never answers.
class mute_server {
 public:
  mute_server() {
    accept_next();
    thread_ = std::thread{[this] { io_.run(); }};
  }

  ~mute_server() {
    io_.stop();
    thread_.join();
  }

  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/";
  }

  /// Returns true once a connection sent its first bytes, false at the deadline.
  bool wait_for_request(std::chrono::milliseconds deadline) {
    std::unique_lock guard{mutex_};
    return cv_.wait_for(guard, deadline, [this] { return requests_ > 0; });
  }

 private:
  struct peer {
    explicit peer(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::array<char, 4096> buffer{};
    bool seen = false;
  };

  void accept_next() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      peers_.push_back(std::make_unique<peer>(std::move(socket)));
      read(*peers_.back());
      accept_next();
    });
  }

  void read(peer& p) {
    p.socket.async_read_some(boost::asio::buffer(p.buffer),
                             [this, &p](boost::system::error_code ec, std::size_t) {
                               if (ec) return;
                               if (!p.seen) {
                                 p.seen = true;
                                 std::lock_guard guard{mutex_};
                                 ++requests_;
                                 cv_.notify_all();
                               }
                               read(p);
                             });
  }

  boost::asio::io_context io_;
  tcp::acceptor acceptor_{io_, tcp::endpoint{boost::asio::ip::address_v4::loopback(), 0}};
  std::vector<std::unique_ptr<peer>> peers_;  // touched on the server thread only
  std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t requests_ = 0;
  std::thread thread_;
};

using clock_type = std::chrono::steady_clock;

/// Kills `hdl` and returns when it did.
clock_type::time_point kill_now(const caf::actor& hdl) {
  auto at = clock_type::now();
  caf::anon_send_exit(hdl, caf::exit_reason::kill);
  return at;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(await, test::actor_system_fixture)

// client::connect waits for a server that never answers the upgrade; killing the
// connection actor from another thread ends that wait at once with actor_gone.
BOOST_AUTO_TEST_CASE(connect_wait_ends_with_actor_gone_when_the_actor_is_killed) {
  mute_server server;
  auto registry = spawn_registry(system);
  connection_config config;
  config.url = server.url();
  config.id = "await-connect";
  config.registry = registry;  // how the killer finds the actor while connect() blocks
  config.session.connect_timeout = 60s;
  config.session.handshake_timeout = 60s;
  // The killer: once the upgrade request reached the server (so connect() is waiting for
  // the answer), resolve the id and kill the actor.
  auto killer = std::async(std::launch::async, [&]() -> caf::expected<clock_type::time_point> {
    if (!server.wait_for_request(10s)) return make_error(errc::timeout, "no upgrade request");
    caf::scoped_actor self{system};
    caf::expected<caf::actor> hdl{make_error(errc::timeout, "no reply")};
    self->request(registry, 10s, lookup_atom::value, config.id)
        .receive([&](caf::actor& x) { hdl = std::move(x); },
                 [&](caf::error& err) { hdl = std::move(err); });
    if (!hdl) return hdl.error();
    return kill_now(*hdl);
  });
  auto started = clock_type::now();
  auto result = client::connect(system, config, long_wait);
  auto ended = clock_type::now();
  auto killed = killer.get();
  BOOST_REQUIRE_MESSAGE(killed, "the killer failed: " << why(killed));
  BOOST_REQUIRE_MESSAGE(!result, "connect succeeded against a server that never answers");
  BOOST_CHECK_MESSAGE(is(result.error(), errc::actor_gone), why(result));
  auto after_kill = ended - *killed;
  BOOST_TEST_MESSAGE(
      "connect returned "
      << std::chrono::duration_cast<std::chrono::milliseconds>(after_kill).count()
      << " ms after the kill ("
      << std::chrono::duration_cast<std::chrono::milliseconds>(ended - started).count()
      << " ms in all)");
  BOOST_CHECK(after_kill < prompt);
  anon_send_exit(registry, caf::exit_reason::kill);
}

// receive() on an open connection with nothing to read: killing the connection actor from
// another thread ends the wait at once with actor_gone.
BOOST_AUTO_TEST_CASE(receive_wait_ends_with_actor_gone_when_the_actor_is_killed) {
  test::echo_server server;
  connection_config config;
  config.url = server.url();
  auto c = test::connect_or_fail(system, config);
  auto hdl = caf::actor_cast<caf::actor>(c.handle());
  auto killer = std::async(std::launch::async, [hdl] { return kill_now(hdl); });
  auto result = c.receive(long_wait);
  auto ended = clock_type::now();
  auto killed = killer.get();
  BOOST_REQUIRE_MESSAGE(!result, "received a message nobody sent");
  BOOST_CHECK_MESSAGE(is(result.error(), errc::actor_gone), why(result));
  auto after_kill = ended - killed;
  BOOST_TEST_MESSAGE("receive returned "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(after_kill).count()
                     << " ms after the kill");
  BOOST_CHECK(after_kill < prompt);
}

BOOST_AUTO_TEST_SUITE_END()
