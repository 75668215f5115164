#pragma once

/// @file
/// The Subscription behaviour: how a platform subscribes and unsubscribes, and where a
/// channel's notifications go.

#include <chrono>
#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <wsnova/behaviors/behavior.hpp>
#include <wsnova/behaviors/directive.hpp>
#include <wsnova/behaviors/rpc_call.hpp>
#include <wsnova/core/atoms.hpp>
#include <wsnova/core/message.hpp>

namespace wsnova {

/// A subscription as the Subscription behaviour sees it.
struct subscription_info {
  /// Its id on this connection, counting up from 1.
  std::uint64_t id = 0;
  /// The channel.
  std::string channel;
  /// The user's parameters as JSON text (an object), empty for none.
  std::string params;
  /// True when the connection restores it after a reconnect.
  bool restoring = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription_info& x) {
  return f(caf::meta::type_name("wsnova.subscription_info"), x.id, x.channel, x.params,
           x.restoring);
}

/// The Subscription behaviour. The connection keeps the subscriptions (ids, states pending →
/// confirmed | failed | unsubscribed | expired, confirmation deadlines) and restores every
/// active one after a reconnect; this behaviour says what to send and where notifications go.
///
/// - `(sub_req_atom, subscription_info)` → `rpc_call`; default: method `"subscribe"`, params: the
/// user's object plus `"channels": [channel]`
/// - `(unsub_req_atom, subscription_info)` → `rpc_call`; default: method `"unsubscribe"`, the same
/// params
/// - `(notify_atom, std::string channel, ws_message)` → `directive`; default: `ok`: deliver the
/// notification to the owner (`message_event`)
///
/// A result answer to the subscribe request confirms the subscription; an error answer fails
/// it; no answer within `connection_config::subscribe_timeout` expires it. A JSON-RPC
/// notification whose `params.channel` names an active subscription goes to `notify`.
/// Default timeout for the actor form: 5 s.
struct subscription_behavior
    : behavior_decl<callback<sub_req_atom, rpc_call(subscription_info)>,
                    callback<unsub_req_atom, rpc_call(subscription_info)>,
                    callback<notify_atom, directive(std::string, ws_message)>> {
  /// How long the actor form may take to answer.
  static constexpr caf::timespan default_timeout = std::chrono::seconds{5};
};

/// The default request of `sub_req` (`method` "subscribe") and `unsub_req` ("unsubscribe"):
/// the params object of `info` with `"channels": [channel]` added.
rpc_call default_subscription_call(const subscription_info& info, const char* method);

}  // namespace wsnova
