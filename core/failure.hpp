#pragma once

/// @file
/// A CAF-free error value: what the transport reports, converted to `caf::error` above it.

#include <cstdint>
#include <string>

#include <boost/system/result.hpp>

#include <wsnova/core/errc.hpp>

namespace wsnova {

/// Why something failed, without CAF: the code, a readable detail and, for a rejected
/// upgrade, the HTTP status. `core/error.hpp` turns it into a `caf::error` (`to_error`).
struct failure {
  /// The error code; `errc::none` means "no failure".
  errc code = errc::none;
  /// What happened, for humans (e.g. "connecting: Connection refused").
  std::string detail;
  /// The HTTP status of an `upgrade_rejected`, `proxy_auth_required` or `proxy_failed`
  /// failure; 0 otherwise.
  std::uint16_t http_status = 0;

  /// Returns true when this is a failure (`code != errc::none`).
  explicit operator bool() const noexcept { return code != errc::none; }
};

/// Returns "code (detail)", e.g. "bad_url (missing host: 'ws://')", or "none".
std::string to_string(const failure& x);

/// A value or the failure that prevented it (Boost.System's `result`, no exceptions needed:
/// test with `if (r)`, read with `*r` or `r->`, the failure with `r.error()`).
template <class T>
using result = boost::system::result<T, failure>;

}  // namespace wsnova
