#include <wsnova/actors/profiles.hpp>

namespace wsnova {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

void set_heartbeat(session_options& session, milliseconds ping, milliseconds pong) {
  session.ping_interval = ping;
  session.pong_timeout = pong;
}

}  // namespace

const char* to_string(profile kind) {
  switch (kind) {
    case profile::financial:
      return "financial";
    case profile::standard:
      return "standard";
    case profile::lightweight:
      return "lightweight";
    case profile::chat:
      return "chat";
  }
  return "unknown";
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
      session.connect_timeout = seconds{3};
      session.handshake_timeout = seconds{3};
      session.max_message_size = 4u << 20;
      reconnect.kind = backoff_kind::exponential_full_jitter;
      reconnect.initial_delay = milliseconds{100};
      reconnect.max_delay = seconds{5};
      reconnect.stable_after = seconds{10};
      sending.max_queued_messages = 256;
      sending.max_queued_bytes = 1u << 20;
      sending.when_disconnected = offline_send_policy::reject;
      break;
    case profile::standard:
      set_heartbeat(session, seconds{20}, seconds{20});
      break;
    case profile::lightweight:
      set_heartbeat(session, seconds{60}, seconds{30});
      session.connect_timeout = seconds{15};
      session.handshake_timeout = seconds{15};
      session.max_message_size = 1u << 20;
      reconnect.initial_delay = seconds{1};
      reconnect.max_delay = seconds{60};
      reconnect.stable_after = seconds{60};
      sending.max_queued_messages = 64;
      sending.max_queued_bytes = 256u << 10;
      break;
    case profile::chat:
      session.compress = true;
      set_heartbeat(session, seconds{30}, seconds{30});
      reconnect.kind = backoff_kind::exponential_decorrelated_jitter;
      reconnect.initial_delay = seconds{1};
      reconnect.max_delay = seconds{120};
      reconnect.stable_after = seconds{60};
      sending.max_queued_messages = 16384;
      sending.max_queued_bytes = 64u << 20;
      sending.when_disconnected = offline_send_policy::buffer;
      sending.max_buffered_messages = 4096;
      sending.max_buffered_bytes = 16u << 20;
      break;
  }
  return config;
}

}  // namespace wsnova
