#include <wsnova/testing/certs.hpp>

#include <wsnova/testing/detail/child_process.hpp>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace wsnova::test {

namespace {

namespace fs = std::filesystem;

/// Runs openssl with `args`; throws with the command line and its output on failure.
void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  auto res = detail::run_process(args);
  if (res.status != 0)
    throw std::runtime_error("make_test_certs: `" + detail::command_line(args) +
                             "` failed with status " + std::to_string(res.status) + ":\n" +
                             res.output);
}

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  if (!out.flush()) throw std::runtime_error("make_test_certs: cannot write " + file.string());
}

/// Makes a self-signed P-256 certificate valid for 2 days, with `extensions` (-addext each).
void self_signed(const fs::path& key, const fs::path& cert, const std::string& subject,
                 const std::vector<std::string>& extensions) {
  std::vector<std::string> args{
      "req",    "-x509",   "-newkey",    "ec",   "-pkeyopt",    "ec_paramgen_curve:P-256",
      "-nodes", "-keyout", key.string(), "-out", cert.string(), "-days",
      "2",      "-sha256", "-subj",      subject};
  for (const auto& extension : extensions) {
    args.emplace_back("-addext");
    args.push_back(extension);
  }
  openssl(std::move(args));
}

/// Writes a P-256 key and a CSR with common name `cn` (prefix.key, prefix.csr).
void make_key_and_csr(const fs::path& key, const fs::path& csr, const std::string& cn) {
  openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", key.string(), "-out", csr.string(), "-subj", "/CN=" + cn});
}

/// Signs `csr` with the CA into `cert`, applying the extensions in `ext`.
void sign(const test_certs& c, const fs::path& csr, const fs::path& cert, const fs::path& ext,
          const std::string& serial) {
  openssl({"x509", "-req", "-in", csr.string(), "-CA", c.ca_cert.string(), "-CAkey",
           c.ca_key.string(), "-set_serial", serial, "-days", "2", "-sha256", "-extfile",
           ext.string(), "-out", cert.string()});
}

}  // namespace

test_certs make_test_certs(const fs::path& dir) {
  fs::create_directories(dir);
  test_certs c;
  c.dir = dir;
  c.ca_cert = dir / "ca.crt";
  c.ca_key = dir / "ca.key";
  c.server_cert = dir / "server.crt";
  c.server_key = dir / "server.key";
  c.wrong_host_cert = dir / "wrong_host.crt";
  c.wrong_host_key = dir / "wrong_host.key";
  c.self_signed_cert = dir / "self_signed.crt";
  c.self_signed_key = dir / "self_signed.key";
  c.client_cert = dir / "client.crt";
  c.client_key = dir / "client.key";

  self_signed(c.ca_key, c.ca_cert, "/CN=wsnova test CA",
              {"basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"});

  const std::string leaf =
      "basicConstraints=critical,CA:FALSE\n"
      "keyUsage=critical,digitalSignature,keyEncipherment\n"
      "extendedKeyUsage=serverAuth\n";
  auto server_ext = dir / "server.ext";
  write_file(server_ext, leaf + "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  auto server_csr = dir / "server.csr";
  make_key_and_csr(c.server_key, server_csr, "localhost");
  sign(c, server_csr, c.server_cert, server_ext, "1001");

  auto wrong_ext = dir / "wrong_host.ext";
  write_file(wrong_ext, leaf + "subjectAltName=DNS:other.example\n");
  auto wrong_csr = dir / "wrong_host.csr";
  make_key_and_csr(c.wrong_host_key, wrong_csr, "other.example");
  sign(c, wrong_csr, c.wrong_host_cert, wrong_ext, "1002");

  auto client_ext = dir / "client.ext";
  write_file(client_ext,
             "basicConstraints=critical,CA:FALSE\n"
             "keyUsage=critical,digitalSignature\n"
             "extendedKeyUsage=clientAuth\n");
  auto client_csr = dir / "client.csr";
  make_key_and_csr(c.client_key, client_csr, "wsnova test client");
  sign(c, client_csr, c.client_cert, client_ext, "1003");

  self_signed(c.self_signed_key, c.self_signed_cert, "/CN=localhost",
              {"subjectAltName=DNS:localhost,IP:127.0.0.1", "basicConstraints=critical,CA:FALSE",
               "extendedKeyUsage=serverAuth"});
  return c;
}

fs::path make_temp_dir(std::string_view prefix) {
  std::string pattern = "/tmp/" + std::string(prefix) + "-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  return fs::path(buf.data());
}

temp_dir::temp_dir(std::string_view prefix) : path_(make_temp_dir(prefix)) {
  // nop
}

temp_dir::~temp_dir() { remove(); }

temp_dir::temp_dir(temp_dir&& other) noexcept : path_(std::exchange(other.path_, {})) {
  // nop
}

temp_dir& temp_dir::operator=(temp_dir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

void temp_dir::remove() noexcept {
  if (path_.empty()) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
  path_.clear();
}

}  // namespace wsnova::test
