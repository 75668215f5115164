#include <wsnova/actors/client.hpp>

#include <algorithm>

#include <caf/after.hpp>
#include <caf/sec.hpp>
#include <caf/system_messages.hpp>

#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova {

namespace {

/// CAF's own request failures in wsnova's words.
caf::error translate(caf::error err) {
  if (err.category() == caf::atom("system")) {
    switch (static_cast<caf::sec>(err.code())) {
      case caf::sec::request_timeout:
        return make_error(errc::timeout, "no answer in time");
      case caf::sec::request_receiver_down:
        return make_error(errc::actor_gone, "the connection actor is gone");
      default:
        break;
    }
  }
  return err;
}

}  // namespace

client::client(std::unique_ptr<caf::scoped_actor> self, connection handle)
    : self_(std::move(self)), connection_(std::move(handle)) {}

client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;
client::~client() = default;

caf::expected<client> client::connect(caf::actor_system& system, connection_config config,
                                      caf::timespan timeout) {
  auto self = std::make_unique<caf::scoped_actor>(system);
  // The scoped actor takes every event from its mailbox (pull_event handles all eight).
  auto handle = spawn_connection(system, std::move(config),
                                 unchecked_owner(caf::actor_cast<caf::actor>(*self)));
  if (!handle) return handle.error();
  (*self)->monitor(*handle);
  client result{std::move(self), std::move(*handle)};
  if (auto err = result.await_connected(timeout)) return err;
  return result;
}

caf::error client::await_connected(caf::timespan timeout) {
  // Waits on the events, not on a reply to a connect request: a connection actor that is
  // killed never answers, but its down message ends the wait at once (Gun's await with a
  // monitor). Every event stays readable through next_event.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::max(caf::timespan{0}, std::chrono::duration_cast<caf::timespan>(
                                               deadline - std::chrono::steady_clock::now()));
    auto event = pull_event(left);
    if (!event) return closed_ && closed_->cause ? closed_->cause : event.error();
    pending_.push_back(*event);
    if (std::holds_alternative<connected_event>(*event)) return {};
    if (auto* closed = std::get_if<closed_event>(&*event))
      return closed->cause ? closed->cause : make_error(errc::closed, "connection closed");
  }
}

template <class OnValue, class... Ts>
caf::error client::ask(caf::timespan timeout, OnValue on_value, Ts&&... xs) {
  caf::error result;
  // An infinite request and the receive's own deadline, not a CAF request timeout: under CAF
  // 0.17 a request timeout that fires after the answer arrives as a response nobody awaits,
  // which a blocking actor keeps in its mailbox for good (one per call: a leak).
  const auto reply_id = (*self_)->request(connection_, caf::infinite, std::forward<Ts>(xs)...).id();
  caf::blocking_actor::accept_one_cond one;
  (*self_)->varargs_receive(
      one, reply_id, std::move(on_value),
      [&](caf::error& err) { result = translate(std::move(err)); },
      caf::after(timeout) >> [&] { result = make_error(errc::timeout, "no answer in time"); });
  return result;
}

template <class... Ts>
caf::error client::request_ok(caf::timespan timeout, Ts&&... xs) {
  return ask(
      timeout, [](caf::ok_atom) {}, std::forward<Ts>(xs)...);
}

caf::error client::send_text(std::string text, caf::timespan timeout) {
  return send(ws_message{message_kind::text, std::move(text)}, timeout);
}

caf::error client::send_binary(std::string bytes, caf::timespan timeout) {
  return send(ws_message{message_kind::binary, std::move(bytes)}, timeout);
}

caf::error client::send(ws_message message, caf::timespan timeout) {
  return request_ok(timeout, send_atom::value, std::move(message));
}

caf::expected<connection_event> client::next_event(caf::timespan timeout) {
  if (!pending_.empty()) {
    auto event = std::move(pending_.front());
    pending_.pop_front();
    return event;
  }
  return pull_event(timeout);
}

caf::expected<connection_event> client::pull_event(caf::timespan timeout) {
  std::optional<caf::expected<connection_event>> result;
  auto take = [&](auto& event) { result = connection_event{std::move(event)}; };
  auto remaining = actor_down_ ? caf::timespan{0} : timeout;
  (*self_)->receive(
      [&](connected_event& event) { take(event); }, [&](message_event& event) { take(event); },
      [&](disconnected_event& event) { take(event); },
      [&](reconnecting_event& event) { take(event); },
      [&](reconnected_event& event) { take(event); }, [&](ownership_event& event) { take(event); },
      [&](closed_event& event) {
        closed_ = event;
        take(event);
      },
      [&](error_event& event) { take(event); }, [&](unsent_event& event) { take(event); },
      [&](const caf::down_msg& down) {
        if (down.source != connection_.address()) return;
        actor_down_ = true;
        result = make_error(errc::actor_gone, "connection actor exited: " + describe(down.reason));
      },
      caf::after(remaining) >>
          [&] {
            result = actor_down_ ? make_error(errc::actor_gone, "connection actor exited")
                                 : make_error(errc::timeout, "no event in time");
          });
  if (!result) return make_error(errc::timeout, "no event in time");
  return std::move(*result);
}

caf::expected<ws_message> client::receive(caf::timespan timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::max(caf::timespan{0}, std::chrono::duration_cast<caf::timespan>(
                                               deadline - std::chrono::steady_clock::now()));
    auto event = next_event(left);
    if (!event) {
      if (closed_) return closed_->cause ? closed_->cause : make_error(errc::closed);
      return event.error();
    }
    if (auto* message = std::get_if<message_event>(&*event)) return std::move(message->message);
    if (auto* closed = std::get_if<closed_event>(&*event))
      return closed->cause ? closed->cause : make_error(errc::closed, "connection closed");
  }
}

template <class T, class... Ts>
caf::expected<T> client::request_value(caf::timespan timeout, Ts&&... xs) {
  T value{};
  if (auto err = ask(
          timeout, [&](T& x) { value = std::move(x); }, std::forward<Ts>(xs)...))
    return err;
  return value;
}

caf::expected<caf::timespan> client::ping(caf::timespan timeout) {
  return request_value<caf::timespan>(timeout, ping_atom::value);
}

caf::expected<connection_status> client::status(caf::timespan timeout) {
  return request_value<connection_status>(timeout, status_atom::value);
}

caf::error client::send_json(std::string json, caf::timespan timeout) {
  return request_ok(timeout, send_json_atom::value, std::move(json));
}

caf::expected<std::string> client::request(std::string method, std::string params,
                                           caf::timespan timeout) {
  return request_value<std::string>(timeout + std::chrono::seconds{1}, request_atom::value,
                                    std::move(method), std::move(params), timeout);
}

caf::expected<std::uint64_t> client::subscribe(std::string channel, std::string params,
                                               caf::timespan timeout) {
  return request_value<std::uint64_t>(timeout, subscribe_atom::value, std::move(channel),
                                      std::move(params));
}

caf::error client::unsubscribe(std::uint64_t id, caf::timespan timeout) {
  return request_ok(timeout, unsubscribe_atom::value, id);
}

caf::error client::authenticate(caf::timespan timeout) {
  return request_ok(timeout, authenticate_atom::value);
}

caf::error client::reconnect(caf::timespan timeout) {
  return request_ok(timeout, reconnect_atom::value);
}

caf::error client::close(std::uint16_t code, std::string reason, caf::timespan timeout) {
  if (auto err = request_ok(timeout, close_atom::value, code, std::move(reason))) return err;
  // The closed event precedes the reply in the mailbox; keep what comes before it.
  while (!closed_) {
    auto event = pull_event(timeout);
    if (!event) return event.error();
    pending_.push_back(std::move(*event));
  }
  return {};
}

}  // namespace wsnova
