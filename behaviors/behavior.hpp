#pragma once

/// @file
/// How a behaviour is declared once and used in two forms: in-process callbacks or a separate
/// actor. A behaviour is a list of `callback<Atom, Result(Args...)>`; from that one list
/// `behavior_decl` derives the typed actor interface (`actor`) and the in-process form
/// (`local`), and `behavior_slot` holds whichever form a connection was given.
///
/// Every answer means the same in both forms, because the connection sees only the answer: an
/// in-process callback's return value and an actor's reply reach the same continuation. An
/// unset callback (in-process) answers what the callback's documentation calls its default;
/// an actor must answer every callback (its typed behaviour does not compile otherwise) and
/// gets the default by answering `directive::ok()` (or the argument unchanged, for callbacks
/// that transform a value).

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include <caf/expected.hpp>
#include <caf/replies_to.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include <wsnova/behaviors/handler_context.hpp>

namespace wsnova {

/// One callback of a behaviour: the message tag `Atom` and the signature `Result(Args...)`.
/// `Result` `void` makes a one-way callback (logging, metrics): no answer, no timeout.
template <class Atom, class Signature>
struct callback;

/// A callback that answers.
template <class Atom, class Result, class... Args>
struct callback<Atom, Result(Args...)> {
  /// The message tag.
  using atom = Atom;
  /// What the callback answers.
  using result = Result;
  /// The actor form's signature.
  using signature = typename caf::replies_to<Atom, Args...>::template with<Result>;
  /// The in-process form: the connection's context, then the arguments. An error answer
  /// (`caf::error` converts to `caf::expected`) counts as the callback failing.
  using function = std::function<caf::expected<Result>(handler_context&, Args&...)>;
};

/// A one-way callback.
template <class Atom, class... Args>
struct callback<Atom, void(Args...)> {
  /// The message tag.
  using atom = Atom;
  /// One-way: nothing is answered.
  using result = void;
  /// The actor form's signature.
  using signature = caf::reacts_to<Atom, Args...>;
  /// The in-process form.
  using function = std::function<void(handler_context&, Args&...)>;
};

namespace detail {

/// Index of the callback tagged `Atom` among `Callbacks`; fails to compile when absent.
template <class Atom, class... Callbacks>
constexpr std::size_t callback_index() {
  constexpr bool matches[] = {std::is_same_v<Atom, typename Callbacks::atom>...};
  for (std::size_t i = 0; i < sizeof...(Callbacks); ++i)
    if (matches[i]) return i;
  return sizeof...(Callbacks);
}

}  // namespace detail

/// The declaration of a behaviour: derive from it with the behaviour's callbacks.
template <class... Callbacks>
struct behavior_decl {
  /// The typed actor interface of the actor form.
  using actor = caf::typed_actor<typename Callbacks::signature...>;

  /// The callback tagged `Atom`.
  template <class Atom>
  using callback_of =
      std::tuple_element_t<detail::callback_index<Atom, Callbacks...>(), std::tuple<Callbacks...>>;

  /// The in-process form: one optional function per callback, set with `on`. Runs inside the
  /// connection actor, on its thread, with no message in between.
  class local {
   public:
    /// Sets the callback tagged `Atom` to `fn`; returns `*this` for chaining.
    template <class Atom, class F>
    local& on(Atom, F&& fn) {
      std::get<index<Atom>()>(functions_) = std::forward<F>(fn);
      return *this;
    }

    /// The function of the callback tagged `Atom`, or null when it is unset (default).
    template <class Atom>
    const typename callback_of<Atom>::function* find(Atom) const {
      const auto& fn = std::get<index<Atom>()>(functions_);
      return fn ? &fn : nullptr;
    }

   private:
    template <class Atom>
    static constexpr std::size_t index() {
      constexpr auto i = detail::callback_index<Atom, Callbacks...>();
      static_assert(i < sizeof...(Callbacks), "this behaviour has no callback with that atom");
      return i;
    }

    std::tuple<typename Callbacks::function...> functions_;
  };
};

/// Where a connection finds one behaviour: the default (nothing set), an in-process form, or
/// an actor that answers within `timeout`. `Decl` is a behaviour declaration such as
/// `message_behavior`; its `default_timeout` is the timeout unless another is given.
template <class Decl>
class behavior_slot {
 public:
  /// The actor form's handle.
  using actor_type = typename Decl::actor;
  /// The in-process form.
  using local_type = typename Decl::local;

  /// The default behaviour.
  behavior_slot() = default;

  /// In-process callbacks; those left unset keep their defaults.
  // cppcheck-suppress noExplicitConstructor ; a slot is its form: assigned from either
  behavior_slot(local_type callbacks)  // NOLINT(google-explicit-constructor): a slot is its form
      : local_(std::make_shared<const local_type>(std::move(callbacks))) {}

  /// A separate actor answering every callback within `timeout` (the behaviour's documented
  /// default unless given). A null handle means the default behaviour.
  // cppcheck-suppress noExplicitConstructor ; a slot is its form: assigned from either
  behavior_slot(actor_type handler,  // NOLINT(google-explicit-constructor)
                caf::timespan timeout = Decl::default_timeout)
      : actor_(std::move(handler)), timeout_(timeout) {}

  /// Any typed actor whose interface includes this behaviour's (a shared rate limit, say).
  template <class Handle,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<Handle>, actor_type> &&
                                     !std::is_same_v<std::decay_t<Handle>, behavior_slot> &&
                                     !std::is_same_v<std::decay_t<Handle>, local_type> &&
                                     std::is_constructible_v<actor_type, Handle>>>
  // cppcheck-suppress noExplicitConstructor ; a slot is its form: assigned from either
  behavior_slot(Handle handler,  // NOLINT(google-explicit-constructor)
                caf::timespan timeout = Decl::default_timeout)
      : behavior_slot(actor_type{std::move(handler)}, timeout) {}

  /// True when neither form is set: the connection runs the defaults with no call at all.
  bool is_default() const noexcept { return !local_ && !actor_; }

  /// The actor form, or null.
  const actor_type* actor() const noexcept { return actor_ ? &actor_ : nullptr; }

  /// How long the actor form may take to answer.
  caf::timespan timeout() const noexcept { return timeout_; }

  /// The in-process function of the callback tagged `Atom`, or null (default or actor form).
  template <class Atom>
  const typename Decl::template callback_of<Atom>::function* find(Atom atom) const {
    return local_ ? local_->find(atom) : nullptr;
  }

 private:
  // Shared and immutable: configs are copied (supervisor restarts, profiles) without copying
  // the callbacks' captures.
  std::shared_ptr<const local_type> local_;
  actor_type actor_;
  caf::timespan timeout_ = Decl::default_timeout;
};

}  // namespace wsnova
