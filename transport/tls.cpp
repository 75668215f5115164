#include <wsnova/transport/tls.hpp>

#include <map>
#include <mutex>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <wsnova/transport/detail/tls_resumption.hpp>

namespace wsnova {

namespace ssl = boost::asio::ssl;

namespace {

struct session_free {
  void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
};
using session_ptr = std::unique_ptr<SSL_SESSION, session_free>;

/// The latest resumable TLS session per "host:port", shared by every session (on any I/O
/// thread) of one context.
class session_cache {
 public:
  void store(std::string key, session_ptr session) {
    std::lock_guard guard{mutex_};
    sessions_[std::move(key)] = std::move(session);
  }

  void forget(const std::string& key) {
    std::lock_guard guard{mutex_};
    sessions_.erase(key);
  }

  /// Sets the session cached under `key` on `ssl` (which takes its own reference).
  void offer(const std::string& key, SSL* ssl) {
    std::lock_guard guard{mutex_};
    if (auto it = sessions_.find(key); it != sessions_.end())
      SSL_set_session(ssl, it->second.get());
  }

 private:
  std::mutex mutex_;
  std::map<std::string, session_ptr> sessions_;
};

// OpenSSL ex_data slots: which cache belongs to an SSL_CTX, which URL to an SSL. Asio uses
// the "app data" slot 0 for its verify callback, so we take our own, once per process
// (thread-safe static initialisation; constant afterwards).
int context_slot() {
  static const int slot = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

int connection_slot() {
  static const int slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

std::string key_of(const ws_url& url) {
  return (url.ipv6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

session_cache* cache_of(SSL* ssl) {
  return static_cast<session_cache*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_slot()));
}

/// OpenSSL's new-session callback: a resumable session arrived on `ssl` (at the end of a
/// TLS 1.2 handshake; with each NewSessionTicket in TLS 1.3, which the server may send at
/// any time after the handshake). Returns 1 when the cache took the reference.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* cache = cache_of(ssl);
  const auto* url = static_cast<const ws_url*>(SSL_get_ex_data(ssl, connection_slot()));
  if (cache == nullptr || url == nullptr || SSL_SESSION_is_resumable(session) != 1) return 0;
  cache->store(key_of(*url), session_ptr{session});
  return 1;
}

/// A client context and its session cache, in one allocation: the `shared_ptr<ssl::context>`
/// that `make_tls_context` returns shares ownership of both.
struct context_with_cache {
  context_with_cache() = default;
  context_with_cache(const context_with_cache&) = delete;
  context_with_cache& operator=(const context_with_cache&) = delete;

  ~context_with_cache() {
    // An SSL may hold the SSL_CTX a little longer than we do: it must not find the cache.
    SSL_CTX_set_ex_data(context.native_handle(), context_slot(), nullptr);
  }

  /// Makes the context collect sessions into `cache` and offer them (tls_resumption.hpp).
  void enable_cache() {
    SSL_CTX* handle = context.native_handle();
    SSL_CTX_set_ex_data(handle, context_slot(), &cache);
    // Client mode makes OpenSSL call the callback; no internal store, the cache is ours.
    SSL_CTX_set_session_cache_mode(handle,
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(handle, on_new_session);
  }

  session_cache cache;
  ssl::context context{ssl::context::tls_client};
};

}  // namespace

namespace detail {

void prepare_tls_resumption(SSL* ssl, const ws_url& url) {
  auto* cache = cache_of(ssl);
  if (cache == nullptr) return;
  SSL_set_ex_data(ssl, connection_slot(), const_cast<ws_url*>(&url));
  cache->offer(key_of(url), ssl);
}

void forget_tls_session(SSL* ssl, const ws_url& url) {
  if (auto* cache = cache_of(ssl)) cache->forget(key_of(url));
}

}  // namespace detail

result<std::shared_ptr<ssl::context>> make_tls_context(const tls_options& options) {
  auto owner = std::make_shared<context_with_cache>();
  if (options.resume_sessions) owner->enable_cache();
  std::shared_ptr<ssl::context> context{owner, &owner->context};
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (options.insecure) {
    context->set_verify_mode(ssl::verify_none);
  } else {
    context->set_verify_mode(ssl::verify_peer);
    // A machine without a system store still works with an explicit CA file.
    if (options.use_system_ca) context->set_default_verify_paths(ec);
    if (!options.ca_file.empty() && (context->load_verify_file(options.ca_file, ec), ec))
      return failure{errc::invalid_argument,
                     "cannot load CA file '" + options.ca_file + "': " + ec.message()};
  }
  if (options.cert_file.empty() != options.key_file.empty())
    return failure{errc::invalid_argument,
                   "a client certificate needs its key: set both cert_file and key_file"};
  if (!options.cert_file.empty() &&
      (context->use_certificate_chain_file(options.cert_file, ec), ec))
    return failure{errc::invalid_argument,
                   "cannot load certificate '" + options.cert_file + "': " + ec.message()};
  if (!options.key_file.empty() &&
      (context->use_private_key_file(options.key_file, ssl::context::pem, ec), ec))
    return failure{errc::invalid_argument,
                   "cannot load private key '" + options.key_file + "': " + ec.message()};
  return context;
}

}  // namespace wsnova
