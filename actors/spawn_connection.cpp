#include <wsnova/actors/spawn_connection.hpp>

#include <wsnova/actors/detail/connection_actor.hpp>
#include <wsnova/actors/io_module.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/transport/tls.hpp>

namespace wsnova {

caf::expected<connection> spawn_connection(caf::actor_system& system, connection_config config,
                                           connection_owner owner) {
  return spawn_connection(system, std::make_shared<const connection_config>(std::move(config)),
                          std::move(owner));
}

caf::expected<connection> spawn_connection(caf::actor_system& system,
                                           boost::asio::io_context& context,
                                           connection_config config, connection_owner owner) {
  return spawn_connection(system, context,
                          std::make_shared<const connection_config>(std::move(config)),
                          std::move(owner));
}

caf::expected<connection> spawn_connection(caf::actor_system& system,
                                           std::shared_ptr<const connection_config> config,
                                           connection_owner owner, std::string id) {
  auto module = io_module::require(system);
  if (!module) return module.error();
  return spawn_connection(system, (*module)->next_context(), std::move(config), std::move(owner),
                          std::move(id));
}

caf::expected<connection> spawn_connection(caf::actor_system& system,
                                           boost::asio::io_context& context,
                                           std::shared_ptr<const connection_config> config,
                                           connection_owner owner, std::string id) {
  if (!config) return make_error(errc::invalid_argument, "a connection needs a configuration");
  if (!owner) return make_error(errc::invalid_argument, "a connection needs an owner actor");
  auto url = parse_ws_url(config->url);
  if (!url) return to_error(url.error());
  // Refuse header injection (CR/LF/NUL, non-token names) here, before anything starts.
  if (auto bad = check_session_options(config->session)) return to_error(bad);
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (url->secure) {
    auto* module = io_module::of(system);
    auto tls_context = module != nullptr ? module->tls_contexts().get(config->session.tls)
                                         : make_tls_context(config->session.tls);
    if (!tls_context) return to_error(tls_context.error());
    tls = std::move(*tls_context);
  }
  auto handle = system.spawn<detail::connection_actor>(
      context, std::move(*url), std::move(tls), std::move(config), std::move(id), std::move(owner));
  return caf::actor_cast<connection>(handle);
}

}  // namespace wsnova
