// wsnova-storm: as many idle connections as the open-files limit allows, held with heartbeats
// on, then all dropped at once; measures memory per connection, CPU at rest, and how the storm
// of reconnects goes. Not a timed test: CTest runs it small as a smoke test (label `bench`).
//
// Processes: bench-echo-server (one descriptor per connection) and K wsnova-fault-proxy
// processes (two per connection each), all started from the directory of this program; the
// wsnova connections live in this process (one descriptor each), under a simple_one_for_one
// supervisor, connection i going through proxy i mod K. Steps:
//  1. ramp: start the connections, at most --window handshakes in flight, until all are up;
//  2. hold --hold seconds (heartbeats every --ping-interval ms): VmRSS and CPU at rest;
//  3. storm: every proxy drops (`drop_all`, a reset) or closes (`close_all`, a FIN) all its
//     connections at once; the connections reconnect with the default backoff (full jitter);
//     measured per connection: time from the drop until its reconnected_event, attempts;
//     --storm blackhole instead stops forwarding and keeps the sockets open (half-open peers:
//     only the heartbeats find them), waits until every connection has given up on its peer
//     (time to its disconnected_event), then forwards again;
//     with --refuse S the proxies first reset every new connection for S seconds (a service
//     down for a while: the backoff grows, attempts pile up), then accept again;
//  4. none lost for good: every connection sends "n <i>" and must get its echo.
// Prints progress on stderr and one JSON object on the last line of stdout; exit 0 when every
// connection came back and echoed.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <caf/all.hpp>

#include <wsnova/actors/events.hpp>
#include <wsnova/actors/io_module.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/supervision/supervisor.hpp>

#include "../common.hpp"
#include "../supervision/common.hpp"
#include "child_process.hpp"

using namespace wsnova;
using namespace std::chrono_literals;
using bench::clock_type;

namespace {

/// Descriptors a proxy process keeps for itself (listener, pipes, epoll, eventfd, ...).
constexpr std::size_t proxy_reserve = 100;
/// Descriptors the client process keeps beside its connections by default (CAF, Asio, pipes).
constexpr std::size_t client_margin = 1000;
/// The least it may keep (--conns N is refused above the limit minus this).
constexpr std::size_t client_reserve = 100;

struct storm_options {
  std::size_t conns = 0;    // 0: the open-files limit minus client_margin
  std::size_t proxies = 0;  // 0: as few as the open-files limit allows
  double hold = 30;         // seconds at rest
  std::string storm = "drop";
  std::size_t window = 128;  // handshakes in flight during the ramp
  std::size_t io_threads = 1;
  long ping_ms = 20'000;  // the library's default heartbeat
  long pong_ms = 20'000;  // the library's default pong timeout
  double deadline = 180;  // seconds each phase may take
  double refuse = 0;      // seconds the proxies refuse reconnects after the drop
  std::string bin_dir;    // where bench-echo-server and wsnova-fault-proxy are
};

/// What the owner has seen of one connection.
struct conn_state {
  caf::actor handle;
  bool up = false;
  bool back = false;
  bool echoed = false;
  std::uint32_t attempts = 0;
  double back_ms = 0;
  bool down = false;
  double down_ms = 0;  // from the fault until its disconnected_event
};

/// Everything the owner counts; phase counters are reset between phases.
struct tally {
  std::vector<conn_state> conns;
  std::size_t up = 0, back = 0, echoed = 0, started = 0, next_child = 0;
  std::size_t disconnected = 0, reconnecting = 0, closed = 0, errors = 0, unsent = 0;
  std::size_t send_ok = 0, send_failed = 0;
  /// error_event count per description (what failed, at scale).
  std::map<std::string, std::size_t> error_kinds;
  clock_type::time_point dropped_at;
};

std::size_t index_of(const std::string& id) {
  return static_cast<std::size_t>(std::stoul(id.substr(2)));  // "c-<i>"
}

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

/// Returns the kernel's slab memory in kB (/proc/meminfo).
std::int64_t slab_kb() {
  std::ifstream in("/proc/meminfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Slab:", 0) == 0) return std::stoll(line.substr(5));
  return 0;
}

/// Returns the machine's TCP sockets in TIME_WAIT (/proc/net/sockstat: "TCP: inuse .. tw N").
std::int64_t tcp_time_wait() {
  std::ifstream in("/proc/net/sockstat");
  for (std::string line; std::getline(in, line);)
    if (auto at = line.find(" tw "); line.rfind("TCP:", 0) == 0 && at != std::string::npos)
      return std::stoll(line.substr(at + 4));
  return 0;
}

std::size_t fd_limit() {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  return static_cast<std::size_t>(lim.rlim_cur);
}

/// Receives the owner's events until `done()` or `until`; returns done().
template <class Done, class OnUp>
bool pump(caf::scoped_actor& self, tally& t, clock_type::time_point until, Done done, OnUp on_up) {
  auto mark_up = [&](const std::string& id) {
    auto& c = t.conns[index_of(id)];
    c.handle = caf::actor_cast<caf::actor>(self->current_sender());
    if (!c.up) {
      c.up = true;
      ++t.up;
      on_up();
    }
  };
  while (!done()) {
    auto left = until - clock_type::now();
    if (left <= clock_type::duration::zero()) return false;
    auto wait = std::chrono::duration_cast<caf::timespan>(std::min<clock_type::duration>(left, 1s));
    self->receive([&](connected_event& e) { mark_up(e.id); },
                  [&](reconnected_event& e) {
                    mark_up(e.id);  // the first connect, when it needed retries
                    auto& c = t.conns[index_of(e.id)];
                    if (!c.back) {
                      c.back = true;
                      c.back_ms = ms_since(t.dropped_at);
                      ++t.back;
                    }
                  },
                  [&](reconnecting_event& e) {
                    ++t.conns[index_of(e.id)].attempts;
                    ++t.reconnecting;
                  },
                  [&](disconnected_event& e) {
                    ++t.disconnected;
                    auto& c = t.conns[index_of(e.id)];
                    if (!c.down) {
                      c.down = true;
                      c.down_ms = ms_since(t.dropped_at);
                    }
                  },
                  [&](message_event& e) {
                    auto i = index_of(e.id);
                    auto& c = t.conns[i];
                    if (!c.echoed && e.message.payload == "n " + std::to_string(i)) {
                      c.echoed = true;
                      ++t.echoed;
                    }
                  },
                  [&](closed_event& e) {
                    if (++t.closed <= 5) std::cerr << "closed for good: " << e.id << '\n';
                  },
                  [&](error_event& e) {
                    ++t.errors;
                    ++t.error_kinds[describe(e.error)];
                  },
                  [&](unsent_event&) { ++t.unsent; }, [](ownership_event&) {},
                  [&](caf::ok_atom) { ++t.send_ok; }, [&](caf::actor&) { ++t.started; },
                  [&](caf::error& err) {
                    if (++t.send_failed <= 5) std::cerr << "failed: " << describe(err) << '\n';
                  },
                  caf::after(wait) >> [] {});
  }
  return true;
}

/// Reads a whole number >= 0 (and nothing after it) or throws naming the flag.
double number(const char* flag, const char* text) {
  std::istringstream in{text};
  double value = -1;
  if (!(in >> value) || !in.eof() || value < 0)
    throw std::runtime_error(std::string{flag} + " needs a number >= 0, got \"" + text + "\"");
  return value;
}

storm_options parse(int argc, char** argv) {
  storm_options o;
  auto count = [](const char* flag, std::size_t& to, std::size_t at_least) {
    return [flag, &to, at_least](const char* v) {
      to = std::max(at_least, static_cast<std::size_t>(number(flag, v)));
    };
  };
  bool ok = bench::parse_flags(
      argc, argv,
      {{"--conns", count("--conns", o.conns, 0)},
       {"--proxies", count("--proxies", o.proxies, 0)},
       {"--hold", [&](const char* v) { o.hold = number("--hold", v); }},
       {"--storm", [&](const char* v) { o.storm = v; }},
       {"--window", count("--window", o.window, 1)},
       {"--io-threads", count("--io-threads", o.io_threads, 1)},
       {"--ping-interval",
        [&](const char* v) { o.ping_ms = static_cast<long>(number("--ping-interval", v)); }},
       {"--pong-timeout",
        [&](const char* v) { o.pong_ms = static_cast<long>(number("--pong-timeout", v)); }},
       {"--deadline", [&](const char* v) { o.deadline = number("--deadline", v); }},
       {"--refuse", [&](const char* v) { o.refuse = number("--refuse", v); }},
       {"--bin", [&](const char* v) { o.bin_dir = v; }}},
      "usage: wsnova-storm [--conns N] [--proxies K] [--hold S]\n"
      "                    [--storm drop|close|blackhole|none]\n"
      "                    [--window W] [--io-threads N] [--ping-interval MS]\n"
      "                    [--pong-timeout MS] [--deadline S]\n"
      "                    [--refuse S] [--bin DIR]\n"
      "defaults: N = open-files limit - 1000, K = as few as the limit allows, S = 30,\n"
      "storm drop, W = 128, 1 I/O thread, heartbeat 20000 ms (0: off), pong timeout\n"
      "20000 ms, 180 s per phase,\n"
      "no refusal (--refuse S: the proxies reset every reconnect for S s after the drop),\n"
      "DIR = this program's directory\n");
  if (!ok) std::exit(2);
  if (o.storm != "drop" && o.storm != "close" && o.storm != "blackhole" && o.storm != "none")
    throw std::runtime_error("--storm takes drop, close, blackhole or none");
  if (o.storm == "blackhole" && o.ping_ms == 0)
    throw std::runtime_error("--storm blackhole needs heartbeats (--ping-interval > 0)");
  if (o.deadline <= 0) throw std::runtime_error("--deadline must be > 0");
  if (o.bin_dir.empty()) {
    std::string self{argv[0]};
    auto slash = self.rfind('/');
    o.bin_dir = slash == std::string::npos ? "." : self.substr(0, slash);
  }
  return o;
}

/// Returns the connections the proxies forward now (their `stats`).
std::size_t proxy_active(std::vector<std::unique_ptr<bench::child_process>>& proxies) {
  std::size_t sum = 0;
  for (auto& p : proxies) {
    auto stats = p->command("stats", 10s);
    if (auto at = stats.find("active="); at != std::string::npos)
      sum += std::stoul(stats.substr(at + 7));
  }
  return sum;
}

struct cpu_snapshot {
  double client = 0, proxies = 0, server = 0;
};

int run(const storm_options& opts) {
  auto limit = fd_limit();
  std::size_t n = opts.conns ? opts.conns : limit - std::min(limit, client_margin);
  if (n == 0 || n + client_reserve > limit)
    throw std::runtime_error("--conns " + std::to_string(n) +
                             " needs more than the open-files limit " + std::to_string(limit) +
                             " (one descriptor per connection + " + std::to_string(client_reserve) +
                             ")");
  auto per_proxy = (limit - proxy_reserve) / 2;
  std::size_t k = opts.proxies ? opts.proxies : (n + per_proxy - 1) / per_proxy;
  if ((n + k - 1) / k > per_proxy)
    throw std::runtime_error(std::to_string(k) + " proxies cannot hold " + std::to_string(n) +
                             " connections: at most " + std::to_string(per_proxy) + " each");
  std::cerr << "storm: " << n << " connections, " << k << " proxies, open-files limit " << limit
            << ", load average " << load_average() << '\n';

  // -- the other processes ---------------------------------------------------------------
  std::optional<bench::child_process> server;
  server.emplace(opts.bin_dir + "/bench-echo-server", std::vector<std::string>{"--port", "0"});
  auto server_port = server->read_port(10s);
  std::vector<std::unique_ptr<bench::child_process>> proxies;
  std::vector<std::string> urls;
  for (std::size_t p = 0; p < k; ++p) {
    proxies.push_back(std::make_unique<bench::child_process>(
        opts.bin_dir + "/wsnova-fault-proxy",
        std::vector<std::string>{"--target", std::to_string(server_port)}));
    urls.push_back("ws://127.0.0.1:" + std::to_string(proxies.back()->read_port(10s)) + "/");
  }
  auto cpu_now = [&] {
    cpu_snapshot s{bench::cpu_seconds(), 0, server->cpu_seconds()};
    for (auto& p : proxies) s.proxies += p->cpu_seconds();
    return s;
  };

  // -- the connections -------------------------------------------------------------------
  caf::actor_system_config cfg;
  cfg.load<io_module>();
  caf::put(cfg.content, std::string_view{io_module::threads_key},
           static_cast<std::int64_t>(opts.io_threads));
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  tally t;
  t.conns.resize(n);
  child_spec tmpl;
  tmpl.id = "c";
  // One configuration shared by the 19,000 (spawn_connection's shared overload); each child
  // names its connection "c-<i>".
  std::vector<std::shared_ptr<const connection_config>> configs;
  for (const auto& url : urls) {
    connection_config config;
    config.url = url;
    config.session.ping_interval = std::chrono::milliseconds{opts.ping_ms};
    config.session.pong_timeout = std::chrono::milliseconds{opts.pong_ms};
    config.reconnect.retry_initial_connect = true;  // a full listen backlog is not an answer
    config.log_threshold = log_level::error;        // a warning per drop would be 19,000 lines
    configs.push_back(std::make_shared<const connection_config>(std::move(config)));
  }
  tmpl.start = start_with([&](caf::actor_system& sys, const caf::message& args) {
    auto i = args.get_as<std::uint64_t>(0);
    return spawn_connection(sys, configs[i % k], unchecked_owner(self), "c-" + std::to_string(i));
  });
  supervisor_flags flags;
  flags.strategy = strategy_kind::simple_one_for_one;
  flags.intensity = 1'000'000;  // never give up during the run: every restart counts
  auto sup = spawn_supervisor(sys, flags, {tmpl});
  if (!sup) throw std::runtime_error("supervisor: " + describe(sup.error()));
  auto start_next = [&] {
    if (t.next_child < n)
      self->send(*sup, start_child_atom::value,
                 caf::make_message(static_cast<std::uint64_t>(t.next_child++)));
  };
  auto phase_end = [&] {
    return clock_type::now() + std::chrono::milliseconds{static_cast<long>(opts.deadline * 1000)};
  };

  boost::json::object out;
  out["bench"] = "storm";
  out["conns"] = n;
  out["proxies"] = k;
  out["fd_limit"] = limit;
  out["io_threads"] = opts.io_threads;
  out["ping_interval_ms"] = opts.ping_ms;
  out["pong_timeout_ms"] = opts.pong_ms;
  out["storm"] = opts.storm;
  out["load_average_start"] = load_average();
  out["tcp_time_wait_start"] = tcp_time_wait();

  // 1. ramp
  auto rss_before = bench::rss_kb();
  auto slab_before = slab_kb();
  auto ramp_start = clock_type::now();
  for (std::size_t i = 0; i < std::min(opts.window, n); ++i) start_next();
  bool ramped = pump(
      self, t, phase_end(), [&] { return t.up == n; }, start_next);
  out["connect_s"] = bench::seconds_between(ramp_start, clock_type::now());
  // Machine-wide (other processes add noise): four sockets per connection here (client, proxy
  // both sides, server), struct sock, file, inode, epoll entry; buffers of idle sockets are empty.
  out["kernel_slab_kb_per_conn"] =
      static_cast<double>(slab_kb() - slab_before) / static_cast<double>(n);
  out["connected"] = t.up;
  out["ramp_reconnects"] = t.reconnecting;
  std::cerr << "ramp: " << t.up << "/" << n << " up in " << out["connect_s"].as_double() << " s\n";
  out["proxy_active"] = proxy_active(proxies);
  auto no_op = [] {};

  // 2. hold at rest
  if (ramped) {
    auto rss_up = bench::rss_kb();
    auto cpu0 = cpu_now();
    auto hold_until =
        clock_type::now() + std::chrono::milliseconds{static_cast<long>(opts.hold * 1000)};
    pump(
        self, t, hold_until, [] { return false; }, no_op);
    auto cpu1 = cpu_now();
    auto rss_held = bench::rss_kb();
    std::int64_t proxy_rss = 0;
    for (auto& p : proxies) proxy_rss += p->rss_kb();
    out["rss_before_kb"] = rss_before;
    out["rss_kb"] = rss_up;
    out["rss_after_hold_kb"] = rss_held;
    out["kb_per_conn"] = static_cast<double>(rss_up - rss_before) / static_cast<double>(n);
    out["kb_per_conn_after_hold"] =
        static_cast<double>(rss_held - rss_before) / static_cast<double>(n);
    out["proxy_kb_per_conn"] = static_cast<double>(proxy_rss) / static_cast<double>(n);
    out["server_kb_per_conn"] = static_cast<double>(server->rss_kb()) / static_cast<double>(n);
    out["hold_s"] = opts.hold;
    auto pct = [&](double a, double b) { return opts.hold > 0 ? (b - a) / opts.hold * 100 : 0.0; };
    out["rest_cpu_pct"] = pct(cpu0.client, cpu1.client);
    out["rest_cpu_pct_proxies"] = pct(cpu0.proxies, cpu1.proxies);
    out["rest_cpu_pct_server"] = pct(cpu0.server, cpu1.server);
    out["rest_disconnects"] = t.disconnected;
    std::cerr << "rest: " << out["kb_per_conn"].as_double() << " kB/conn, "
              << out["rest_cpu_pct"].as_double() << " % CPU over " << opts.hold << " s\n";
  }

  // 3. storm, 4. echo
  bool all_back = false, all_echoed = false;
  if (ramped && opts.storm != "none") {
    // What the ramp and the hold saw (first connects that needed retries) is not the storm.
    t.disconnected = t.reconnecting = t.back = 0;
    for (auto& c : t.conns) {
      c.back = c.down = false;
      c.attempts = 0;
    }
    auto cpu0 = cpu_now();
    t.dropped_at = clock_type::now();
    auto to_all = [&](const std::string& command) {
      for (auto& p : proxies) p->write_line(command);
      for (auto& p : proxies)
        if (auto answer = p->read_line(60s); !answer || answer->rfind("ok", 0) != 0)
          throw std::runtime_error(command + ": " + answer.value_or("no answer"));
    };
    if (opts.refuse > 0) to_all("refuse");  // every attempt fails until `accept`
    if (opts.storm == "blackhole") {
      // Half-open: nothing arrives, nothing fails; only the heartbeats can tell. Forwarding
      // resumes once every connection has given up on its peer.
      to_all("blackhole");
      pump(
          self, t, phase_end(), [&] { return t.disconnected >= n; }, no_op);
      std::vector<double> downs;
      for (auto& c : t.conns)
        if (c.down) downs.push_back(c.down_ms);
      std::sort(downs.begin(), downs.end());
      out["found_dead"] = downs.size();
      out["found_dead_p50_ms"] = bench::percentile(downs, 50);
      out["found_dead_p99_ms"] = bench::percentile(downs, 99);
      out["found_dead_max_ms"] = downs.empty() ? 0.0 : downs.back();
      to_all("pass");
    } else {
      to_all(opts.storm == "drop" ? "drop_all" : "close_all");
    }
    out["drop_command_ms"] = ms_since(t.dropped_at);
    if (opts.refuse > 0) {
      pump(
          self, t, t.dropped_at + std::chrono::milliseconds{static_cast<long>(opts.refuse * 1000)},
          [] { return false; }, no_op);
      to_all("accept");
      out["refused_s"] = opts.refuse;
    }
    all_back = pump(
        self, t, phase_end(), [&] { return t.back == n; }, no_op);
    auto storm_ms = ms_since(t.dropped_at);
    auto cpu1 = cpu_now();
    std::vector<double> backs;
    std::uint32_t max_attempts = 0;
    for (auto& c : t.conns) {
      if (c.back) backs.push_back(c.back_ms);
      max_attempts = std::max(max_attempts, c.attempts);
    }
    std::sort(backs.begin(), backs.end());
    out["back"] = t.back;
    out["back_p50_ms"] = bench::percentile(backs, 50);
    out["back_p99_ms"] = bench::percentile(backs, 99);
    out["back_max_ms"] = backs.empty() ? 0.0 : backs.back();
    out["storm_ms"] = storm_ms;
    out["disconnected"] = t.disconnected;
    out["reconnect_attempts"] = t.reconnecting;
    out["max_attempts"] = max_attempts;
    out["storm_cpu_s"] = cpu1.client - cpu0.client;
    out["storm_cpu_us_per_reconnect"] = (cpu1.client - cpu0.client) * 1e6 / static_cast<double>(n);
    out["tcp_time_wait"] = tcp_time_wait();
    out["storm_cpu_s_proxies"] = cpu1.proxies - cpu0.proxies;
    out["storm_cpu_s_server"] = cpu1.server - cpu0.server;
    std::cerr << "storm: " << t.back << "/" << n << " back, max " << out["back_max_ms"].as_double()
              << " ms, " << t.reconnecting << " attempts\n";

    auto echo_start = clock_type::now();
    for (std::size_t i = 0; i < n; ++i)
      if (t.conns[i].handle)
        self->send(t.conns[i].handle, send_atom::value,
                   ws_message{message_kind::text, "n " + std::to_string(i)});
    all_echoed = pump(
        self, t, phase_end(), [&] { return t.echoed == n; }, no_op);
    out["echoed"] = t.echoed;
    out["echo_s"] = bench::seconds_between(echo_start, clock_type::now());
    out["proxy_active_after"] = proxy_active(proxies);
    std::cerr << "echo: " << t.echoed << "/" << n << '\n';
  }
  out["lost"] = n - (opts.storm == "none" ? t.up : t.echoed);
  out["children_started"] = t.started;
  out["send_ok"] = t.send_ok;
  out["closed"] = t.closed;
  out["errors"] = t.errors;
  boost::json::object kinds;
  for (auto& [what, count] : t.error_kinds) kinds[what] = count;
  out["error_kinds"] = std::move(kinds);
  out["send_failed"] = t.send_failed;
  out["unsent"] = t.unsent;
  out["load_average_end"] = load_average();
  bool ok = ramped && (opts.storm == "none" || (all_back && all_echoed)) && t.closed == 0;
  out["ok"] = ok;
  bench::emit(out);
  proxies.clear();  // they exit at the end of their input
  server.reset();
  // Tearing down thousands of actors is not what this measures (as the other clients).
  std::_Exit(ok ? 0 : 1);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  bench::raise_fd_limit();
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    return bench::fail("wsnova-storm", "storm", e.what());
  }
}
