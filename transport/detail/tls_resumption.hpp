#pragma once

// TLS session resumption across the sessions of one TLS context (made by make_tls_context):
// what a session calls around its handshake. Implemented in transport/tls.cpp. Internal.

#include <openssl/ssl.h>

#include <wsnova/transport/url.hpp>

namespace wsnova::detail {

/// Before the handshake: offers the context's cached session for `url`'s host and port on
/// `ssl`, and has the new sessions that arrive on `ssl` cached under them. `url` must
/// outlive `ssl`. Does nothing for a context not made by `make_tls_context`.
void prepare_tls_resumption(SSL* ssl, const ws_url& url);

/// After a failed handshake: drops the cached session of `url`, so the next attempt does a
/// full handshake.
void forget_tls_session(SSL* ssl, const ws_url& url);

}  // namespace wsnova::detail
