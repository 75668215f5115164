#include <wsnova/transport/session.hpp>

#include <wsnova/transport/detail/session_impl.hpp>

#include <charconv>

namespace wsnova {

namespace {
constexpr std::string_view heartbeat_prefix = "wsnova-heartbeat ";
}  // namespace

std::string heartbeat_ping_payload(std::chrono::steady_clock::time_point sent_at) {
  return std::string{heartbeat_prefix} + std::to_string(sent_at.time_since_epoch().count());
}

std::optional<std::chrono::steady_clock::duration> heartbeat_round_trip(
    std::string_view payload, std::chrono::steady_clock::time_point now) {
  if (!payload.starts_with(heartbeat_prefix)) return std::nullopt;
  payload.remove_prefix(heartbeat_prefix.size());
  std::chrono::steady_clock::rep ticks = 0;
  auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), ticks);
  if (ec != std::errc{} || end != payload.data() + payload.size()) return std::nullopt;
  auto sent_at = std::chrono::steady_clock::time_point{std::chrono::steady_clock::duration{ticks}};
  if (sent_at > now) return std::nullopt;  // not ours: a forged or foreign payload
  return now - sent_at;
}

session::~session() = default;

std::shared_ptr<session> session::make(boost::asio::io_context& context, ws_url url,
                                       session_options options,
                                       std::shared_ptr<boost::asio::ssl::context> tls,
                                       std::shared_ptr<session_listener> listener,
                                       std::uint64_t id) {
  return make(context, std::move(url), std::make_shared<const session_options>(std::move(options)),
              std::move(tls), std::move(listener), id);
}

std::shared_ptr<session> session::make(boost::asio::io_context& context, ws_url url,
                                       std::shared_ptr<const session_options> options,
                                       std::shared_ptr<boost::asio::ssl::context> tls,
                                       std::shared_ptr<session_listener> listener,
                                       std::uint64_t id) {
  if (url.secure)
    return std::make_shared<detail::session_impl<true>>(context, std::move(url), std::move(options),
                                                        std::move(tls), std::move(listener), id);
  return std::make_shared<detail::session_impl<false>>(context, std::move(url), std::move(options),
                                                       nullptr, std::move(listener), id);
}

}  // namespace wsnova
