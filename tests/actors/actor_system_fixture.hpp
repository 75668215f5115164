#pragma once

// A real actor system plus an io_pool for tests that use real sockets on 127.0.0.1.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <wsnova/actors/message_types.hpp>
#include <wsnova/transport/io_pool.hpp>

namespace wsnova::test {

/// Configuration with wsnova's message types announced.
struct test_config : caf::actor_system_config {
  test_config() {
    wsnova::add_message_types(*this);
    set("scheduler.max-threads", 2);
  }
};

/// An actor system and one io thread, torn down in the right order: the system first (its
/// destructor waits for every actor, so connection actors finish their sessions while the
/// io thread still runs), then the pool. Servers in derived fixtures go before both, which
/// ends any session still open.
struct actor_system_fixture {
  test_config config;
  io_pool pool{1};
  caf::actor_system system{config};
};

}  // namespace wsnova::test
