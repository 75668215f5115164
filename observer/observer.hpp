#pragma once

/// @file
/// The observer (Erlang's observer, for wsnova): an opt-in HTTP endpoint serving the live
/// supervision trees as JSON and one HTML page that renders them and updates itself.
/// docs/observer.md has the JSON schema, the page and the security notes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include <wsnova/observer/tree_snapshot.hpp>

namespace wsnova {

/// Settings of `start_observer`.
struct observer_options {
  /// IP address to listen on (no name resolution). Default 127.0.0.1: the endpoint has no
  /// authentication and shows URLs and the shape of the application, so it stays on the
  /// machine unless you choose otherwise (and then put an authenticating proxy in front).
  std::string address = "127.0.0.1";
  /// TCP port; 0 = an ephemeral port chosen by the kernel (read it with `port()`).
  std::uint16_t port = 0;
  /// The trees shown, by name, in this order. More can be added at run time.
  std::vector<named_supervisor> roots;
  /// How long each supervisor and worker has to answer during a snapshot (see
  /// `take_snapshot`). Default 200 ms.
  std::chrono::milliseconds snapshot_timeout{200};
  /// Largest request header accepted; a larger one gets 431 and a close. Default 8 KiB.
  std::size_t max_header_bytes = 8192;
  /// Time a client has to send a request header and to read a response; also the longest a
  /// keep-alive connection may sit idle. Default 10 s.
  std::chrono::milliseconds request_timeout{10000};
  /// Connections served at once; more are closed at once. Default 16.
  std::size_t max_connections = 16;
};

/// A running observer. Stopping it (or destroying it) closes the listener and every
/// connection. Destroy it before the actor system.
class observer_handle {
 public:
  struct impl;

  /// Used by `start_observer`.
  explicit observer_handle(std::unique_ptr<impl> x);
  /// Takes over `other`'s observer; `other` is left stopped.
  observer_handle(observer_handle&& other) noexcept;
  /// Stops this observer, then takes over `other`'s.
  observer_handle& operator=(observer_handle&& other) noexcept;
  observer_handle(const observer_handle&) = delete;
  observer_handle& operator=(const observer_handle&) = delete;
  /// Calls `stop()`.
  ~observer_handle();

  /// Returns the port listened on (the one the kernel chose when `options.port` was 0).
  std::uint16_t port() const noexcept;

  /// Returns "http://ADDRESS:PORT/", the page's address.
  std::string url() const;

  /// Shows the tree under `root` as `name`, after the others; a root of the same name is
  /// replaced. Thread-safe; the next snapshot includes it.
  void add_root(std::string name, supervisor_actor root);

  /// Stops showing the tree named `name`. Returns false if there was none. Thread-safe.
  bool remove_root(const std::string& name);

  /// Closes the listener and every connection and joins the observer's thread. Snapshots
  /// still being taken end on their own (within their timeouts); their answers are dropped.
  /// Idempotent.
  void stop();

 private:
  std::unique_ptr<impl> impl_;
};

/// Starts the observer: an HTTP/1.1 server on its own thread answering
/// - `GET /`: the page (self-contained HTML, polls `/tree.json` every 500 ms);
/// - `GET /tree.json`: a fresh snapshot of the roots (`take_snapshot`), `application/json`;
/// - any other path: 404; another method: 405; a header over `max_header_bytes`: 431.
///
/// Errors: `errc::invalid_argument` (address not an IP address, zero limits or timeout),
/// `errc::bind_failed` (port in use, address not of this machine), with the reason.
caf::expected<observer_handle> start_observer(caf::actor_system& system,
                                              observer_options options = {});

}  // namespace wsnova
