#pragma once

/// @file
/// A JSON-RPC call a behaviour asks the connection to make.

#include <string>

#include <caf/meta/type_name.hpp>

namespace wsnova {

/// A JSON-RPC 2.0 method call, built by a behaviour (Auth, Subscription) and sent by the
/// connection, which adds the id and correlates the answer.
struct rpc_call {
  /// The method, e.g. "public/auth"; empty means "no call".
  std::string method;
  /// The params as JSON text: an object or an array; empty for none.
  std::string params;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rpc_call& x) {
  return f(caf::meta::type_name("wsnova.rpc_call"), x.method, x.params);
}

}  // namespace wsnova
