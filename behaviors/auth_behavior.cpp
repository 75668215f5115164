#include <wsnova/behaviors/auth_behavior.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <wsnova/core/detail/enum_names.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova {

const char* to_string(auth_reason reason) {
  return detail::enum_name<auth_reason::user>(reason, {"connect", "reconnect", "refresh", "user"},
                                              "unknown");
}

caf::expected<auth_outcome> read_token_result(const std::string& result_json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(result_json, ec);
  if (ec || !value.is_object())
    return make_error(errc::auth_failed, "authentication result is not a JSON object");
  const auto& object = value.as_object();
  auth_outcome outcome;
  if (const auto* expires = object.if_contains("expires_in")) {
    if (auto seconds = expires->to_number<double>(ec); !ec && seconds > 0)
      outcome.expires_in =
          std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>{seconds});
  }
  if (const auto* refresh = object.if_contains("refresh_token"); refresh && refresh->is_string())
    outcome.refresh_token = std::string{refresh->as_string()};
  return outcome;
}

}  // namespace wsnova
