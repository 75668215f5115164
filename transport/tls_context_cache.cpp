#include <wsnova/transport/tls_context_cache.hpp>

#include <chrono>
#include <system_error>

namespace wsnova {

namespace {

/// A file's identity as the key sees it: path, size and modification time (empty path:
/// none).
std::string file_key(const std::string& path) {
  if (path.empty()) return {};
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  auto written = std::filesystem::last_write_time(path, ec);
  return path + '\0' + std::to_string(ec ? 0 : size) + '\0' +
         std::to_string(ec ? 0 : written.time_since_epoch().count());
}

std::string key_of(const tls_options& options) {
  std::string key;
  key += options.insecure ? 'i' : 'v';
  key += options.use_system_ca ? 's' : '-';
  key += options.resume_sessions ? 'r' : '-';
  for (const auto* path : {&options.ca_file, &options.cert_file, &options.key_file}) {
    key += '\x1f';
    key += file_key(*path);
  }
  return key;
}

}  // namespace

result<std::shared_ptr<boost::asio::ssl::context>> tls_context_cache::get(
    const tls_options& options) {
  auto key = key_of(options);
  std::lock_guard guard{mutex_};
  if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;
  auto made = make_tls_context(options);
  if (!made) return made;
  contexts_.emplace(std::move(key), *made);
  return made;
}

std::size_t tls_context_cache::size() const {
  std::lock_guard guard{mutex_};
  return contexts_.size();
}

}  // namespace wsnova
