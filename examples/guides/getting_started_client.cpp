// Getting started, step 1 (docs/getting-started.md): the blocking client. Connects, sends one
// text message, waits for the reply, closes. With a ws:// or wss:// URL as argument it talks
// to that server; without one, to the test kit's in-process echo server.

// --(client-begin)--
#include <iostream>
#include <string>

#include <wsnova/wsnova.hpp>

int talk(const std::string& url) {
  caf::actor_system_config cfg;
  cfg.load<wsnova::io_module>();  // wsnova's message types and its I/O threads
  caf::actor_system system{cfg};

  wsnova::connection_config conf;
  conf.url = url;
  auto client = wsnova::client::connect(system, conf);  // waits until the connection is up
  if (!client) {
    std::cout << "connect failed: " << wsnova::describe(client.error()) << '\n';
    return 1;
  }
  std::cout << "connected to " << url << '\n';
  if (auto err = client->send_text("hello, wsnova")) {
    std::cout << "send failed: " << wsnova::describe(err) << '\n';
    return 1;
  }
  auto reply = client->receive();  // the next message; every wait has a deadline (10 s)
  if (!reply) {
    std::cout << "no reply: " << wsnova::describe(reply.error()) << '\n';
    return 1;
  }
  std::cout << "received: " << reply->payload << '\n';
  if (auto err = client->close(wsnova::close_code::normal, "bye")) {
    std::cout << "close failed: " << wsnova::describe(err) << '\n';
    return 1;
  }
  std::cout << "closed with code " << client->closed()->code << '\n';
  return 0;
}  // the client goes before the actor system: it was declared after it
// --(client-end)--

#include <optional>

#include <wsnova/testing/echo_server.hpp>

int main(int argc, char** argv) {
  std::optional<wsnova::test::echo_server> server;  // the test kit's, not installed
  return talk(argc > 1 ? std::string{argv[1]} : server.emplace().url());
}
