#include <wsnova/actors/spawn_on_io.hpp>

#include <utility>

#include <wsnova/actors/detail/io_execution_unit.hpp>
#include <wsnova/actors/io_module.hpp>

namespace wsnova {

namespace {

/// An event-based actor resumed as Asio handlers on one I/O thread (`io_pinned_unit`), the
/// way `connection_actor` runs.
class io_pinned_actor final : public caf::event_based_actor {
 public:
  using super = caf::event_based_actor;

  io_pinned_actor(caf::actor_config& cfg, boost::asio::io_context& io, io_actor_init init)
      : super(cfg), pinned_(home_system(), io), init_(std::move(init)) {}

  caf::behavior make_behavior() override {
    auto init = std::move(init_);
    return init(this);
  }

  using super::enqueue;

  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit*) override {
    super::enqueue(std::move(ptr), &pinned_);
  }

  void launch(caf::execution_unit*, bool lazy, bool hide) override {
    super::launch(&pinned_, lazy, hide);
  }

 private:
  detail::io_pinned_unit pinned_;
  io_actor_init init_;
};

}  // namespace

caf::expected<caf::actor> spawn_on_io(caf::actor_system& system, io_actor_init init) {
  auto module = io_module::require(system);
  if (!module) return module.error();
  return spawn_on_io(system, (*module)->next_context(), std::move(init));
}

caf::actor spawn_on_io(caf::actor_system& system, boost::asio::io_context& context,
                       io_actor_init init) {
  return system.spawn<io_pinned_actor>(context, std::move(init));
}

}  // namespace wsnova
