// Reference echo agent on plain synchronous Boost.Beast, to validate fuzzing_server.py: a
// case Beast fails is more likely a server bug. Same options as conformance_echo_agent.
//
//   conformance_beast_echo_agent --port P [--tls --ca-file CA] [--compress]
//                                [--max-message N] [--case N] [--agent NAME]

#include <cstdlib>
#include <iostream>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct agent_options {
  int port = 0;
  bool tls = false;
  std::string ca_file;
  bool compress = false;
  std::size_t max_message = 16u << 20;
  int only_case = 0;
  std::string agent = "beast";
};

/// Upgrades `ws` on `path`, then echoes until the connection ends. Beast's own read does the
/// closing handshake and the TCP teardown (waiting for the server's FIN). Returns the first
/// message received.
template <class Stream>
std::string echo_loop(websocket::stream<Stream>& ws, const agent_options& opt,
                      const std::string& path) {
  websocket::permessage_deflate deflate;
  deflate.client_enable = opt.compress;
  ws.set_option(deflate);
  ws.read_message_max(opt.max_message);
  ws.auto_fragment(false);
  beast::error_code ec;
  ws.handshake("127.0.0.1:" + std::to_string(opt.port), path, ec);
  if (ec) {
    std::cerr << path << ": handshake: " << ec.message() << '\n';
    return {};
  }
  std::string first;
  for (;;) {
    beast::flat_buffer buffer;
    ws.read(buffer, ec);
    if (ec) {
      if (ec != websocket::error::closed) std::cerr << path << ": " << ec.message() << '\n';
      return first;
    }
    if (first.empty()) first = beast::buffers_to_string(buffer.data());
    ws.text(ws.got_text());
    ws.write(buffer.data(), ec);
    if (ec) {
      std::cerr << path << ": write: " << ec.message() << '\n';
      return first;
    }
  }
}

std::string run_connection(asio::io_context& ioc, asio::ssl::context& tls, const agent_options& opt,
                           const std::string& path) {
  tcp::endpoint server{asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(opt.port)};
  beast::error_code ec;
  if (!opt.tls) {
    websocket::stream<tcp::socket> ws{ioc};
    ws.next_layer().connect(server, ec);
    if (ec) return {};
    return echo_loop(ws, opt, path);
  }
  websocket::stream<asio::ssl::stream<tcp::socket>> ws{ioc, tls};
  ws.next_layer().next_layer().connect(server, ec);
  if (!ec) ws.next_layer().handshake(asio::ssl::stream_base::client, ec);
  if (ec) {
    std::cerr << path << ": TLS: " << ec.message() << '\n';
    return {};
  }
  return echo_loop(ws, opt, path);
}

bool parse(int argc, char** argv, agent_options& opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--port")
      opt.port = std::atoi(value().c_str());
    else if (arg == "--tls")
      opt.tls = true;
    else if (arg == "--ca-file")
      opt.ca_file = value();
    else if (arg == "--compress")
      opt.compress = true;
    else if (arg == "--max-message")
      opt.max_message = std::strtoull(value().c_str(), nullptr, 10);
    else if (arg == "--case")
      opt.only_case = std::atoi(value().c_str());
    else if (arg == "--agent")
      opt.agent = value();
    else
      return false;
  }
  return opt.port > 0;
}

}  // namespace

int main(int argc, char** argv) {
  agent_options opt;
  if (!parse(argc, argv, opt)) {
    std::cerr << "usage: conformance_beast_echo_agent --port P [--tls --ca-file CA] "
                 "[--compress] [--max-message N] [--case N] [--agent NAME]\n";
    return 2;
  }
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  if (opt.tls) {
    tls.load_verify_file(opt.ca_file);
    tls.set_verify_mode(asio::ssl::verify_peer);
  }
  auto count = std::atoi(run_connection(ioc, tls, opt, "/getCaseCount").c_str());
  if (count <= 0) {
    std::cerr << "no case count from the server\n";
    return 1;
  }
  int first = opt.only_case ? opt.only_case : 1;
  int last = opt.only_case ? opt.only_case : count;
  for (int n = first; n <= last; ++n)
    run_connection(ioc, tls, opt, "/runCase?case=" + std::to_string(n) + "&agent=" + opt.agent);
  run_connection(ioc, tls, opt, "/updateReports?agent=" + opt.agent);
  return 0;
}
