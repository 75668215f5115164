// The eight behaviours in a live connection, each callback in both forms (in-process callbacks
// and a separate actor) against the in-process echo server, scripted as a JSON-RPC peer where
// needed: every callback is called and every answer means the same in both forms. Also pins
// the defects of the earlier adapters: a deferred `ok` that stranded the connection, requests
// to behaviour actors that waited forever, `ok` from a Message actor that dropped the message,
// and the order login → buffered sends with an actor on_connect.
#define BOOST_TEST_MODULE behaviors
#include <wsnova/behaviors/behavior_set.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <wsnova/actors/client.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/testing/echo_server.hpp>
#include <wsnova/tests/actors/actor_system_fixture.hpp>
#include <wsnova/tests/actors/client_helpers.hpp>
#include <wsnova/tests/behaviors/live_helpers.hpp>
#include <wsnova/tests/behaviors/rpc_peer.hpp>

using namespace std::chrono_literals;
using namespace wsnova;
using test::receive_or_fail;

namespace {

ws_message text(std::string payload) { return {message_kind::text, std::move(payload)}; }

/// What the callbacks were called with, from any thread, in order.
class call_log {
 public:
  void add(std::string entry) {
    std::lock_guard guard{mutex_};
    entries_.push_back(std::move(entry));
    changed_.notify_all();
  }
  /// Waits until an entry equal to `entry` was added; false at the deadline.
  bool wait_for(const std::string& entry, std::chrono::milliseconds deadline = 10s) {
    std::unique_lock lock{mutex_};
    return changed_.wait_for(lock, deadline, [&] {
      return std::find(entries_.begin(), entries_.end(), entry) != entries_.end();
    });
  }
  std::size_t count(const std::string& entry) {
    std::lock_guard guard{mutex_};
    return static_cast<std::size_t>(std::count(entries_.begin(), entries_.end(), entry));
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> entries_;
};

using log_ptr = std::shared_ptr<call_log>;

using test::test_actors;

enum class form { local, actor };

const char* name(form f) { return f == form::local ? "in-process" : "actor"; }

constexpr form both_forms[] = {form::local, form::actor};

// -- one implementation per behaviour, written once as plain functions and used by both forms

directive on_connect_reply(const log_ptr& calls, const connect_info& info) {
  calls->add("on_connect " + std::to_string(info.connection_count));
  return directive::reply(text("hello"));
}

handshake on_handshake_add_header(const log_ptr& calls, handshake h) {
  calls->add("on_handshake");
  h.headers.emplace_back("x-behaviour", "handshake");
  return h;
}

directive on_disconnect_close(const log_ptr& calls, const disconnect_info& info) {
  calls->add("on_disconnect");
  return directive::close(info.code, "decided by on_disconnect");
}

directive on_control_note(const log_ptr& calls, control_kind kind, const std::string& payload) {
  calls->add(std::string{kind == control_kind::ping ? "ping " : "pong "} + payload);
  return directive::ok();
}

behavior_slot<connection_behavior> connection_slot(form f, test_actors& system, log_ptr calls) {
  if (f == form::local)
    return connection_behavior::local{}
        .on(on_handshk_atom::value,
            [calls](handler_context&, handshake& h) { return on_handshake_add_header(calls, h); })
        .on(on_connect_atom::value,
            [calls](handler_context&, connect_info& info) { return on_connect_reply(calls, info); })
        .on(on_disconn_atom::value,
            [calls](handler_context&, disconnect_info& info) {
              return on_disconnect_close(calls, info);
            })
        .on(on_control_atom::value,
            [calls](handler_context&, control_kind& kind, std::string& payload) {
              return on_control_note(calls, kind, payload);
            });
  return system.spawn([calls]() -> connection_behavior::actor::behavior_type {
    return {
        [calls](on_handshk_atom, handshake& h) { return on_handshake_add_header(calls, h); },
        [calls](on_connect_atom, const connect_info& info) {
          return on_connect_reply(calls, info);
        },
        [calls](on_disconn_atom, const disconnect_info& info) {
          return on_disconnect_close(calls, info);
        },
        [calls](on_control_atom, control_kind kind, const std::string& payload) {
          return on_control_note(calls, kind, payload);
        },
    };
  });
}

directive handle_message_rule(const log_ptr& calls, const ws_message& message) {
  calls->add("handle " + message.payload);
  if (message.payload.starts_with("q:"))
    return directive::reply(text("a:" + message.payload.substr(2)));
  if (message.payload.starts_with("drop")) return directive::ignore();
  return directive::ok();
}

ws_message encode_rule(const log_ptr& calls, ws_message message) {
  calls->add("encode " + message.payload);
  if (message.payload.starts_with("e:")) message.payload = "encoded(" + message.payload + ")";
  return message;
}

behavior_slot<message_behavior> message_slot(form f, test_actors& system, log_ptr calls) {
  if (f == form::local)
    return message_behavior::local{}
        .on(handle_msg_atom::value,
            [calls](handler_context&, ws_message& m) { return handle_message_rule(calls, m); })
        .on(encode_atom::value,
            [calls](handler_context&, ws_message& m) { return encode_rule(calls, m); });
  return system.spawn([calls]() -> message_behavior::actor::behavior_type {
    return {
        [calls](handle_msg_atom, const ws_message& m) { return handle_message_rule(calls, m); },
        [calls](encode_atom, ws_message& m) { return encode_rule(calls, std::move(m)); },
    };
  });
}

directive on_error_rule(const log_ptr& calls, const caf::error& err, const std::string& where) {
  calls->add("on_error " + where + " " + to_string(code_of(err)));
  return directive::ignore();
}

behavior_slot<error_behavior> error_slot(form f, test_actors& system, log_ptr calls) {
  if (f == form::local)
    return error_behavior::local{}.on(
        on_error_atom::value, [calls](handler_context&, caf::error& err, std::string& where) {
          return on_error_rule(calls, err, where);
        });
  return system.spawn([calls]() -> error_behavior::actor::behavior_type {
    return {[calls](on_error_atom, const caf::error& err, const std::string& where) {
      return on_error_rule(calls, err, where);
    }};
  });
}

rpc_call auth_request_rule(const log_ptr& calls, const auth_attempt& attempt) {
  calls->add(std::string{"auth_req "} + to_string(attempt.reason));
  return {"auth", R"({"client_id":"me","client_secret":"s3cret"})"};
}

auth_outcome auth_result_rule(const log_ptr& calls, const std::string& result) {
  calls->add("auth_res");
  auto outcome = read_token_result(result);
  return outcome ? *outcome : auth_outcome{};
}

behavior_slot<auth_behavior> auth_slot(form f, test_actors& system, log_ptr calls) {
  if (f == form::local)
    return auth_behavior::local{}
        .on(auth_req_atom::value,
            [calls](handler_context&, auth_attempt& a) { return auth_request_rule(calls, a); })
        .on(auth_res_atom::value,
            [calls](handler_context&, std::string& r) { return auth_result_rule(calls, r); });
  return system.spawn([calls]() -> auth_behavior::actor::behavior_type {
    return {
        [calls](auth_req_atom, const auth_attempt& a) { return auth_request_rule(calls, a); },
        [calls](auth_res_atom, const std::string& r) { return auth_result_rule(calls, r); },
    };
  });
}

rpc_call sub_request_rule(const log_ptr& calls, const subscription_info& info, const char* method) {
  calls->add(std::string{method} + " " + info.channel);
  return default_subscription_call(info, method);
}

directive notify_rule(const log_ptr& calls, const std::string& channel, const ws_message&) {
  calls->add("notify " + channel);
  return directive::ok();
}

behavior_slot<subscription_behavior> subscription_slot(form f, test_actors& system, log_ptr calls) {
  if (f == form::local)
    return subscription_behavior::local{}
        .on(sub_req_atom::value,
            [calls](handler_context&, subscription_info& i) {
              return sub_request_rule(calls, i, "subscribe");
            })
        .on(unsub_req_atom::value,
            [calls](handler_context&, subscription_info& i) {
              return sub_request_rule(calls, i, "unsubscribe");
            })
        .on(notify_atom::value, [calls](handler_context&, std::string& c, ws_message& m) {
          return notify_rule(calls, c, m);
        });
  return system.spawn([calls]() -> subscription_behavior::actor::behavior_type {
    return {
        [calls](sub_req_atom, const subscription_info& i) {
          return sub_request_rule(calls, i, "subscribe");
        },
        [calls](unsub_req_atom, const subscription_info& i) {
          return sub_request_rule(calls, i, "unsubscribe");
        },
        [calls](notify_atom, const std::string& c, const ws_message& m) {
          return notify_rule(calls, c, m);
        },
    };
  });
}

rate_answer acquire_rule(const log_ptr& calls, const std::string& kind) {
  calls->add("acquire " + kind);
  rate_answer answer;
  answer.outcome = kind == "subscribe" ? rate_outcome::rejected : rate_outcome::sent;
  if (answer.outcome == rate_outcome::rejected) answer.error = make_error(errc::rate_limited, kind);
  return answer;
}

behavior_slot<rate_limit_behavior> rate_limit_slot(form f, test_actors& system, log_ptr calls) {
  if (f == form::local)
    return rate_limit_behavior::local{}.on(
        rate_acquire_atom::value,
        [calls](handler_context&, std::string& kind) { return acquire_rule(calls, kind); });
  return system.spawn([calls]() -> rate_limit_behavior::actor::behavior_type {
    return {
        [calls](rate_acquire_atom, const std::string& kind) { return acquire_rule(calls, kind); }};
  });
}

behavior_slot<logging_behavior> logging_slot(form f, test_actors& system, log_ptr calls) {
  if (f == form::local)
    return logging_behavior::local{}.on(
        log_atom::value, [calls](handler_context&, log_event& e) { calls->add("log " + e.event); });
  return system.spawn([calls]() -> logging_behavior::actor::behavior_type {
    return {[calls](log_atom, const log_event& e) { calls->add("log " + e.event); }};
  });
}

behavior_slot<metrics_behavior> metrics_slot(form f, test_actors& system, log_ptr calls) {
  if (f == form::local)
    return metrics_behavior::local{}.on(
        metric_atom::value, [calls](handler_context&, metric_sample& s) { calls->add(s.name); });
  return system.spawn([calls]() -> metrics_behavior::actor::behavior_type {
    return {[calls](metric_atom, const metric_sample& s) { calls->add(s.name); }};
  });
}

struct fixture : test::actor_system_fixture {
  std::shared_ptr<test::rpc_peer> peer = std::make_shared<test::rpc_peer>();
  test::echo_server server{peer->options()};
  test_actors actors{system};

  connection_config config() {
    connection_config c;
    c.url = server.url();
    c.reconnect.initial_delay = 10ms;
    c.reconnect.max_delay = 50ms;
    return c;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(every_callback_in_both_forms, fixture)

// Connection: on_handshake's header reaches the server, on_connect's reply leaves first,
// on_control_frame sees the server's ping, on_disconnect's close ends the connection.
BOOST_AUTO_TEST_CASE(connection_behavior_callbacks) {
  for (auto f : both_forms) {
    BOOST_TEST_CONTEXT(name(f)) {
      auto calls = std::make_shared<call_log>();
      auto c = config();
      c.behaviors.connection = connection_slot(f, actors, calls);
      auto conn = test::connect_or_fail(system, std::move(c));
      BOOST_CHECK_EQUAL(receive_or_fail(conn).payload, "hello");
      BOOST_CHECK(calls->wait_for("on_handshake"));
      BOOST_CHECK(calls->wait_for("on_connect 1"));
      BOOST_CHECK_EQUAL(server.last_request_headers()["x-behaviour"], "handshake");
      server.ping_all("are-you-there");
      BOOST_CHECK(calls->wait_for("ping are-you-there"));
      BOOST_REQUIRE(server.wait_for_connections(1, 10s));
      server.drop_all();
      BOOST_CHECK(calls->wait_for("on_disconnect"));
      auto events = test::events_until_closed(conn);
      BOOST_CHECK_EQUAL(std::get<closed_event>(events.back()).reason, "decided by on_disconnect");
    }
  }
}

// Message: `reply` answers and swallows, `ignore` drops, `ok` delivers (in both forms: the
// actor adapter used to drop it), and `encode` changes what leaves.
BOOST_AUTO_TEST_CASE(message_behavior_callbacks) {
  for (auto f : both_forms) {
    BOOST_TEST_CONTEXT(name(f)) {
      auto calls = std::make_shared<call_log>();
      auto c = config();
      c.behaviors.message = message_slot(f, actors, calls);
      auto conn = test::connect_or_fail(system, std::move(c));
      // q:1 → reply a:1 (echoed back, ok → delivered). The rest is sent after: its echoes
      // would race the reply.
      BOOST_REQUIRE(!conn.send_text("q:1"));
      BOOST_CHECK_EQUAL(receive_or_fail(conn).payload, "a:1");
      // drop-me is ignored, plain delivered, e:x encoded on the way out.
      for (auto payload : {"drop-me", "plain", "e:x"}) BOOST_REQUIRE(!conn.send_text(payload));
      BOOST_CHECK_EQUAL(receive_or_fail(conn).payload, "plain");
      BOOST_CHECK_EQUAL(receive_or_fail(conn).payload, "encoded(e:x)");
      BOOST_CHECK(calls->wait_for("handle drop-me"));
      BOOST_CHECK(calls->wait_for("encode q:1"));
      BOOST_CHECK_EQUAL(calls->count("handle q:1"), 1u);
    }
  }
}

// Error: sees the transport error with where = "transport"; `ignore` keeps it from the owner.
BOOST_AUTO_TEST_CASE(error_behavior_callback) {
  for (auto f : both_forms) {
    BOOST_TEST_CONTEXT(name(f)) {
      auto calls = std::make_shared<call_log>();
      auto c = config();
      c.reconnect.enabled = false;
      c.behaviors.error = error_slot(f, actors, calls);
      auto conn = test::connect_or_fail(system, std::move(c));
      BOOST_REQUIRE(!conn.send_text("!close 4001 bye"));
      auto events = test::events_until_closed(conn);
      BOOST_CHECK(calls->wait_for("on_error transport closed_by_peer"));
      BOOST_CHECK(test::find_event<error_event>(events) == nullptr);
    }
  }
}

// Auth, Subscription, RateLimit, Logging, Metrics: each callback is reached.
BOOST_AUTO_TEST_CASE(auth_subscription_rate_logging_metrics_callbacks) {
  for (auto f : both_forms) {
    BOOST_TEST_CONTEXT(name(f)) {
      auto calls = std::make_shared<call_log>();
      auto c = config();
      c.behaviors.auth = auth_slot(f, actors, calls);
      c.behaviors.subscription = subscription_slot(f, actors, calls);
      c.behaviors.rate_limit = rate_limit_slot(f, actors, calls);
      c.behaviors.logging = logging_slot(f, actors, calls);
      c.behaviors.metrics = metrics_slot(f, actors, calls);
      c.log_threshold = log_level::debug;
      auto conn = test::connect_or_fail(system, std::move(c));
      BOOST_CHECK(calls->wait_for("auth_req connect"));
      BOOST_CHECK(calls->wait_for("auth_res"));
      BOOST_CHECK(calls->wait_for("log authenticated"));
      BOOST_CHECK(calls->wait_for("wsnova_restore_duration_seconds"));
      // The rate limit refuses "subscribe" and passes the rest (acquire_rule).
      BOOST_REQUIRE(!conn.send_text("x"));
      BOOST_CHECK(calls->wait_for("acquire send"));
      auto refused = conn.subscribe("trades");
      BOOST_CHECK_MESSAGE(!refused && is(refused.error(), errc::rate_limited),
                          (refused ? std::string{"subscribed"} : describe(refused.error())));
      BOOST_CHECK(calls->wait_for("subscribe trades"));
      BOOST_CHECK(calls->wait_for("log rate_limited"));
    }
  }
}

// Subscription without a rate limit: confirmed, notifications go to `notify` and on to the
// owner, unsubscribe sends its request.
BOOST_AUTO_TEST_CASE(subscription_notify_and_unsubscribe) {
  for (auto f : both_forms) {
    BOOST_TEST_CONTEXT(name(f)) {
      auto calls = std::make_shared<call_log>();
      auto c = config();
      c.behaviors.subscription = subscription_slot(f, actors, calls);
      auto conn = test::connect_or_fail(system, std::move(c));
      auto id = conn.subscribe("book.BTC");
      if (!id) BOOST_FAIL(describe(id.error()));
      server.send_all(test::rpc_peer::notification("book.BTC", 1));
      auto note = receive_or_fail(conn);
      BOOST_CHECK_NE(note.payload.find("book.BTC"), std::string::npos);
      BOOST_CHECK(calls->wait_for("notify book.BTC"));
      BOOST_REQUIRE(!conn.unsubscribe(*id));
      BOOST_CHECK(calls->wait_for("unsubscribe book.BTC"));
      BOOST_CHECK(peer->wait_for(2, 10s));
      BOOST_CHECK(is(conn.unsubscribe(*id), errc::not_allowed));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(defects_pinned, fixture)

// An Error behaviour actor answering `ok` leaves the decision to on_disconnect: the
// connection reconnects (it used to stay stranded, with no reconnect and no closed_event).
BOOST_AUTO_TEST_CASE(error_actor_ok_reconnects) {
  auto handler = actors.spawn([]() -> error_behavior::actor::behavior_type {
    return {[](on_error_atom, const caf::error&, const std::string&) { return directive::ok(); }};
  });
  auto c = config();
  c.behaviors.error = handler;
  auto conn = test::connect_or_fail(system, std::move(c));
  BOOST_REQUIRE(server.wait_for_connections(1, 10s));
  server.drop_all();
  test::next_event_of<reconnecting_event>(conn);
  test::next_event_of<reconnected_event>(conn);
  BOOST_REQUIRE(!conn.send_text("after"));
  BOOST_CHECK_EQUAL(receive_or_fail(conn).payload, "after");
}

// A Connection behaviour actor answering `ok` to on_disconnect reconnects by the policy; one
// answering `reconnect` is held to max_attempts (it used to bypass the backoff).
BOOST_AUTO_TEST_CASE(connection_actor_ok_and_reconnect_follow_the_policy) {
  auto ok_handler = actors.spawn([]() -> connection_behavior::actor::behavior_type {
    return {
        [](on_handshk_atom, handshake& h) { return h; },
        [](on_connect_atom, const connect_info&) { return directive::ok(); },
        [](on_disconn_atom, const disconnect_info&) { return directive::ok(); },
        [](on_control_atom, control_kind, const std::string&) { return directive::ok(); },
    };
  });
  auto c = config();
  c.behaviors.connection = ok_handler;
  auto conn = test::connect_or_fail(system, std::move(c));
  BOOST_REQUIRE(server.wait_for_connections(1, 10s));
  server.drop_all();
  test::next_event_of<reconnected_event>(conn);

  auto insistent = actors.spawn([]() -> connection_behavior::actor::behavior_type {
    return {
        [](on_handshk_atom, handshake& h) { return h; },
        [](on_connect_atom, const connect_info&) { return directive::ok(); },
        [](on_disconn_atom, const disconnect_info&) { return directive::reconnect(1ms); },
        [](on_control_atom, control_kind, const std::string&) { return directive::ok(); },
    };
  });
  auto limited = config();
  limited.behaviors.connection = insistent;
  limited.reconnect.max_attempts = 3;
  auto conn2 = test::connect_or_fail(system, std::move(limited));
  // A cause on_disconnect is asked about, sent over this very connection (close_all could
  // miss a session the server has not registered yet).
  BOOST_REQUIRE(!conn2.send_text("!close 1011 going down"));
  // The server stays up, so every reconnect succeeds; close each one until attempts run out.
  std::uint32_t reconnects = 0;
  for (;;) {
    auto event = conn2.next_event(test::deadline);
    if (!event) BOOST_FAIL("no closed_event: " << describe(event.error()));
    if (std::holds_alternative<reconnected_event>(*event)) {
      ++reconnects;
      BOOST_REQUIRE(!conn2.send_text("!close 1011 going down"));
    }
    if (std::holds_alternative<closed_event>(*event)) break;
  }
  // The backoff counts attempts since the connection was last stable; with a stable period
  // longer than the test, every reconnect counts: at most max_attempts of them.
  BOOST_CHECK_LE(reconnects, 3u);
}

// A behaviour actor that never answers times out (it used to wait forever); the failure goes
// to the Error behaviour and the callback's default applies: the message is delivered.
BOOST_AUTO_TEST_CASE(silent_behavior_actor_times_out_to_the_error_behavior) {
  auto silent = actors.spawn([]() -> message_behavior::actor::behavior_type {
    return {
        [](handle_msg_atom, const ws_message&) -> caf::result<directive> {
          return caf::delegated<directive>{};  // never answers
        },
        [](encode_atom, ws_message& m) { return std::move(m); },
    };
  });
  auto calls = std::make_shared<call_log>();
  auto c = config();
  c.behaviors.message = behavior_slot<message_behavior>{silent, 200ms};
  c.behaviors.error = error_behavior::local{}.on(
      on_error_atom::value, [calls](handler_context&, caf::error& err, std::string& where) {
        calls->add(where + " " + to_string(code_of(err)));
        return directive::ok();
      });
  auto conn = test::connect_or_fail(system, std::move(c));
  BOOST_REQUIRE(!conn.send_text("late"));
  BOOST_CHECK_EQUAL(receive_or_fail(conn).payload, "late");
  BOOST_CHECK(calls->wait_for("behavior:message.handle_message timeout"));
}

// With an actor on_connect that replies a login, the login leaves before what was buffered
// while down (the offline buffer used to be flushed before the deferred reply).
BOOST_AUTO_TEST_CASE(actor_on_connect_login_precedes_buffered_sends) {
  auto login = actors.spawn([]() -> connection_behavior::actor::behavior_type {
    return {
        [](on_handshk_atom, handshake& h) { return h; },
        [](on_connect_atom, const connect_info&) { return directive::reply(text("login")); },
        [](on_disconn_atom, const disconnect_info&) { return directive::ok(); },
        [](on_control_atom, control_kind, const std::string&) { return directive::ok(); },
    };
  });
  auto c = config();
  c.behaviors.connection = login;
  c.sending.when_disconnected = offline_send_policy::buffer;
  // Long enough that the two sends below are made while down (the order holds either way).
  c.reconnect.initial_delay = 500ms;
  c.reconnect.max_delay = 500ms;
  auto conn = test::connect_or_fail(system, std::move(c));
  BOOST_CHECK_EQUAL(receive_or_fail(conn).payload, "login");
  BOOST_REQUIRE(server.wait_for_connections(1, 10s));
  server.drop_all();
  test::next_event_of<disconnected_event>(conn);
  BOOST_REQUIRE(!conn.send_text("buffered-1"));
  BOOST_REQUIRE(!conn.send_text("buffered-2"));
  test::next_event_of<reconnected_event>(conn);
  BOOST_CHECK_EQUAL(receive_or_fail(conn).payload, "login");
  BOOST_CHECK_EQUAL(receive_or_fail(conn).payload, "buffered-1");
  BOOST_CHECK_EQUAL(receive_or_fail(conn).payload, "buffered-2");
}

BOOST_AUTO_TEST_SUITE_END()
