#include <wsnova/behaviors/subscription_behavior.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace wsnova {

rpc_call default_subscription_call(const subscription_info& info, const char* method) {
  boost::json::object params;
  if (!info.params.empty()) {
    boost::system::error_code ec;
    auto value = boost::json::parse(info.params, ec);
    if (!ec && value.is_object()) params = std::move(value.as_object());
  }
  if (!params.contains("channels")) params["channels"] = boost::json::array{info.channel.c_str()};
  return {method, boost::json::serialize(params)};
}

}  // namespace wsnova
