#include <wsnova/actors/profiles.hpp>

#include <wsnova/core/detail/enum_names.hpp>

namespace wsnova {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// One setter per group of settings a profile tunes together, so that each profile below
// reads as the few numbers that set it apart.

void set_heartbeat(session_options& session, milliseconds ping, milliseconds pong) {
  session.ping_interval = ping;
  session.pong_timeout = pong;
}

void set_timeouts(session_options& session, milliseconds connect, milliseconds handshake) {
  session.connect_timeout = connect;
  session.handshake_timeout = handshake;
}

void set_backoff(reconnect_policy& reconnect, milliseconds initial, milliseconds max,
                 milliseconds stable_after) {
  reconnect.initial_delay = initial;
  reconnect.max_delay = max;
  reconnect.stable_after = stable_after;
}

void set_send_limits(send_limits& sending, std::size_t messages, std::size_t bytes) {
  sending.max_queued_messages = messages;
  sending.max_queued_bytes = bytes;
}

}  // namespace

const char* to_string(profile kind) {
  return detail::enum_name<profile::chat>(kind, {"financial", "standard", "lightweight", "chat"},
                                          "unknown");
}

connection_config make_profile(profile kind, std::string url) {
  connection_config config;
  config.url = std::move(url);
  auto& session = config.session;
  auto& reconnect = config.reconnect;
  auto& sending = config.sending;
  switch (kind) {
    case profile::financial:
      session.compress = false;
      session.tcp_nodelay = true;
      session.coalesce_writes = false;  // a lone order must not wait for the round to end
      set_heartbeat(session, seconds{5}, seconds{5});
      set_timeouts(session, seconds{3}, seconds{3});
      session.max_message_size = 4u << 20;
      reconnect.kind = backoff_kind::exponential_full_jitter;
      set_backoff(reconnect, milliseconds{100}, seconds{5}, seconds{10});
      set_send_limits(sending, 256, 1u << 20);
      sending.when_disconnected = offline_send_policy::reject;
      break;
    case profile::standard:
      set_heartbeat(session, seconds{20}, seconds{20});
      break;
    case profile::lightweight:
      set_heartbeat(session, seconds{60}, seconds{30});
      set_timeouts(session, seconds{15}, seconds{15});
      session.max_message_size = 1u << 20;
      set_backoff(reconnect, seconds{1}, seconds{60}, seconds{60});
      set_send_limits(sending, 64, 256u << 10);
      break;
    case profile::chat:
      session.compress = true;
      set_heartbeat(session, seconds{30}, seconds{30});
      reconnect.kind = backoff_kind::exponential_decorrelated_jitter;
      set_backoff(reconnect, seconds{1}, seconds{120}, seconds{60});
      set_send_limits(sending, 16384, 64u << 20);
      sending.when_disconnected = offline_send_policy::buffer;
      sending.max_buffered_messages = 4096;
      sending.max_buffered_bytes = 16u << 20;
      break;
  }
  return config;
}

}  // namespace wsnova
