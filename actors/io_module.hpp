#pragma once

/// @file
/// wsnova's CAF module: registers every wsnova message type and error category and owns the
/// I/O threads that drive the sockets, so the actor system starts and stops them in order.

#include <cstddef>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/detail/type_list.hpp>
#include <caf/expected.hpp>

#include <wsnova/transport/tls_context_cache.hpp>

namespace wsnova {

class io_pool;

/// The module to load into every actor system that runs wsnova connections:
/// ```
/// caf::actor_system_config cfg;
/// cfg.load<wsnova::io_module>();
/// caf::actor_system system{cfg};
/// ```
/// Loading it registers every wsnova message type and error category (connections,
/// supervisors, registry), so they print readably and cross node boundaries, and gives the
/// system `wsnova.io-threads` I/O threads (default 1; set with
/// `cfg.set("wsnova.io-threads", 2)` before creating the system), each running one
/// single-threaded `io_context`. Connections are spread over them round robin.
///
/// It also sets CAF's `work-stealing.moderate-poll-attempts` to 0 unless the program set
/// it: CAF 0.17's idle worker otherwise sleeps in 50 us steps that an enqueue does not cut
/// short, and every event a connection sends to an owner would wait through them.
///
/// Shutdown order is the system's business: its destructor first waits for every actor
/// (connection actors finish their sessions on still-running I/O threads), then stops the
/// modules, which joins the I/O threads.
///
/// CAF 0.17 keeps modules in a fixed array indexed by `module::id_t`; this module takes the
/// `network_manager` slot, which CAF 0.17.6 itself never fills. A program that loads
/// another module into that slot cannot load this one.
///
/// To run connections on `io_context` threads of your own instead, pass the context to
/// `spawn_connection(system, context, config, owner)`; the module is then needed only for
/// the message types (`add_message_types`).
class io_module final : public caf::actor_system::module {
 public:
  /// The config key of the I/O thread count.
  static constexpr const char* threads_key = "wsnova.io-threads";

  /// CAF's work-stealing key that this module sets to 0 unless the program set it (see
  /// `init`).
  static constexpr const char* moderate_polls_key = "work-stealing.moderate-poll-attempts";

  /// Use `make` (through `actor_system_config::load`); public for `std::make_unique`.
  explicit io_module(caf::actor_system& system);

  ~io_module() override;

  /// CAF's factory hook, called by the actor system's constructor.
  static caf::actor_system::module* make(caf::actor_system& system, caf::detail::type_list<>);

  /// Registers the message types and reads the thread count.
  void init(caf::actor_system_config& config) override;

  /// Starts the I/O threads.
  void start() override;

  /// Joins the I/O threads; runs after every actor is done.
  void stop() override;

  /// Returns `network_manager` (see the class comment).
  id_t id() const override;

  /// Returns this module.
  void* subtype_ptr() override;

  /// Returns the next I/O context, round robin. Thread-safe.
  boost::asio::io_context& next_context();

  /// Returns the number of I/O threads.
  std::size_t threads() const;

  /// Returns the module loaded into `system`, or null when it was not loaded.
  static io_module* of(caf::actor_system& system);

  /// Returns the module loaded into `system`, or `errc::invalid_argument` saying how to load
  /// it.
  static caf::expected<io_module*> require(caf::actor_system& system);

  /// The TLS contexts of the system's wss:// connections, one per distinct `tls_options`
  /// (`spawn_connection` takes them from here).
  tls_context_cache& tls_contexts() noexcept { return tls_contexts_; }

 private:
  std::size_t threads_ = 1;
  std::unique_ptr<io_pool> pool_;
  tls_context_cache tls_contexts_;
};

/// Announces every wsnova message type and error category to `config`. `io_module` does
/// this itself; call it only when the module is not loaded.
void add_message_types(caf::actor_system_config& config);

}  // namespace wsnova
