#include "line_sender.hpp"

#include <algorithm>

#include <caf/send.hpp>

#include <wsnova/core/error.hpp>

#include "output.hpp"
#include "utf8.hpp"

namespace wsnova::cli {

using namespace std::chrono_literals;

bool is_gone(const caf::error& err) {
  if (err.category() == caf::atom("system")) return true;  // request_receiver_down
  switch (code_of(err)) {
    case errc::closed:
    case errc::not_connected:
    case errc::actor_gone:
      return true;
    default:
      return false;
  }
}

line_sender::line_sender(caf::actor_system& system, connection handle, bool binary, bool quiet,
                         wait_function wait)
    : self_(system),
      handle_(std::move(handle)),
      binary_(binary),
      quiet_(quiet),
      wait_(std::move(wait)) {}

send_outcome line_sender::send(std::string line) {
  ++lines_;
  if (!binary_) {
    if (auto bad = first_invalid_utf8(line)) {
      failure_ = make_error(errc::invalid_argument,
                            "line " + std::to_string(lines_) +
                                " of stdin is not valid UTF-8 (byte " + std::to_string(*bad + 1) +
                                "); text messages must be UTF-8, send raw bytes with --binary");
      return send_outcome::bad_input;
    }
  }
  const auto kind = binary_ ? message_kind::binary : message_kind::text;
  auto pause = 1ms;
  bool paused = false;
  for (;;) {
    caf::error err;
    self_->request(handle_, caf::timespan{10s}, send_atom::value, ws_message{kind, line})
        .receive([](caf::ok_atom) {}, [&](caf::error& e) { err = std::move(e); });
    if (!err) {
      if (paused) print_status(quiet_, "send queue has room again: reading stdin");
      return send_outcome::sent;
    }
    if (!is(err, errc::queue_full)) {
      if (is_gone(err)) return send_outcome::connection_gone;
      failure_ = std::move(err);
      return send_outcome::failed;
    }
    if (!paused) {
      paused = true;
      print_status(quiet_,
                   "the server reads slower than wsnova sends: send queue full, "
                   "stdin paused until it drains");
    }
    if (!wait_(pause)) return send_outcome::interrupted;
    pause = std::min(pause * 2, std::chrono::milliseconds{200});
  }
}

void line_sender::close() {
  // Nobody waits for the answer: 1000 is always a valid code, and a connection that is
  // already gone has told the receive loop so.
  caf::anon_send(handle_, close_atom::value, close_code::normal, std::string{});
}

std::uint64_t line_sender::queued_messages() {
  std::uint64_t result = 0;
  self_->request(handle_, caf::timespan{1s}, status_atom::value)
      .receive([&](connection_status& status) { result = status.queued_messages; },
               [](caf::error&) {});
  return result;
}

}  // namespace wsnova::cli
