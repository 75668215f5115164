#include <wsnova/behaviors/directive.hpp>

namespace wsnova {

const char* to_string(directive_kind kind) {
  switch (kind) {
    case directive_kind::ok:
      return "ok";
    case directive_kind::ignore:
      return "ignore";
    case directive_kind::reply:
      return "reply";
    case directive_kind::reconnect:
      return "reconnect";
    case directive_kind::close:
      return "close";
    case directive_kind::stop:
      return "stop";
    case directive_kind::deferred:
      return "deferred";
  }
  return "unknown";
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
