// Handlers running in a live connection against the in-process echo server: message
// handlers that reply, ignore or close, an actor-based message handler, connection
// handlers (in-process and actor) that greet on connect, and an error handler that ignores.
#define BOOST_TEST_MODULE handler
#include <wsnova/behaviors/handler_set.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <string>

#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <wsnova/actors/client.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using test::receive_or_fail;

namespace {

ws_message text(std::string payload) { return {message_kind::text, std::move(payload)}; }

/// Answers "q:X" with "a:X" (the echo server sends the answer back); lets the rest through.
class answering_handler : public message_handler {
 public:
  directive handle_message(handler_context&, ws_message& message) override {
    if (message.payload.starts_with("q:"))
      return directive::reply(text("a:" + message.payload.substr(2)));
    return directive::ok();
  }
};

/// Drops messages starting with "drop"; closes with 4100 on "bye".
class filtering_handler : public message_handler {
 public:
  directive handle_message(handler_context&, ws_message& message) override {
    if (message.payload.starts_with("drop")) return directive::ignore();
    if (message.payload == "bye") return directive::close(4100, "handler says bye");
    return directive::ok();
  }
};

/// Sends "hello" when the connection is up and remembers what it was told.
class greeting_handler : public connection_handler {
 public:
  directive on_connect(handler_context& context, const connect_info& info) override {
    connection_count = info.connection_count;
    url = info.url;
    connection_id = context.connection_id();
    return directive::reply(text("hello"));
  }
  std::atomic<std::uint32_t> connection_count{0};
  std::string url;
  std::string connection_id;
};

/// Ignores every error and remembers the last one.
class ignoring_error_handler : public error_handler {
 public:
  directive on_error(handler_context&, const caf::error& error) override {
    last = error;
    ++calls;
    return directive::ignore();
  }
  caf::error last;
  std::atomic<int> calls{0};
};

/// A message handler actor: tells `observer` each payload, answers "q:X" with "a:X".
message_handler_actor::behavior_type observing_handler(message_handler_actor::pointer,
                                                       caf::actor observer) {
  return {
      [observer](handle_msg_atom, const ws_message& message) -> directive {
        caf::anon_send(observer, message.payload);
        if (message.payload.starts_with("q:"))
          return directive::reply(text("a:" + message.payload.substr(2)));
        return directive::ok();
      },
  };
}

/// A connection handler actor that greets with "hello from actor".
connection_handler_actor::behavior_type greeting_actor(connection_handler_actor::pointer) {
  return {
      [](on_connect_atom, const connect_info&) {
        return directive::reply(text("hello from actor"));
      },
      [](on_disconn_atom, const disconnect_info& info) {
        return directive::close(info.code, info.reason);
      },
      [](on_control_atom, control_kind, const std::string&) { return directive::ok(); },
  };
}

struct fixture : test::actor_system_fixture {
  test::echo_server server;

  client open(handler_set handlers) {
    connection_config config;
    config.url = server.url();
    config.handlers = std::move(handlers);
    return test::connect_or_fail(system, std::move(config));
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(message_handlers, fixture)

// A reply directive sends its frames and keeps the message from the owner.
BOOST_AUTO_TEST_CASE(reply_answers_and_swallows_message) {
  handler_set handlers;
  handlers.message = std::make_shared<answering_handler>();
  auto c = open(handlers);
  BOOST_REQUIRE(!c.send_text("q:1"));
  BOOST_REQUIRE(!c.send_text("q:2"));
  BOOST_CHECK_EQUAL(receive_or_fail(c).payload, "a:1");
  BOOST_CHECK_EQUAL(receive_or_fail(c).payload, "a:2");
  // Sent only now: its echo would otherwise race the replies.
  BOOST_REQUIRE(!c.send_text("plain"));
  BOOST_CHECK_EQUAL(receive_or_fail(c).payload, "plain");
}

// An ignore directive drops the message; the others arrive in order.
BOOST_AUTO_TEST_CASE(ignore_drops_message) {
  handler_set handlers;
  handlers.message = std::make_shared<filtering_handler>();
  auto c = open(handlers);
  for (auto payload : {"drop1", "keep1", "drop2", "keep2"}) BOOST_REQUIRE(!c.send_text(payload));
  BOOST_CHECK_EQUAL(receive_or_fail(c).payload, "keep1");
  BOOST_CHECK_EQUAL(receive_or_fail(c).payload, "keep2");
  auto status = c.status();
  if (!status) BOOST_FAIL(describe(status.error()));
  BOOST_CHECK_EQUAL(status->messages_received, 4u);
}

// A close directive from the message handler closes with its code and reason.
BOOST_AUTO_TEST_CASE(close_directive_closes_with_its_code) {
  handler_set handlers;
  handlers.message = std::make_shared<filtering_handler>();
  auto c = open(handlers);
  BOOST_REQUIRE(!c.send_text("bye"));
  auto seen = server.wait_for_client_close(5s);
  BOOST_REQUIRE(seen);
  BOOST_CHECK_EQUAL(seen->code, 4100);
  BOOST_CHECK_EQUAL(seen->reason, "handler says bye");
  auto events = test::events_until_closed(c);
  BOOST_CHECK_EQUAL(std::get<closed_event>(events.back()).code, 4100);
  BOOST_CHECK(test::find_event<message_event>(events) == nullptr);
}

// A handler actor (make_message_handler) sees every message in order, its reply is sent,
// and no message reaches the owner.
BOOST_AUTO_TEST_CASE(actor_handler_sees_messages_and_replies) {
  caf::scoped_actor observer{system};
  auto handler = system.spawn(observing_handler, caf::actor{observer});
  handler_set handlers;
  handlers.message = make_message_handler(handler);
  auto c = open(handlers);
  BOOST_REQUIRE(!c.send_text("q:7"));
  std::vector<std::string> seen;
  bool timed_out = false;
  while (seen.size() < 2 && !timed_out)
    observer->receive([&](std::string& payload) { seen.push_back(std::move(payload)); },
                      caf::after(test::deadline) >> [&] { timed_out = true; });
  BOOST_REQUIRE_EQUAL(seen.size(), 2u);
  BOOST_CHECK_EQUAL(seen[0], "q:7");
  BOOST_CHECK_EQUAL(seen[1], "a:7");
  // The handler has decided on both, so any delivery would already be in the mailbox.
  for (;;) {
    auto event = c.next_event(0ms);
    if (!event) break;
    BOOST_CHECK_MESSAGE(!std::holds_alternative<message_event>(*event),
                        "a message reached the owner");
  }
  caf::anon_send_exit(handler, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(connection_handlers, fixture)

// on_connect's reply is sent as soon as the connection is up: "hello" comes back first.
BOOST_AUTO_TEST_CASE(on_connect_reply_is_sent) {
  auto greeter = std::make_shared<greeting_handler>();
  handler_set handlers;
  handlers.connection = greeter;
  auto c = open(handlers);
  BOOST_CHECK_EQUAL(receive_or_fail(c).payload, "hello");
  BOOST_CHECK_EQUAL(greeter->connection_count.load(), 1u);
  BOOST_CHECK_EQUAL(greeter->url, server.url());
  BOOST_CHECK(!greeter->connection_id.empty());
}

// A connection handler actor (make_connection_handler) greets the same way.
BOOST_AUTO_TEST_CASE(actor_on_connect_reply_is_sent) {
  auto handler = system.spawn(greeting_actor);
  handler_set handlers;
  handlers.connection = make_connection_handler(handler);
  auto c = open(handlers);
  BOOST_CHECK_EQUAL(receive_or_fail(c).payload, "hello from actor");
  caf::anon_send_exit(handler, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(error_handlers, fixture)

// An error handler returning ignore sees the error, and the owner gets no error_event.
BOOST_AUTO_TEST_CASE(ignored_error_is_not_reported) {
  auto errors = std::make_shared<ignoring_error_handler>();
  handler_set handlers;
  handlers.error = errors;
  auto c = open(handlers);
  BOOST_REQUIRE(!c.send_text("!close 4001 bye"));
  auto events = test::events_until_closed(c);
  BOOST_CHECK(test::find_event<error_event>(events) == nullptr);
  BOOST_CHECK_EQUAL(errors->calls.load(), 1);
  BOOST_CHECK_MESSAGE(is(errors->last, errc::closed_by_peer), describe(errors->last));
}

BOOST_AUTO_TEST_SUITE_END()
