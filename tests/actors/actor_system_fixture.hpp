#pragma once

// A real actor system plus an io_pool for tests that use real sockets on 127.0.0.1.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <wsnova/actors/io_module.hpp>

namespace wsnova::test {

/// Configuration with wsnova's message types announced.
struct test_config : caf::actor_system_config {
  test_config() {
    load<wsnova::io_module>();
    set("scheduler.max-threads", 2);
  }
};

/// An actor system with wsnova's module (one I/O thread). Servers in derived fixtures are
/// destroyed after the system, so sessions still open end by the system's shutdown.
struct actor_system_fixture {
  test_config config;
  caf::actor_system system{config};
};

}  // namespace wsnova::test
