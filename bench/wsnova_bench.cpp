// wsnova-bench: the same workloads as beast-bench, on wsnova. Every connection is spawned with
// spawn_connection; the echo reaches user code either in an in-process Message behaviour that
// sends the next message from inside the connection actor (--path handler, the default: no
// extra hop) or in the owner actor, which gets a message_event and sends back through the
// connection's typed interface (--path owner). The JSON says which ("path").
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/settings.hpp>

#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/events.hpp>
#include <wsnova/actors/io_module.hpp>
#include <wsnova/actors/profiles.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/actors/spawn_on_io.hpp>
#include <wsnova/behaviors/message_behavior.hpp>
#include <wsnova/supervision/supervisor.hpp>

#include "common.hpp"

namespace {

namespace json = boost::json;
using namespace wsnova::bench;
using wsnova::ws_message;

constexpr const char* client_name = "wsnova";

/// What the owner actor saw, shared with the main thread.
struct owner_state {
  std::mutex mtx;
  std::condition_variable cv;
  std::size_t connected = 0;
  std::size_t closed = 0;
  std::string error;
  bool done = false;
  /// --path owner: the connections by id, for sending the next message back.
  std::map<std::string, wsnova::connection> by_id;
  /// --path owner: echoes seen by the owner; keep sending while `sending`.
  std::atomic<std::uint64_t> echoes{0};
  std::atomic<bool> sending{true};
  /// connect mode: run inside the owner actor on each connected_event / closed_event, so the
  /// connect-close loop is driven from actor code without a hop to the main thread.
  std::function<void()> on_start;
  std::function<void()> on_connected;
  std::function<void()> on_closed;

  void fail(std::string what) {
    std::lock_guard lock{mtx};
    if (error.empty()) error = std::move(what);
    cv.notify_all();
  }
  void finish() {
    std::lock_guard lock{mtx};
    done = true;
    cv.notify_all();
  }
  template <class Pred>
  std::string wait_for(Pred pred, std::chrono::seconds deadline) {
    std::unique_lock lock{mtx};
    if (!cv.wait_for(lock, deadline, [&] { return !error.empty() || pred(); })) return "timed out";
    return error;
  }
};

/// The owner: counts events; with --path owner it also echoes the echo.
caf::behavior owner_actor(caf::event_based_actor* self, owner_state* st) {
  return {
      [st](const wsnova::connected_event&) {
        if (st->on_connected) return st->on_connected();
        std::lock_guard lock{st->mtx};
        ++st->connected;
        st->cv.notify_all();
      },
      [st](const wsnova::closed_event& ev) {
        if (ev.cause)
          return st->fail("closed: code " + std::to_string(ev.code) + " " +
                          caf::to_string(ev.cause));
        if (st->on_closed) return st->on_closed();
        std::lock_guard lock{st->mtx};
        ++st->closed;
        st->cv.notify_all();
      },
      [st](const wsnova::disconnected_event&) {},
      [st](caf::ok_atom) {
        if (st->on_start) st->on_start();
      },
      [st](const wsnova::error_event& ev) { st->fail("error event: " + caf::to_string(ev.error)); },
      [st](wsnova::message_event& ev) {
        st->echoes.store(st->echoes.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        if (!st->sending.load(std::memory_order_relaxed)) return;
        auto i = st->by_id.find(ev.id);  // filled before the first send, read-only afterwards
        if (i != st->by_id.end())
          caf::anon_send(i->second, wsnova::send_atom::value, std::move(ev.message));
      },
  };
}

/// The in-process handler: runs inside the connection actor for every received message.
class bench_handler final {
 public:
  enum class role { count_only, throughput, latency };

  bench_handler(role r, owner_state* st, std::atomic<bool>* sending)
      : role_(r), st_(st), sending_(sending) {}

  wsnova::directive handle_message(wsnova::handler_context& ctx, ws_message& msg) {
    switch (role_) {
      case role::count_only:
        break;
      case role::throughput:
        echoes.store(echoes.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        if (sending_->load(std::memory_order_relaxed)) ctx.send(std::move(msg));
        break;
      case role::latency: {
        auto now = clock_type::now();
        if (warmup > 0)
          --warmup;
        else
          samples.push_back(std::chrono::duration<double, std::micro>(now - sent_at).count());
        if (samples.size() == count) {
          st_->finish();
          break;
        }
        sent_at = clock_type::now();
        ctx.send(std::move(msg));
        break;
      }
    }
    return wsnova::directive::ignore();
  }

  /// throughput: echoes received, written by the connection actor only.
  std::atomic<std::uint64_t> echoes{0};
  /// latency: warm-up round trips left, timed round trips wanted, samples, send time.
  std::size_t warmup = 0;
  std::size_t count = 0;
  std::vector<double> samples;
  clock_type::time_point sent_at;

 private:
  role role_;
  owner_state* st_;
  std::atomic<bool>* sending_;
};

int run(const options& o, bool owner_path, bool owner_on_io) {
  caf::actor_system_config cfg;
  cfg.load<wsnova::io_module>();
  // Not cfg.set: it accepts only declared options, and io_module reads its key from the
  // config's content without declaring it.
  caf::put(cfg.content, std::string_view{wsnova::io_module::threads_key},
           static_cast<std::int64_t>(o.io_threads));
  cfg.set("scheduler.max-threads", o.caf_threads);
  if (o.caf_moderate_polls >= 0)
    cfg.set("work-stealing.moderate-poll-attempts", static_cast<std::size_t>(o.caf_moderate_polls));
  caf::actor_system sys{cfg};
  owner_state st;
  caf::actor owner;
  if (owner_on_io) {
    auto pinned = wsnova::spawn_on_io(
        sys, [&st](caf::event_based_actor* self) { return owner_actor(self, &st); });
    if (!pinned) return 1;
    owner = *pinned;
  } else {
    owner = sys.spawn(owner_actor, &st);
  }
  std::atomic<bool> sending{true};

  json::object out;
  describe(out, client_name, o);
  out["path"] = owner_path ? "owner" : "handler";
  out["owner_on"] = owner_on_io ? "io" : "caf";
  out["io_threads"] = o.io_threads;
  out["caf_threads"] = o.caf_threads;
  out["config"] = "shared";
  if (o.caf_moderate_polls >= 0) out["caf_moderate_polls"] = o.caf_moderate_polls;
  auto finish = [&](int rc) {
    std::fflush(stdout);
    std::_Exit(rc);  // skip tearing down thousands of actors and sockets
    return rc;
  };
  auto bad = [&](const std::string& what) { return fail(client_name, o.mode, what), finish(1); };

  // One configuration for every connection, as a pool would hold it (spawn_connection's
  // shared overload); only a connection with a handler of its own gets a copy. The output
  // says which ("config"): a copy costs about 1 kB per connection.
  const auto shared_config = [&] {
    wsnova::connection_config cc;
    cc.url = o.url;
    cc.session.compress = o.deflate;
    cc.session.tcp_nodelay = true;
    cc.session.tls.insecure = true;  // the bench server's certificate is self-signed
    if (o.mode == "idle") {
      const auto heartbeat = wsnova::make_profile(wsnova::profile::standard, o.url).session;
      cc.session.ping_interval = heartbeat.ping_interval;
      cc.session.pong_timeout = heartbeat.pong_timeout;
    }
    return std::make_shared<const wsnova::connection_config>(std::move(cc));
  }();
  auto spawn = [&](std::size_t index,
                   std::shared_ptr<bench_handler> handler) -> caf::expected<wsnova::connection> {
    std::string id{"c"};  // not `"c" + ...`: g++ 12 -O3 warns falsely (-Wrestrict) there
    id += std::to_string(index);
    if (!handler)
      return wsnova::spawn_connection(sys, shared_config, wsnova::unchecked_owner(owner),
                                      std::move(id));
    out["config"] = "copy per connection";
    auto cc = std::make_shared<wsnova::connection_config>(*shared_config);
    cc->behaviors.message = wsnova::message_behavior::local{}.on(
        wsnova::handle_msg_atom::value, [handler](wsnova::handler_context& ctx, ws_message& msg) {
          return handler->handle_message(ctx, msg);
        });
    return wsnova::spawn_connection(sys, std::move(cc), wsnova::unchecked_owner(owner),
                                    std::move(id));
  };
  auto message = [&] {
    return ws_message{o.text ? wsnova::message_kind::text : wsnova::message_kind::binary,
                      std::string(o.size, 'x')};
  };

  if (o.mode == "throughput") {
    std::vector<std::shared_ptr<bench_handler>> handlers;
    std::vector<wsnova::connection> conns;
    for (std::size_t i = 0; i < o.conns; ++i) {
      std::shared_ptr<bench_handler> h;
      if (!owner_path)
        h = std::make_shared<bench_handler>(bench_handler::role::throughput, &st, &sending);
      auto conn = spawn(i, h);
      if (!conn) return bad("spawn_connection: " + caf::to_string(conn.error()));
      handlers.push_back(h);
      conns.push_back(*conn);
      st.by_id.emplace("c" + std::to_string(i), *conn);
    }
    if (auto err = st.wait_for([&] { return st.connected == o.conns; }, std::chrono::seconds(60));
        !err.empty())
      return bad(err);
    for (auto& c : conns)
      for (std::size_t k = 0; k < o.window; ++k)
        caf::anon_send(c, wsnova::send_atom::value, message());
    auto total = [&] {
      std::uint64_t n = st.echoes.load(std::memory_order_relaxed);
      for (auto& h : handlers)
        if (h) n += h->echoes.load(std::memory_order_relaxed);
      return n;
    };
    std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
    auto m0 = total();
    auto c0 = cpu_seconds();
    auto t0 = clock_type::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
    auto m1 = total();
    auto c1 = cpu_seconds();
    auto t1 = clock_type::now();
    sending = false;
    st.sending = false;
    {
      std::lock_guard lock{st.mtx};
      if (!st.error.empty()) return bad(st.error);
    }
    throughput_result(out, m1 - m0, o.size, seconds_between(t0, t1), c1 - c0);
  } else if (o.mode == "latency") {
    if (owner_path) return bad("latency runs on --path handler only");
    auto h = std::make_shared<bench_handler>(bench_handler::role::latency, &st, &sending);
    h->warmup = 1000;
    h->count = o.count;
    h->samples.reserve(o.count);
    auto conn = spawn(0, h);
    if (!conn) return bad("spawn_connection: " + caf::to_string(conn.error()));
    if (auto err = st.wait_for([&] { return st.connected == 1; }, std::chrono::seconds(60));
        !err.empty())
      return bad(err);
    h->sent_at = clock_type::now();  // published to the actor by the send below
    caf::anon_send(*conn, wsnova::send_atom::value, message());
    if (auto err = st.wait_for([&] { return st.done; }, std::chrono::seconds(600)); !err.empty())
      return bad(err);
    latency_result(out, std::move(h->samples));
  } else if (o.mode == "idle") {
    // As an application holds many connections: children of a one_for_one supervisor (which
    // monitors each and keeps its spec for restarts), each monitoring its owner and sending
    // the heartbeat of the `standard` profile.
    auto rss_before = rss_kb();
    auto sup = wsnova::spawn_supervisor(sys, wsnova::supervisor_flags{}, {});
    if (!sup) return bad("spawn_supervisor: " + caf::to_string(sup.error()));
    auto first = clock_type::now();
    for (std::size_t i = 0; i < o.conns; ++i) {
      // At most `window` handshakes in flight.
      if (auto err =
              st.wait_for([&] { return i - st.connected < o.window; }, std::chrono::seconds(60));
          !err.empty())
        return bad(err);
      wsnova::child_spec spec;
      spec.id = "c" + std::to_string(i);
      spec.start =
          wsnova::start_with([&spawn, i](caf::actor_system&) { return spawn(i, nullptr); });
      caf::anon_send(*sup, wsnova::start_child_atom::value, std::move(spec));
    }
    if (auto err = st.wait_for([&] { return st.connected == o.conns; }, std::chrono::seconds(600));
        !err.empty())
      return bad(err);
    auto last = clock_type::now();
    auto held = hold_idle(o.seconds);
    {
      std::lock_guard lock{st.mtx};
      if (!st.error.empty()) return bad(st.error);
    }
    caf::scoped_actor self{sys};
    std::size_t running = 0;
    self->request(*sup, std::chrono::seconds(60), wsnova::count_children_atom::value)
        .receive([&](const wsnova::child_counts& counts) { running = counts.active; },
                 [&](const caf::error&) {});
    if (running != o.conns)
      return bad("supervisor runs " + std::to_string(running) + " of " + std::to_string(o.conns) +
                 " connections");
    idle_result(out, o.conns, rss_before, held, o.seconds, seconds_between(first, last));
    out["supervised"] = true;
    out["heartbeat_ms"] = static_cast<std::int64_t>(shared_config->session.ping_interval.count());
  } else {  // connect
    // The loop runs in the owner actor: connected -> close 1000 -> closed -> next spawn.
    std::atomic<std::size_t> done{0};  // written by the owner, read by main on failure
    wsnova::connection current;
    auto next = [&] {
      auto conn = spawn(done.load(), nullptr);
      if (!conn) return st.fail("spawn_connection: " + caf::to_string(conn.error()));
      current = *conn;
    };
    st.on_start = next;
    st.on_connected = [&] {
      caf::anon_send(current, wsnova::close_atom::value, std::uint16_t{1000}, std::string{});
    };
    st.on_closed = [&] {
      if (++done == o.count) return st.finish();
      next();
    };
    auto t0 = clock_type::now();
    caf::anon_send(owner, caf::ok_atom::value);  // start the loop inside the owner
    if (auto err = st.wait_for([&] { return st.done; }, std::chrono::seconds(600)); !err.empty())
      return bad("connect " + std::to_string(done.load()) + ": " + err);
    connect_result(out, o.count, seconds_between(t0, clock_type::now()));
  }
  emit(out);
  return finish(0);
}

}  // namespace

int main(int argc, char** argv) {
  // --path and --owner-on are wsnova-only; take them out before the shared parser sees the
  // command line.
  bool owner_path = false;
  bool owner_on_io = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--path" || a == "--owner-on") && i + 1 < argc) {
      std::string value = argv[++i];
      (a == "--path" ? owner_path : owner_on_io) = value == (a == "--path" ? "owner" : "io");
      continue;
    }
    if (a.rfind("--path=", 0) == 0) {
      owner_path = a.substr(7) == "owner";
      continue;
    }
    if (a.rfind("--owner-on=", 0) == 0) {
      owner_on_io = a.substr(11) == "io";
      continue;
    }
    args.push_back(argv[i]);
  }
  return client_main(client_name, static_cast<int>(args.size()), args.data(), true,
                     [&](const options& o) { return run(o, owner_path, owner_on_io); });
}
