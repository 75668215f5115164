// Consumer of an installed wsnova: parses a URL and starts an actor system with wsnova's
// message types announced. Prints one line per check; the install test matches them.

#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <wsnova/actors/io_module.hpp>
#include <wsnova/transport/url.hpp>
#include <wsnova/wsnova.hpp>

int main() {
  auto url = wsnova::parse_ws_url("wss://example.com:8443/feed?x=1");
  if (!url) {
    std::cerr << "parse_ws_url failed\n";
    return 1;
  }
  std::cout << "url: " << url->to_string() << " host=" << url->host << " port=" << url->port
            << " secure=" << url->secure << '\n';

  if (wsnova::parse_ws_url("http://example.com/")) {
    std::cerr << "parse_ws_url accepted http://\n";
    return 1;
  }
  std::cout << "bad url rejected\n";

  caf::actor_system_config cfg;
  cfg.load<wsnova::io_module>();
  caf::actor_system sys{cfg};
  std::cout << "actor system: ok\n";
  return 0;
}
