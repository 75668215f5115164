#include <wsnova/actors/profiles.hpp>

#include <wsnova/core/detail/enum_names.hpp>

namespace wsnova {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr profile all_profiles[] = {profile::financial, profile::standard, profile::lightweight,
                                    profile::chat};

// One setter per group of settings a profile tunes together, so that each profile below
// reads as the few numbers that set it apart.

void set_timeouts(connection_config& config, milliseconds connect, milliseconds ping,
                  milliseconds pong) {
  config.session.connect_timeout = connect;
  config.session.handshake_timeout = connect;
  config.session.ping_interval = ping;
  config.session.pong_timeout = pong;
}

void set_reconnect(reconnect_policy& reconnect, backoff_kind kind, double jitter,
                   std::uint32_t attempts, milliseconds initial, milliseconds max) {
  reconnect.kind = kind;
  reconnect.jitter = jitter;
  reconnect.max_attempts = attempts;
  reconnect.initial_delay = initial;
  reconnect.max_delay = max;
}

void set_send_limits(send_limits& sending, std::size_t messages, std::size_t bytes) {
  sending.max_queued_messages = messages;
  sending.max_queued_bytes = bytes;
}

void set_answer_timeouts(connection_config& config, milliseconds timeout) {
  config.auth_timeout = timeout;
  config.subscribe_timeout = timeout;
}

}  // namespace

const char* to_string(profile kind) {
  return detail::enum_name<profile::chat>(kind, {"financial", "standard", "lightweight", "chat"},
                                          "unknown");
}

std::optional<profile> profile_from_string(std::string_view name) {
  for (auto kind : all_profiles)
    if (name == to_string(kind)) return kind;
  return std::nullopt;
}

connection_config make_profile(profile kind, std::string url) {
  connection_config config;
  config.url = std::move(url);
  auto& session = config.session;
  auto& reconnect = config.reconnect;
  auto& sending = config.sending;
  switch (kind) {
    case profile::financial:
      set_timeouts(config, seconds{5}, seconds{15}, seconds{5});
      set_reconnect(reconnect, backoff_kind::exponential, 0.25, 0, milliseconds{100}, seconds{30});
      reconnect.stable_after = seconds{10};
      session.compress = false;
      session.tcp_nodelay = true;
      session.coalesce_writes = false;  // a lone order must not wait for the round to end
      session.max_message_size = 4u << 20;
      set_send_limits(sending, 256, 1u << 20);
      sending.when_disconnected = offline_send_policy::reject;
      set_answer_timeouts(config, seconds{5});
      config.log_threshold = log_level::info;  // every connect and drop on record
      break;
    case profile::standard:
      set_timeouts(config, seconds{10}, seconds{30}, seconds{10});
      set_reconnect(reconnect, backoff_kind::linear, 0.0, 10, seconds{1}, seconds{60});
      break;
    case profile::lightweight:
      set_timeouts(config, seconds{15}, seconds{60}, seconds{15});
      set_reconnect(reconnect, backoff_kind::exponential, 0.0, 3, seconds{2}, seconds{10});
      session.max_message_size = 1u << 20;
      session.write_buffer_bytes = 4096;  // Beast's default: 60 KiB less per sending connection
      set_send_limits(sending, 64, 256u << 10);
      config.log_threshold = log_level::error;
      break;
    case profile::chat:
      set_timeouts(config, seconds{8}, seconds{45}, seconds{10});
      set_reconnect(reconnect, backoff_kind::exponential, 0.25, 20, seconds{1}, seconds{30});
      session.compress = true;
      set_send_limits(sending, 16384, 64u << 20);
      sending.when_disconnected = offline_send_policy::buffer;
      sending.max_buffered_messages = 4096;
      sending.max_buffered_bytes = 16u << 20;
      config.rate_limit = rate_limit_config{20, milliseconds{100}, 1000, {}, 1};
      break;
  }
  return config;
}

}  // namespace wsnova
