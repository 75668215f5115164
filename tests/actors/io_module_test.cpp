// The CAF module: its configuration keys and the CAF scheduler setting it chooses.
#define BOOST_TEST_MODULE io_module
#include <wsnova/actors/io_module.hpp>

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

using namespace wsnova;

namespace {

std::size_t moderate_polls(const caf::actor_system& system) {
  return caf::get_or(system.config(), std::string_view{io_module::moderate_polls_key},
                     std::size_t{12345});
}

}  // namespace

// By default: one I/O thread, and CAF's idle workers wait on their condition variable at
// once (no 50 us polling that an owner's events would wait through).
BOOST_AUTO_TEST_CASE(defaults) {
  caf::actor_system_config cfg;
  cfg.load<io_module>();
  caf::actor_system system{cfg};
  auto* module = io_module::of(system);
  BOOST_REQUIRE(module != nullptr);
  BOOST_CHECK_EQUAL(module->threads(), 1u);
  BOOST_CHECK_EQUAL(moderate_polls(system), 0u);
  BOOST_CHECK_EQUAL(module->tls_contexts().size(), 0u);
}

// What the program sets is kept: the thread count and its own scheduler setting.
BOOST_AUTO_TEST_CASE(program_settings_win) {
  caf::actor_system_config cfg;
  cfg.load<io_module>();
  caf::put(cfg.content, std::string_view{io_module::threads_key}, std::int64_t{2});
  cfg.set(std::string_view{io_module::moderate_polls_key}, std::size_t{7});
  caf::actor_system system{cfg};
  BOOST_CHECK_EQUAL(io_module::of(system)->threads(), 2u);
  BOOST_CHECK_EQUAL(moderate_polls(system), 7u);
}

// Without the module there is nothing to find.
BOOST_AUTO_TEST_CASE(absent_module_is_null) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  BOOST_CHECK(io_module::of(system) == nullptr);
}
