#pragma once

/// @file
/// One TLS client context per distinct `tls_options`, shared by every connection made with
/// them.

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include <wsnova/core/failure.hpp>
#include <wsnova/transport/tls.hpp>

namespace wsnova {

/// Hands out one TLS context per distinct `tls_options`, made on first use by
/// `make_tls_context` and kept for the cache's life. Sharing the context saves what
/// building one costs per connection (an `SSL_CTX`, loading the CA store and files) and
/// shares its TLS session cache: a new connection to a host another connection already
/// reached resumes the TLS session instead of a full handshake.
///
/// A file named in the options (CA, certificate, key) is part of the key with its size and
/// modification time: a file replaced on disk gives a new context on the next connection,
/// while connections already open keep theirs. Thread-safe. `io_module` owns one per actor
/// system; `spawn_connection` takes contexts from it.
class tls_context_cache {
 public:
  /// Returns the context for `options`, making it on first use; the error of
  /// `make_tls_context` when it cannot be made (nothing is cached then).
  result<std::shared_ptr<boost::asio::ssl::context>> get(const tls_options& options);

  /// Returns the number of contexts held.
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<boost::asio::ssl::context>> contexts_;
};

}  // namespace wsnova
