#pragma once

/// @file
/// TLS settings for wss:// connections and the OpenSSL context built from them.

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include <wsnova/core/failure.hpp>

namespace wsnova {

/// TLS settings. Peer verification is on by default, against the system CA store, with
/// host name verification and SNI; turning it off needs `insecure = true`, said out loud.
struct tls_options {
  /// Skip certificate and host name verification. Default false. Only for tests and
  /// debugging: anyone on the path can read and change the traffic.
  bool insecure = false;
  /// PEM file of CA certificates to trust, in addition to the system store. Default none.
  std::string ca_file;
  /// Trust the system's default CA store. Default true.
  bool use_system_ca = true;
  /// PEM client certificate (chain) for mutual TLS. Default none.
  std::string cert_file;
  /// PEM private key of the client certificate. Default none.
  std::string key_file;
  /// Keep the latest TLS session per host and port and resume it on the next connect
  /// (see `make_tls_context`). Default true; false saves the memory of one cached session
  /// (its ticket and the server's certificate chain) per context.
  bool resume_sessions = true;
};

/// Builds a TLS client context (TLS 1.2 or newer) from the options. Returns
/// `errc::invalid_argument` naming the file that could not be loaded.
///
/// The context keeps the latest TLS session of each (host, port) it connected to, and a
/// session using the context offers it in its next handshake to that host and port: a
/// reconnect resumes (TLS 1.3 tickets and TLS 1.2 sessions alike), skipping the certificate
/// exchange (`session::tls_resumed()`). Share one context across reconnects to get that.
result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const tls_options& options);

}  // namespace wsnova
