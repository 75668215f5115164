// Throw-away certificates and temporary directories for TLS tests.
#pragma once

#include <filesystem>
#include <string_view>

namespace wsnova::test {

/// PEM files written by `make_test_certs`. Every key is EC P-256; every certificate is
/// valid for two days from creation.
struct test_certs {
  /// Directory holding all files below.
  std::filesystem::path dir;

  /// Self-signed CA certificate, CN "wsnova test CA"; trust this one in clients.
  std::filesystem::path ca_cert;

  /// Private key of `ca_cert`.
  std::filesystem::path ca_key;

  /// Server certificate signed by the CA, subjectAltName DNS:localhost, IP:127.0.0.1.
  std::filesystem::path server_cert;

  /// Private key of `server_cert`.
  std::filesystem::path server_key;

  /// Certificate signed by the CA for DNS:other.example only (hostname mismatch tests).
  std::filesystem::path wrong_host_cert;

  /// Private key of `wrong_host_cert`.
  std::filesystem::path wrong_host_key;

  /// Self-signed certificate for DNS:localhost, IP:127.0.0.1, not issued by the CA
  /// (unknown issuer tests).
  std::filesystem::path self_signed_cert;

  /// Private key of `self_signed_cert`.
  std::filesystem::path self_signed_key;

  /// Client certificate signed by the CA, CN "wsnova test client", extendedKeyUsage
  /// clientAuth (mutual TLS tests).
  std::filesystem::path client_cert;

  /// Private key of `client_cert`.
  std::filesystem::path client_key;
};

/// Creates `dir` if needed and writes a fresh CA and the certificates of `test_certs` into
/// it by running the `openssl` command line (found on PATH). Returns their paths.
/// Throws `std::runtime_error` naming the failed command and its output on any failure.
test_certs make_test_certs(const std::filesystem::path& dir);

/// Creates a new, empty, uniquely named directory `/tmp/PREFIX-XXXXXX` and returns its
/// path. Throws `std::system_error` on failure. The caller removes it (see `temp_dir`).
std::filesystem::path make_temp_dir(std::string_view prefix);

/// A uniquely named directory under /tmp, removed with its contents on destruction.
class temp_dir {
 public:
  /// Creates the directory (see `make_temp_dir`).
  explicit temp_dir(std::string_view prefix = "wsnova-test");

  /// Removes the directory and everything in it; errors are ignored.
  ~temp_dir();

  /// Takes over the directory; `other` no longer removes anything.
  temp_dir(temp_dir&& other) noexcept;

  /// Removes the directory this object owns, then takes over the one of `other`.
  temp_dir& operator=(temp_dir&& other) noexcept;
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  /// Returns the directory's path; empty after a move.
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  void remove() noexcept;

  std::filesystem::path path_;  // empty when moved from
};

/// A `temp_dir` together with `make_test_certs` run in it: the usual fixture of a TLS test.
class temp_certs {
 public:
  /// Creates a temporary directory and the certificates in it.
  temp_certs() : certs_(make_test_certs(dir_.path())) {}

  /// Returns the certificate paths.
  const test_certs& certs() const noexcept { return certs_; }

  /// Shorthand for `certs()`.
  const test_certs* operator->() const noexcept { return &certs_; }

 private:
  temp_dir dir_{"wsnova-certs"};
  test_certs certs_;
};

}  // namespace wsnova::test
