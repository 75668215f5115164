// Shared by the benchmark programs: the command line contract, JSON output, process
// measurements (RSS, CPU time) and percentiles. Header-only, no wsnova dependency.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <boost/program_options.hpp>

namespace wsnova::bench {

/// The common command line of `beast-bench` and `wsnova-bench`.
struct options {
  /// ws://127.0.0.1:PORT/ or wss://127.0.0.1:PORT/.
  std::string url;
  /// throughput, latency, idle or connect.
  std::string mode = "throughput";
  /// Connections; default depends on the mode (throughput 1, idle 1000).
  std::size_t conns = 0;
  /// Payload bytes per message.
  std::size_t size = 64;
  /// throughput: messages in flight per connection; idle: handshakes in flight.
  std::size_t window = 0;
  /// throughput: measured seconds (after a 1 s warm-up); idle: seconds to hold.
  double seconds = 5;
  /// latency: timed round trips; connect: connects.
  std::size_t count = 0;
  /// Send text frames instead of binary.
  bool text = false;
  /// Offer permessage-deflate.
  bool deflate = false;
  /// Warm-up seconds before a throughput window.
  double warmup = 1;
  /// wsnova only: I/O threads and CAF scheduler threads.
  std::size_t io_threads = 1;
  std::size_t caf_threads = 1;
  /// wsnova only: CAF work-stealing moderate-poll-attempts; -1 keeps CAF's default (500).
  long caf_moderate_polls = -1;
  /// True once the URL is wss://.
  bool secure = false;
  std::string host;
  std::string port;
  std::string target = "/";
};

/// Prints the JSON object as the last line of stdout and flushes.
inline void emit(const boost::json::object& result) {
  std::cout << boost::json::serialize(result) << std::endl;
  std::fflush(stdout);
}

/// Prints `{"client":..,"mode":..,"error":what}` and returns the exit code 1.
inline int fail(const std::string& client, const std::string& mode, const std::string& what) {
  boost::json::object out;
  out["client"] = client;
  out["mode"] = mode;
  out["error"] = what;
  emit(out);
  return 1;
}

/// Parses the command line; throws std::runtime_error with a usage message on bad input.
inline options parse_options(int argc, char** argv, bool wsnova_flags) {
  namespace po = boost::program_options;
  options o;
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("url", po::value(&o.url)->required(),
                                                 "ws://127.0.0.1:PORT/ or wss://127.0.0.1:PORT/")(
      "mode", po::value(&o.mode)->default_value("throughput"), "throughput|latency|idle|connect")(
      "conns", po::value(&o.conns), "connections (throughput 1, idle 1000)")(
      "size", po::value(&o.size)->default_value(64), "payload bytes")(
      "window", po::value(&o.window),
      "throughput: messages in flight per connection (16); "
      "idle: handshakes in flight (64)")("seconds", po::value(&o.seconds),
                                         "throughput: measured seconds (5); idle: hold (5)")(
      "warmup", po::value(&o.warmup)->default_value(1), "throughput: warm-up seconds")(
      "count", po::value(&o.count), "latency: timed round trips (20000); connect: connects (1000)")(
      "text", po::bool_switch(&o.text), "text frames instead of binary")(
      "deflate", po::bool_switch(&o.deflate), "offer permessage-deflate");
  if (wsnova_flags) {
    desc.add_options()("io-threads", po::value(&o.io_threads)->default_value(1),
                       "wsnova I/O threads (io_module)")(
        "caf-threads", po::value(&o.caf_threads)->default_value(1), "CAF scheduler threads")(
        "caf-moderate-polls", po::value(&o.caf_moderate_polls)->default_value(-1),
        "CAF work-stealing.moderate-poll-attempts (each sleeps 50 us); -1 keeps CAF's default");
  }
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cerr << desc << '\n';
      std::exit(0);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::ostringstream usage;
    usage << e.what() << "\n" << desc;
    throw std::runtime_error(usage.str());
  }
  if (o.mode != "throughput" && o.mode != "latency" && o.mode != "idle" && o.mode != "connect")
    throw std::runtime_error("unknown --mode " + o.mode);
  if (o.conns == 0) o.conns = o.mode == "idle" ? 1000 : 1;
  if (o.window == 0) o.window = o.mode == "idle" ? 64 : 16;
  if (o.count == 0) o.count = o.mode == "connect" ? 1000 : 20000;
  if (!vm.count("seconds")) o.seconds = 5;
  // URL: scheme://host:port/target
  std::string rest;
  if (o.url.rfind("ws://", 0) == 0) {
    rest = o.url.substr(5);
  } else if (o.url.rfind("wss://", 0) == 0) {
    rest = o.url.substr(6);
    o.secure = true;
  } else {
    throw std::runtime_error("--url must start with ws:// or wss://");
  }
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string::npos) o.target = rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--url needs a port");
  o.host = authority.substr(0, colon);
  o.port = authority.substr(colon + 1);
  return o;
}

/// Raises the soft limit of open files to the hard limit (10,000 connections need it).
inline void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

/// Returns VmRSS of this process in kB (0 if unreadable).
inline std::int64_t rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

/// Returns user + system CPU seconds of this process.
inline double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto tv = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

using clock_type = std::chrono::steady_clock;

/// Seconds between two time points.
inline double seconds_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// Nearest-rank percentile (p in (0, 100]) of sorted samples.
inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * double(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

/// Fills the latency keys from samples in microseconds.
inline void latency_result(boost::json::object& out, std::vector<double> samples_us) {
  std::sort(samples_us.begin(), samples_us.end());
  out["p50_us"] = percentile(samples_us, 50);
  out["p99_us"] = percentile(samples_us, 99);
  out["p999_us"] = percentile(samples_us, 99.9);
  out["count"] = samples_us.size();
}

/// Fills the throughput keys.
inline void throughput_result(boost::json::object& out, std::uint64_t msgs, std::size_t size,
                              double seconds, double cpu_s) {
  out["msgs"] = msgs;
  out["seconds"] = seconds;
  out["msgs_per_s"] = double(msgs) / seconds;
  out["MB_per_s"] = double(msgs) * double(size) / 1e6 / seconds;
  out["cpu_s"] = cpu_s;
  out["us_per_msg"] = msgs ? cpu_s * 1e6 / double(msgs) : 0.0;
}

/// Measures the idle hold: sleeps `hold_s` seconds, then reads VmRSS. Returns the RSS in kB
/// and the process CPU seconds spent during the hold (timers, heartbeats, polling threads).
struct idle_hold {
  std::int64_t rss_kb = 0;
  double cpu_s = 0;
};
inline idle_hold hold_idle(double hold_s) {
  auto c0 = cpu_seconds();
  std::this_thread::sleep_for(std::chrono::duration<double>(hold_s));
  return {rss_kb(), cpu_seconds() - c0};
}

/// Fills the idle keys: `conns` connections held `hold_s` seconds grew VmRSS from
/// `rss_before_kb` to `held.rss_kb`; `cpu_idle_pct` is the process CPU during the hold as a
/// percentage of one core.
inline void idle_result(boost::json::object& out, std::size_t conns, std::int64_t rss_before_kb,
                        const idle_hold& held, double hold_s, double connect_s) {
  out["rss_before_kb"] = rss_before_kb;
  out["rss_kb"] = held.rss_kb;
  out["kb_per_conn"] = double(held.rss_kb - rss_before_kb) / double(conns);
  out["connect_s"] = connect_s;
  out["cpu_idle_pct"] = hold_s > 0 ? 100.0 * held.cpu_s / hold_s : 0.0;
}

/// Fills the connect keys: `count` connects (each open and closed) took `seconds`.
inline void connect_result(boost::json::object& out, std::size_t count, double seconds) {
  out["count"] = count;
  out["seconds"] = seconds;
  out["connects_per_s"] = double(count) / seconds;
}

/// The `main` of a client benchmark: ignores SIGPIPE, raises the open files limit, parses
/// the command line and calls `run(options)`; a bad command line or an exception becomes
/// the error JSON line of `fail` (exit code 1).
template <class Run>
int client_main(const char* client, int argc, char** argv, bool wsnova_flags, Run run) {
  std::signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();
  options o;
  try {
    o = parse_options(argc, argv, wsnova_flags);
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return fail(client, "?", e.what());
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    return fail(client, o.mode, e.what());
  }
}

/// Fills the common keys describing a run.
inline void describe(boost::json::object& out, const char* client, const options& o) {
  out["client"] = client;
  out["mode"] = o.mode;
  out["url"] = o.url;
  out["conns"] = o.conns;
  out["size"] = o.size;
  out["window"] = o.window;
  out["text"] = o.text;
  out["deflate"] = o.deflate;
}

}  // namespace wsnova::bench
