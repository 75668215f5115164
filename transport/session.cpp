#include <wsnova/transport/session.hpp>

#include <wsnova/transport/detail/session_impl.hpp>

namespace wsnova {

session::~session() = default;

std::shared_ptr<session> session::make(boost::asio::io_context& context, ws_url url,
                                       session_options options,
                                       std::shared_ptr<boost::asio::ssl::context> tls,
                                       std::shared_ptr<session_listener> listener,
                                       std::uint64_t id) {
  if (url.secure)
    return std::make_shared<detail::session_impl<true>>(context, std::move(url), std::move(options),
                                                        std::move(tls), std::move(listener), id);
  return std::make_shared<detail::session_impl<false>>(context, std::move(url), std::move(options),
                                                       nullptr, std::move(listener), id);
}

}  // namespace wsnova
