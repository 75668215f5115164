#include <wsnova/transport/tls.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace wsnova {

namespace ssl = boost::asio::ssl;

result<std::shared_ptr<ssl::context>> make_tls_context(const tls_options& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
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
