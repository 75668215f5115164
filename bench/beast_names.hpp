// The Boost.Asio and Boost.Beast names that the Beast-only benchmark programs (beast-bench,
// bench-echo-server) write, spelled once for both.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/system/error_code.hpp>

namespace wsnova::bench {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

}  // namespace wsnova::bench
