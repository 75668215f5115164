// Tests of <wsnova/actors/detail/owner_link.hpp>: the owner handle, its monitor, events and
// every ownership transfer rule, on CAF's deterministic test coordinator (no threads, no
// sockets) with a tiny actor that embeds an owner_link.
#include <wsnova/actors/detail/owner_link.hpp>

#define BOOST_TEST_MODULE owner_link
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/events.hpp>
#include <wsnova/actors/io_module.hpp>
#include <wsnova/core/error.hpp>

using namespace wsnova;
using namespace wsnova::detail;

namespace {

/// Test → holder: tell the owner a message event with this payload.
using notify_atom = caf::atom_constant<caf::atom("notify")>;
/// Test → holder: answer the current owner's address.
using owner_atom = caf::atom_constant<caf::atom("owner")>;
/// Test → recorder: ask `holder` to transfer ownership to `new_owner`, as this owner.
using forward_atom = caf::atom_constant<caf::atom("forward")>;

using log_t = std::vector<std::string>;
using log_ptr = std::shared_ptr<log_t>;

/// An owner that records every event as "<name>:<event>" and can ask for a transfer.
using recorder_actor =
    connection_owner::extend<caf::reacts_to<forward_atom, caf::actor, connection_owner>>;

recorder_actor::behavior_type recorder(recorder_actor::pointer self, std::string name,
                                       log_ptr log) {
  auto note = [name, log](const std::string& what) { log->push_back(name + ":" + what); };
  return {
      [note](connected_event&) { note("connected"); },
      [note](message_event& e) { note("message:" + e.message.payload); },
      [note](disconnected_event&) { note("disconnected"); },
      [note](reconnecting_event&) { note("reconnecting"); },
      [note](reconnected_event&) { note("reconnected"); },
      [note](closed_event&) { note("closed"); },
      [note](error_event&) { note("error"); },
      [note](unsent_event&) { note("unsent"); },
      [note](ownership_event& e) {
        // "from-none": the previous owner died during the hand-over.
        note(e.previous_owner == caf::actor_addr{} ? "ownership:from-none" : "ownership");
      },
      [self, note](forward_atom, caf::actor& target, connection_owner& new_owner) {
        self->request(target, caf::infinite, transfer_atom::value, std::move(new_owner))
            .then([note](caf::ok_atom) { note("transfer:ok"); },
                  [note](caf::error& err) {
                    note(std::string{"transfer:"} + to_string(code_of(err)));
                  });
      },
  };
}

/// The tiny actor embedding an owner_link; logs "holder:owner died" when told so.
class holder : public caf::event_based_actor {
 public:
  holder(caf::actor_config& cfg, connection_owner owner, caf::actor authority, log_ptr log)
      : caf::event_based_actor(cfg),
        link_(this, std::move(owner), std::move(authority)),
        log_(std::move(log)) {}

  caf::behavior make_behavior() override {
    link_.start("conn-1");
    set_down_handler([this](caf::down_msg& msg) {
      if (link_.on_down(msg)) log_->push_back("holder:owner died");
    });
    return {
        [this](transfer_atom, connection_owner& new_owner) {
          return link_.start_transfer(std::move(new_owner));
        },
        [this](commit_atom, std::uint64_t token) { link_.commit(token); },
        [this](notify_atom, std::string& payload) {
          link_.tell(message_event{"conn-1", ws_message{message_kind::text, std::move(payload)}});
        },
        [this](owner_atom) { return link_.owner() ? link_.owner().address() : caf::actor_addr{}; },
    };
  }

  void on_exit() override { link_.release(); }

 private:
  owner_link link_;
  log_ptr log_;
};

struct test_config : caf::actor_system_config {
  test_config() {
    set("scheduler.policy", caf::atom("testing"));
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
    wsnova::add_message_types(*this);
  }
};

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  log_ptr log = std::make_shared<log_t>();
  std::vector<caf::actor> spawned;

  ~fixture() {
    sched.run();
    for (auto& hdl : spawned) caf::anon_send_exit(hdl, caf::exit_reason::kill);
    sched.run();
  }

  recorder_actor owner(const std::string& name) {
    auto hdl = sys.spawn(recorder, name, log);
    spawned.push_back(caf::actor_cast<caf::actor>(hdl));
    return hdl;
  }

  /// A holder owned by `first`, with `authority` allowed to transfer too.
  caf::actor make_holder(const connection_owner& first, caf::actor authority = {}) {
    auto hdl = sys.spawn<holder>(first, std::move(authority), log);
    spawned.push_back(hdl);
    sched.run();
    return hdl;
  }

  /// The test itself as transfer authority.
  caf::actor me() { return caf::actor_cast<caf::actor>(self); }

  /// Sends a request from the test, runs everything and returns the reply.
  template <class T, class... Ts>
  caf::expected<T> ask(const caf::actor& dest, Ts&&... xs) {
    auto rh = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    caf::expected<T> result{make_error(errc::timeout, "no reply")};
    if (!self->has_next_message()) return result;
    rh.receive([&](T& x) { result = std::move(x); }, [&](caf::error& err) { result = err; });
    return result;
  }

  caf::actor_addr owner_of(const caf::actor& h) {
    auto res = ask<caf::actor_addr>(h, owner_atom::value);
    BOOST_REQUIRE(res);
    return *res;
  }

  void notify(const caf::actor& h, std::string payload) {
    caf::anon_send(h, notify_atom::value, std::move(payload));
    sched.run();
  }

  /// Asks `from` (a recorder) to transfer `h` to `to`.
  void forward(const recorder_actor& from, const caf::actor& h, const connection_owner& to) {
    caf::anon_send(from, forward_atom::value, h, to);
    sched.run();
  }

  void kill(const caf::actor& hdl) {
    caf::anon_send_exit(hdl, caf::exit_reason::kill);
    sched.run();
  }

  /// The log entries of `name`, in order, without the prefix.
  log_t of(const std::string& name) const {
    log_t result;
    auto prefix = name + ":";
    for (auto& e : *log)
      if (e.rfind(prefix, 0) == 0) result.push_back(e.substr(prefix.size()));
    return result;
  }

  bool logged(const std::string& entry) const {
    return std::find(log->begin(), log->end(), entry) != log->end();
  }
};

template <class T>
errc code(const caf::expected<T>& res) {
  return res ? errc::none : code_of(res.error());
}

caf::actor as_actor(const recorder_actor& hdl) { return caf::actor_cast<caf::actor>(hdl); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(events, fixture)

// Rule: events go to the owner, with the embedding actor as sender.
BOOST_AUTO_TEST_CASE(events_reach_the_owner) {
  auto a = owner("a");
  auto h = make_holder(a);
  notify(h, "x");
  BOOST_TEST(of("a") == (log_t{"message:x"}));
  BOOST_TEST((owner_of(h) == a.address()));
}

// Rule: the owner's death is reported once to the embedding actor; the owner is forgotten
// and later events go nowhere.
BOOST_AUTO_TEST_CASE(owner_death_is_reported_and_owner_forgotten) {
  auto a = owner("a");
  auto h = make_holder(a);
  kill(as_actor(a));
  BOOST_TEST(of("holder") == (log_t{"owner died"}));
  BOOST_TEST((owner_of(h) == caf::actor_addr{}));
  notify(h, "x");
  BOOST_TEST(of("a").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(transfer, fixture)

// Rule: the owner may transfer; the old owner gets ownership_event as its last event, the
// new one as its first, and every later event goes to the new owner.
BOOST_AUTO_TEST_CASE(owner_transfers_and_both_hear_it) {
  auto a = owner("a");
  auto b = owner("b");
  auto h = make_holder(a);
  notify(h, "before");
  forward(a, h, b);
  notify(h, "after");
  BOOST_TEST(of("a") == (log_t{"message:before", "ownership", "transfer:ok"}));
  BOOST_TEST(of("b") == (log_t{"ownership", "message:after"}));
  BOOST_TEST((owner_of(h) == b.address()));
}

// Rule: the transfer authority may transfer too.
BOOST_AUTO_TEST_CASE(authority_may_transfer) {
  auto a = owner("a");
  auto b = owner("b");
  auto h = make_holder(a, me());
  BOOST_TEST((code(ask<caf::ok_atom>(h, transfer_atom::value, connection_owner{b})) == errc::none));
  BOOST_TEST((owner_of(h) == b.address()));
  BOOST_TEST(of("a") == (log_t{"ownership"}));
  BOOST_TEST(of("b") == (log_t{"ownership"}));
}

// Rule: anyone else gets not_allowed and nothing changes.
BOOST_AUTO_TEST_CASE(stranger_may_not_transfer) {
  auto a = owner("a");
  auto b = owner("b");
  auto h = make_holder(a);
  BOOST_TEST(
      (code(ask<caf::ok_atom>(h, transfer_atom::value, connection_owner{b})) == errc::not_allowed));
  BOOST_TEST((owner_of(h) == a.address()));
  BOOST_TEST(of("a").empty());
  BOOST_TEST(of("b").empty());
}

// Rule: a former owner has no say any more.
BOOST_AUTO_TEST_CASE(former_owner_may_not_transfer_again) {
  auto a = owner("a");
  auto b = owner("b");
  auto c = owner("c");
  auto h = make_holder(a);
  forward(a, h, b);
  forward(a, h, c);
  BOOST_TEST(of("a") == (log_t{"ownership", "transfer:ok", "transfer:not_allowed"}));
  BOOST_TEST((owner_of(h) == b.address()));
  BOOST_TEST(of("c").empty());
}

// Rule: no new owner is invalid_argument.
BOOST_AUTO_TEST_CASE(empty_new_owner_is_invalid_argument) {
  auto a = owner("a");
  auto h = make_holder(a, me());
  BOOST_TEST((code(ask<caf::ok_atom>(h, transfer_atom::value, connection_owner{})) ==
              errc::invalid_argument));
  BOOST_TEST((owner_of(h) == a.address()));
}

// Rule: transferring to the current owner answers ok at once and tells no one.
BOOST_AUTO_TEST_CASE(transfer_to_current_owner_is_a_no_op) {
  auto a = owner("a");
  auto h = make_holder(a, me());
  BOOST_TEST((code(ask<caf::ok_atom>(h, transfer_atom::value, connection_owner{a})) == errc::none));
  BOOST_TEST(of("a").empty());
}

// Rule: a second transfer while one is pending is not_allowed; the first completes.
BOOST_AUTO_TEST_CASE(second_transfer_while_pending_is_not_allowed) {
  auto a = owner("a");
  auto b = owner("b");
  auto c = owner("c");
  auto h = make_holder(a, me());
  // Both requests are queued before the holder runs, so the second one finds the first
  // still waiting for its commit message.
  auto first = self->request(h, caf::infinite, transfer_atom::value, connection_owner{b});
  auto second = self->request(h, caf::infinite, transfer_atom::value, connection_owner{c});
  sched.run();
  errc first_code = errc::timeout;
  errc second_code = errc::timeout;
  first.receive([&](caf::ok_atom) { first_code = errc::none; },
                [&](caf::error& err) { first_code = code_of(err); });
  second.receive([&](caf::ok_atom) { second_code = errc::none; },
                 [&](caf::error& err) { second_code = code_of(err); });
  BOOST_TEST((first_code == errc::none));
  BOOST_TEST((second_code == errc::not_allowed));
  BOOST_TEST((owner_of(h) == b.address()));
  BOOST_TEST(of("c").empty());
}

// Rule: a dead new owner fails the transfer with actor_gone and changes nothing: the old
// owner keeps receiving, and hears no ownership_event.
BOOST_AUTO_TEST_CASE(dead_new_owner_gives_actor_gone_and_changes_nothing) {
  auto a = owner("a");
  auto b = owner("b");
  auto h = make_holder(a, me());
  kill(as_actor(b));
  BOOST_TEST(
      (code(ask<caf::ok_atom>(h, transfer_atom::value, connection_owner{b})) == errc::actor_gone));
  BOOST_TEST((owner_of(h) == a.address()));
  notify(h, "x");
  BOOST_TEST(of("a") == (log_t{"message:x"}));
  BOOST_TEST(!logged("holder:owner died"));
}

// Rule: a failed transfer leaves no pending state behind: the next one succeeds.
BOOST_AUTO_TEST_CASE(transfer_after_a_failed_one_succeeds) {
  auto a = owner("a");
  auto b = owner("b");
  auto c = owner("c");
  auto h = make_holder(a, me());
  kill(as_actor(b));
  BOOST_TEST(
      (code(ask<caf::ok_atom>(h, transfer_atom::value, connection_owner{b})) == errc::actor_gone));
  BOOST_TEST((code(ask<caf::ok_atom>(h, transfer_atom::value, connection_owner{c})) == errc::none));
  BOOST_TEST((owner_of(h) == c.address()));
}

// Rule: an owner dying while its transfer is pending completes the hand-over instead of
// reporting the owner's death; the new owner hears ownership_event from "no owner".
BOOST_AUTO_TEST_CASE(owner_dying_mid_transfer_completes_the_hand_over) {
  auto a = owner("a");
  auto b = owner("b");
  auto h = make_holder(a, me());
  auto reply = self->request(h, caf::infinite, transfer_atom::value, connection_owner{b});
  // The owner dies before the holder handles the request, so its down message lands
  // between the request and the commit message the request sends.
  caf::anon_send_exit(a, caf::exit_reason::kill);
  BOOST_REQUIRE(sched.prioritize(a));
  sched.run_once();
  sched.run();
  errc reply_code = errc::timeout;
  reply.receive([&](caf::ok_atom) { reply_code = errc::none; },
                [&](caf::error& err) { reply_code = code_of(err); });
  BOOST_TEST((reply_code == errc::none));
  BOOST_TEST((owner_of(h) == b.address()));
  BOOST_TEST(!logged("holder:owner died"));
  BOOST_TEST(of("b") == (log_t{"ownership:from-none"}));
  notify(h, "x");
  BOOST_TEST(of("b") == (log_t{"ownership:from-none", "message:x"}));
}

// Rule: a down message from anyone but the current owner (a former owner, a stranger) is
// ignored by address.
BOOST_AUTO_TEST_CASE(stale_down_messages_are_ignored) {
  auto a = owner("a");
  auto b = owner("b");
  auto stranger = owner("s");
  auto h = make_holder(a);
  forward(a, h, b);
  // The former owner was demonitored; a down message claiming it died changes nothing.
  caf::anon_send(h, caf::down_msg{a.address(), caf::exit_reason::kill});
  caf::anon_send(h, caf::down_msg{stranger.address(), caf::exit_reason::kill});
  sched.run();
  kill(as_actor(a));
  BOOST_TEST(!logged("holder:owner died"));
  BOOST_TEST((owner_of(h) == b.address()));
  // The new owner's death is the one that counts.
  kill(as_actor(b));
  BOOST_TEST(of("holder") == (log_t{"owner died"}));
}

BOOST_AUTO_TEST_SUITE_END()
