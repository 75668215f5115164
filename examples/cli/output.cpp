#include "output.hpp"

#include <cstdio>
#include <mutex>

#include <openssl/evp.h>
#include <caf/atom.hpp>
#include <caf/message.hpp>

#include <wsnova/core/error.hpp>

#include "exit_codes.hpp"

namespace wsnova::cli {

namespace {

/// One lock for both streams: a status line on stderr must not split a message on stdout
/// when both go to the same terminal.
std::mutex output_mutex;

void write_line(std::FILE* stream, std::string line) {
  line.push_back('\n');
  std::lock_guard<std::mutex> guard{output_mutex};
  std::fwrite(line.data(), 1, line.size(), stream);
  // Flush per line: a user typing at a terminal, or a script reading a pipe, must see each
  // message as soon as it arrives, not when a buffer fills up.
  std::fflush(stream);
}

/// A fallback explanation for errors whose context carries no detail.
std::string explain(errc code) {
  switch (code) {
    case errc::dns:
      return "the host name could not be resolved";
    case errc::connect_refused:
      return "the server refused the TCP connection";
    case errc::proxy_auth_required:
      return "the proxy wants credentials (--proxy http://user:password@host:port)";
    case errc::proxy_failed:
      return "the proxy refused the tunnel";
    case errc::tls_verify_failed:
      return "the server's certificate failed verification";
    case errc::tls_handshake:
      return "the TLS handshake failed";
    case errc::upgrade_rejected:
      return "the server rejected the WebSocket upgrade";
    case errc::protocol_violation:
      return "the server violated the WebSocket protocol";
    case errc::message_too_big:
      return "a message exceeded --max-message";
    case errc::timeout:
      return "no answer in time";
    case errc::connection_lost:
      return "the connection dropped";
    case errc::closed:
      return "the connection is closed";
    case errc::not_connected:
      return "not connected";
    default:
      return to_string(code);
  }
}

}  // namespace

std::string base64(std::string_view bytes) {
  // EVP_EncodeBlock writes 4 characters per 3 input bytes (padded) plus a terminating NUL.
  std::string result(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(result.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()));
  result.resize(static_cast<std::size_t>(n));
  return result;
}

void print_message(const ws_message& message) {
  if (message.kind == message_kind::binary)
    write_line(stdout, "binary(base64): " + base64(message.payload));
  else
    write_line(stdout, message.payload);
}

void print_line(std::string_view line) { write_line(stdout, std::string{line}); }

void print_status(bool quiet, std::string_view line) {
  if (!quiet) write_line(stderr, std::string{line});
}

void print_warning(std::string_view text) {
  write_line(stderr, "wsnova: warning: " + std::string{text});
}

void print_error(std::string_view category, std::string_view detail) {
  write_line(stderr, "wsnova: error: " + std::string{category} + ": " + std::string{detail});
}

std::string error_category(const caf::error& err) {
  if (err.category() == error_category_atom::value) return to_string(code_of(err));
  return caf::to_string(err.category());
}

std::string error_detail(const caf::error& err) {
  const auto& context = err.context();
  if (!context.empty() && context.match_element<std::string>(0)) {
    auto detail = context.get_as<std::string>(0);
    if (!detail.empty()) return detail;
  }
  if (err.category() == error_category_atom::value) return explain(code_of(err));
  return caf::to_string(err);
}

int report_error(const caf::error& err) {
  print_error(error_category(err), error_detail(err));
  return exit_code_for(err);
}

std::string describe_close(std::uint16_t code, std::string_view reason) {
  auto result = std::to_string(code);
  if (!reason.empty()) {
    result += ' ';
    result += reason;
  }
  return result;
}

}  // namespace wsnova::cli
