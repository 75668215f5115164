#pragma once

// Maps Asio, Beast and OpenSSL error codes to wsnova errors. Internal.

#include <boost/system/error_code.hpp>

#include <wsnova/core/failure.hpp>

namespace wsnova::detail {

/// Where in a session's life an error happened; the same code means different things.
enum class session_phase { resolve, connect, proxy, tls, upgrade, open };

/// Returns the wsnova error for `ec` in `phase`, its detail naming the phase and the cause.
failure classify_error(const boost::system::error_code& ec, session_phase phase);

}  // namespace wsnova::detail
