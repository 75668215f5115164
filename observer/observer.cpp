#include <wsnova/observer/observer.hpp>

#include <algorithm>
#include <mutex>
#include <optional>
#include <utility>

#include <caf/actor_system.hpp>

#include <wsnova/core/error.hpp>
#include <wsnova/observer/detail/page.hpp>
#include <wsnova/transport/detail/http_server.hpp>

namespace wsnova {

namespace {

/// The roots, shared by the handle (which edits them) and the /tree.json route (which
/// copies them for each snapshot).
struct root_list {
  std::mutex mutex;
  std::vector<named_supervisor> roots;

  std::vector<named_supervisor> copy() {
    std::lock_guard guard{mutex};
    return roots;
  }
};

}  // namespace

struct observer_handle::impl {
  std::shared_ptr<root_list> roots;
  std::string address;
  std::optional<detail::http_server> server;
};

observer_handle::observer_handle(std::unique_ptr<impl> x) : impl_(std::move(x)) {}
observer_handle::observer_handle(observer_handle&&) noexcept = default;

observer_handle& observer_handle::operator=(observer_handle&& other) noexcept {
  if (this != &other) {
    stop();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

observer_handle::~observer_handle() { stop(); }

std::uint16_t observer_handle::port() const noexcept {
  return impl_ && impl_->server ? impl_->server->port() : 0;
}

std::string observer_handle::url() const {
  auto host = impl_->address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port()) + "/";
}

void observer_handle::add_root(std::string name, supervisor_actor root) {
  std::lock_guard guard{impl_->roots->mutex};
  auto& roots = impl_->roots->roots;
  auto same = std::find_if(roots.begin(), roots.end(),
                           [&](const named_supervisor& x) { return x.first == name; });
  if (same != roots.end())
    same->second = std::move(root);
  else
    roots.emplace_back(std::move(name), std::move(root));
}

bool observer_handle::remove_root(const std::string& name) {
  std::lock_guard guard{impl_->roots->mutex};
  return std::erase_if(impl_->roots->roots,
                       [&](const named_supervisor& x) { return x.first == name; }) > 0;
}

void observer_handle::stop() {
  if (impl_ && impl_->server) impl_->server->stop();
}

caf::expected<observer_handle> start_observer(caf::actor_system& system, observer_options options) {
  if (options.snapshot_timeout <= std::chrono::milliseconds::zero())
    return make_error(errc::invalid_argument, "observer: snapshot_timeout must be positive");
  auto roots = std::make_shared<root_list>();
  roots->roots = std::move(options.roots);
  detail::http_server_options http;
  http.address = options.address;
  http.port = options.port;
  http.max_header_bytes = options.max_header_bytes;
  http.request_timeout = options.request_timeout;
  http.max_connections = options.max_connections;
  http.server_name = "wsnova-observer";
  http.cache_control = "no-store";
  http.routes["/"] = [](const detail::http_responder& respond) {
    respond({200, "text/html; charset=utf-8", std::string{detail::observer_page()}});
  };
  // The route runs on the observer's thread; the walk runs in an actor and answers from a
  // CAF worker through the responder, so neither side blocks.
  http.routes["/tree.json"] =
      [&system, roots, timeout = options.snapshot_timeout](const detail::http_responder& respond) {
        take_snapshot(system, roots->copy(), timeout, [respond](std::string json) {
          respond({200, "application/json", std::move(json)});
        });
      };
  auto server = detail::http_server::start(std::move(http));
  if (!server) {
    auto why = server.error();
    why.detail = "observer: " + why.detail;
    return to_error(why);
  }
  auto x = std::make_unique<observer_handle::impl>();
  x->roots = std::move(roots);
  x->address = std::move(options.address);
  x->server.emplace(std::move(*server));
  return observer_handle{std::move(x)};
}

}  // namespace wsnova
