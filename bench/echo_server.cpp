// bench-echo-server: a lean Boost.Beast WebSocket echo server for the benchmarks.
//
// One io_context per thread (--threads, default 1), sessions assigned round robin, no
// strands. Each session keeps one read pending and one writer at a time: a message read
// while a write is in flight waits in a queue (its buffer recycled), otherwise it is echoed
// straight from the read buffer without a copy. ws:// by default; --tls serves wss:// with
// --cert/--key or a self-signed P-256 certificate generated in memory; --deflate accepts
// permessage-deflate. With --port 0 it prints "PORT n" once listening. Stops on SIGINT/SIGTERM.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/program_options.hpp>

#include "beast_names.hpp"

namespace {

using namespace wsnova::bench;

struct server_options {
  unsigned short port = 0;
  bool tls = false;
  std::string cert;
  std::string key;
  bool deflate = false;
  std::size_t threads = 1;
};

/// Loads --cert/--key, or makes a self-signed certificate for localhost and 127.0.0.1.
void setup_tls(ssl::context& ctx, const server_options& o) {
  if (!o.cert.empty()) {
    ctx.use_certificate_chain_file(o.cert);
    ctx.use_private_key_file(o.key.empty() ? o.cert : o.key, ssl::context::pem);
    return;
  }
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  if (!pkey) throw std::runtime_error("EC key generation failed");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 7 * 24 * 3600);
  X509_set_pubkey(cert, pkey);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  if (X509_EXTENSION* ext =
          X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1")) {
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (!X509_sign(cert, pkey, EVP_sha256())) throw std::runtime_error("X509_sign failed");
  if (SSL_CTX_use_certificate(ctx.native_handle(), cert) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.native_handle(), pkey) != 1)
    throw std::runtime_error("installing the self-signed certificate failed");
  X509_free(cert);
  EVP_PKEY_free(pkey);
}

template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
 public:
  template <class... Args>
  explicit session(const server_options& o, Args&&... args)
      : opts_(o), ws_(std::forward<Args>(args)...) {}

  void start() {
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay{true});
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    if constexpr (secure) {
      ws_.next_layer().async_handshake(ssl::stream_base::server,
                                       [self = this->shared_from_this()](error_code ec) {
                                         if (!ec) self->accept();
                                       });
    } else {
      accept();
    }
  }

 private:
  static constexpr bool secure = !std::is_same_v<Stream, websocket::stream<beast::tcp_stream>>;

  void accept() {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeout{std::chrono::seconds(30),
                                            websocket::stream_base::none(), false};
    ws_.set_option(timeout);
    websocket::permessage_deflate pmd;
    pmd.server_enable = opts_.deflate;
    ws_.set_option(pmd);
    ws_.auto_fragment(false);
    ws_.read_message_max(64u << 20);
    ws_.async_accept([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->read();
    });
  }

  void read() {
    ws_.async_read(rbuf_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(error_code ec) {
    if (ec) return;  // closed or failed: the session ends when the last handler returns
    bool text = ws_.got_text();
    if (!writing_) {
      std::swap(rbuf_, wbuf_);
      write(text, wbuf_.data());
    } else {
      std::string payload = spare_.empty() ? std::string{} : std::move(spare_.back());
      if (!spare_.empty()) spare_.pop_back();
      auto data = rbuf_.data();
      payload.resize(data.size());
      asio::buffer_copy(asio::buffer(payload), data);
      rbuf_.consume(rbuf_.size());
      queue_.push_back({text, std::move(payload)});
    }
    read();
  }

  template <class Buffers>
  void write(bool text, const Buffers& data) {
    writing_ = true;
    ws_.text(text);
    ws_.async_write(data, [self = this->shared_from_this()](error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(error_code ec) {
    writing_ = false;
    if (ec) return;
    if (wbuf_.size()) wbuf_.consume(wbuf_.size());
    if (in_queue_) {
      spare_.push_back(std::move(queue_.front().second));
      queue_.pop_front();
      in_queue_ = false;
    }
    if (!queue_.empty()) {
      in_queue_ = true;
      write(queue_.front().first, asio::buffer(queue_.front().second));
    }
  }

  const server_options& opts_;
  Stream ws_;
  beast::flat_buffer rbuf_;
  beast::flat_buffer wbuf_;
  std::deque<std::pair<bool, std::string>> queue_;
  std::vector<std::string> spare_;
  bool writing_ = false;
  bool in_queue_ = false;  // the write in flight is queue_.front()
};

class server {
 public:
  explicit server(server_options o) : opts_(std::move(o)) {
    if (opts_.threads < 1) opts_.threads = 1;
    for (std::size_t i = 0; i < opts_.threads; ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(1));
      guards_.emplace_back(contexts_.back()->get_executor());
    }
    if (opts_.tls) {
      tls_.emplace(ssl::context::tls_server);
      setup_tls(*tls_, opts_);
    }
    acceptor_.emplace(*contexts_[0]);
    tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), opts_.port};
    acceptor_->open(ep.protocol());
    acceptor_->set_option(tcp::acceptor::reuse_address(true));
    acceptor_->bind(ep);
    acceptor_->listen(4096);
    accept_retry_.emplace(*contexts_[0]);
  }

  unsigned short port() const { return acceptor_->local_endpoint().port(); }

  void run() {
    do_accept();
    asio::signal_set signals(*contexts_[0], SIGINT, SIGTERM);
    signals.async_wait([this](error_code, int) {
      for (auto& c : contexts_) c->stop();
    });
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts_.size(); ++i)
      threads.emplace_back([c = contexts_[i].get()] { c->run(); });
    contexts_[0]->run();
    for (auto& c : contexts_) c->stop();
    for (auto& t : threads) t.join();
  }

 private:
  void do_accept() {
    auto& ctx = *contexts_[next_++ % contexts_.size()];
    acceptor_->async_accept(ctx, [this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors (EMFILE) with connections still queued: accepting again at once
        // fails again at once, a busy loop that took a core from everyone else (wsnova-storm
        // --storm blackhole at the open-files limit). Try again shortly instead.
        accept_retry_->expires_after(std::chrono::milliseconds{10});
        accept_retry_->async_wait([this](error_code wait_ec) {
          if (!wait_ec) do_accept();
        });
        return;
      }
      if (tls_) {
        using stream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
        std::make_shared<session<stream>>(opts_, std::move(socket), *tls_)->start();
      } else {
        using stream = websocket::stream<beast::tcp_stream>;
        std::make_shared<session<stream>>(opts_, std::move(socket))->start();
      }
      do_accept();
    });
  }

  server_options opts_;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::optional<ssl::context> tls_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::steady_timer> accept_retry_;
  std::size_t next_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  server_options o;
  po::options_description desc("bench-echo-server options");
  desc.add_options()("help,h", "show this help")(
      "port", po::value(&o.port)->default_value(0),
      "port on 127.0.0.1; 0 picks one and prints PORT n")("tls", po::bool_switch(&o.tls),
                                                          "serve wss://")(
      "cert", po::value(&o.cert), "PEM certificate chain (default: self-signed, generated)")(
      "key", po::value(&o.key), "PEM private key of --cert")("deflate", po::bool_switch(&o.deflate),
                                                             "accept permessage-deflate")(
      "threads", po::value(&o.threads)->default_value(1), "I/O threads");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << '\n';
      return 0;
    }
    po::notify(vm);
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
      lim.rlim_cur = lim.rlim_max;
      setrlimit(RLIMIT_NOFILE, &lim);
    }
    std::signal(SIGPIPE, SIG_IGN);
    server srv{o};
    std::cout << "PORT " << srv.port() << std::endl;
    srv.run();
  } catch (const std::exception& e) {
    std::cerr << "bench-echo-server: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
