#include <wsnova/behaviors/directive.hpp>

#include <wsnova/core/detail/enum_names.hpp>

namespace wsnova {

const char* to_string(directive_kind kind) {
  return detail::enum_name<directive_kind::deferred>(
      kind, {"ok", "ignore", "reply", "reconnect", "close", "stop", "deferred"}, "unknown");
}

directive directive::reply(ws_message frame) {
  std::vector<ws_message> frames;
  frames.push_back(std::move(frame));
  return reply(std::move(frames));
}

directive directive::reply(std::vector<ws_message> frames) {
  auto result = with(directive_kind::reply);
  result.frames = std::move(frames);
  return result;
}

directive directive::reconnect(caf::timespan delay) {
  auto result = with(directive_kind::reconnect);
  result.delay = delay;
  return result;
}

directive directive::close(std::uint16_t code, std::string reason) {
  auto result = with(directive_kind::close);
  result.code = code;
  result.reason = std::move(reason);
  return result;
}

directive directive::stop(caf::error reason) {
  auto result = with(directive_kind::stop);
  result.error = std::move(reason);
  return result;
}

}  // namespace wsnova
