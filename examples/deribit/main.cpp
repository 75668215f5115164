// wsnova-deribit: a Deribit feed (API v2) through the Deribit adapter, supervised. See
// docs/deribit.md and `wsnova-deribit --help`.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include <pthread.h>

#include <caf/all.hpp>

#include <wsnova/actors/io_module.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/adapters/adapter.hpp>
#include <wsnova/adapters/deribit_adapter.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/supervision/supervisor.hpp>
#include <wsnova/testing/deribit_exchange.hpp>

#include "feed_printer.hpp"
#include "options.hpp"

using namespace wsnova;
using namespace deribit_example;

namespace {

void status(const std::string& line) { std::cerr << "wsnova-deribit: " << line << std::endl; }

/// Prints the connection's authentication and restore log events (the rest shows as events).
logging_behavior::local auth_and_restore_log() {
  return logging_behavior::local{}.on(log_atom::value, [](handler_context&, log_event& e) {
    if (e.event == "authenticated" || e.event == "restored")
      status(e.event + " in " +
             std::to_string(
                 std::chrono::duration_cast<std::chrono::microseconds>(e.duration).count()) +
             " us" + (e.detail.empty() ? "" : " (" + e.detail + ")"));
    else if (e.event == "auth")
      status("authenticating (" + e.detail + ")");
    else if (e.level >= log_level::warning)
      status(std::string{to_string(e.level)} + ": " + e.event + " " + e.detail);
  });
}

/// Sent by the signal thread on SIGINT or SIGTERM.
using interrupt_atom = caf::atom_constant<caf::atom("interrupt")>;

/// Waits for SIGINT or SIGTERM on a thread of its own and tells `target`. `signals` (which
/// also holds SIGUSR1, the wake-up at the end) must be blocked in every thread: block them
/// before any thread starts, so that every thread inherits the mask.
class signal_watch {
 public:
  signal_watch(const sigset_t& signals, caf::actor target)
      : thread_{[signals, target] {
          int received = 0;
          sigwait(&signals, &received);
          if (received != SIGUSR1) caf::anon_send(target, interrupt_atom::value);
        }} {}
  ~signal_watch() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }
  signal_watch(const signal_watch&) = delete;
  signal_watch& operator=(const signal_watch&) = delete;

 private:
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto opts = parse_options(argc, argv, exit_code);
  if (!opts) return exit_code;

  // Signals are blocked before any thread starts, so every thread inherits the mask.
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);

  std::optional<test::deribit_exchange> exchange;
  if (opts->url.empty()) {
    test::exchange_options local;
    local.min_heartbeat_interval = 1;
    local.token_lifetime = opts->local_token_lifetime;
    exchange.emplace(local);
    opts->url = exchange->url();
    if (opts->client_id.empty() && opts->client_secret.empty()) {
      opts->client_id = local.client_id;
      opts->client_secret = local.client_secret;
    }
    if (opts->channels.empty())
      opts->channels = {"ticker.BTC-PERPETUAL.100ms", "user.orders.BTC-PERPETUAL.raw"};
    status("no --url: streaming from the local exchange at " + opts->url);
  }

  deribit::adapter_options adapter_opts;
  adapter_opts.key = {opts->client_id, opts->client_secret};
  adapter_opts.heartbeat = opts->heartbeat;
  auto config = make_config(deribit::adapter{adapter_opts}, opts->profile, opts->url);
  config.id = "deribit";
  config.log_threshold = log_level::info;
  config.behaviors.logging = auth_and_restore_log();
  config.session.tls.ca_file = opts->ca_file;
  status(std::string{"profile "} + to_string(opts->profile) + ", " +
         std::to_string(opts->channels.size()) + " channel(s)" +
         (opts->client_id.empty() ? ", no credentials (public channels only)" : ", authenticated"));

  caf::actor_system_config cfg;
  cfg.load<io_module>();
  caf::actor_system system{cfg};
  int result = EXIT_SUCCESS;
  {
    caf::scoped_actor self{system};
    signal_watch signals{blocked, caf::actor_cast<caf::actor>(self)};
    auto summary = std::make_shared<feed_summary>();
    auto printer =
        spawn_feed_printer(system, opts->count, caf::actor_cast<caf::actor>(self), summary);

    // One permanent child: when the connection actor itself ends (reconnects exhausted, a
    // final close), the supervisor starts a new one, which subscribes again.
    child_spec feed;
    feed.id = "deribit-feed";
    feed.start = start_with([&config, &printer, channels = opts->channels](caf::actor_system& sys) {
      auto conn = spawn_connection(sys, config, printer);
      if (conn)
        for (const auto& channel : channels)
          caf::anon_send(*conn, subscribe_atom::value, channel, std::string{});
      return conn;
    });
    supervisor_flags flags;
    flags.intensity = 5;
    flags.period = std::chrono::seconds{60};
    auto sup = spawn_supervisor(system, flags, {feed});
    if (!sup) {
      status("cannot start: " + describe(sup.error()));
      caf::anon_send_exit(printer, caf::exit_reason::user_shutdown);
      return EXIT_FAILURE;
    }
    const auto supervisor = caf::actor_cast<caf::actor>(*sup);
    self->monitor(supervisor);
    bool running = true;
    while (running) {
      self->receive([&](caf::ok_atom) { running = false; },
                    [&](interrupt_atom) {
                      status("interrupted");
                      running = false;
                    },
                    [&](caf::down_msg& down) {
                      status("gave up: the supervisor stopped (" + describe(down.reason) + ")");
                      result = EXIT_FAILURE;
                      running = false;
                    });
    }
    self->demonitor(supervisor);
    for (const auto& actor : {supervisor, caf::actor_cast<caf::actor>(printer)}) {
      self->monitor(actor);
      self->send_exit(actor, caf::exit_reason::user_shutdown);
      self->receive([](caf::down_msg&) {});
    }
    std::uint64_t missing = 0;
    for (const auto& [channel, n] : summary->missing) missing += n;
    status(std::to_string(summary->notifications) + " notification(s), " + std::to_string(missing) +
           " missing from the channels' sequences");
  }
  return result;
}
