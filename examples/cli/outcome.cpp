#include "outcome.hpp"

#include <wsnova/core/error.hpp>

#include "close_info.hpp"
#include "exit_codes.hpp"
#include "output.hpp"

namespace wsnova::cli {

namespace {

/// True for errors that only say the connection is over, never why: the library's
/// "reconnection disabled" and "connection closed" (`closed`), and our own leaving.
bool says_nothing(const caf::error& err) {
  return !err || is(err, errc::closed) || is(err, errc::owner_gone);
}

/// Who ended the connection, for the closed line.
std::string who_closed(const std::optional<caf::error>& first, bool close_requested) {
  if (!first) return close_requested ? "closed by wsnova" : "closed by the server";
  switch (code_of(*first)) {
    case errc::closed_by_peer:
      return "closed by the server";
    case errc::connection_lost:
      return "connection dropped without a close handshake";
    default:
      return "closed by wsnova";
  }
}

}  // namespace

void outcome::note_error(const caf::error& err) {
  if (says_nothing(err)) return;
  if (!first_error_) {
    first_error_ = err;
    return;
  }
  // Repeats of the first error (error_event, then the disconnect's cause) say nothing new.
  if (code_of(err) != code_of(*first_error_))
    print_warning("also: " + error_category(err) + ": " + error_detail(err));
}

void outcome::note_local_error(const caf::error& err) {
  if (first_error_) return note_error(err);
  first_error_ = err;
  first_is_local_ = true;
}

void outcome::note_disconnect(const disconnected_event& event) {
  last_disconnect_ = event;
  note_error(event.cause);
}

int outcome::report(const closed_event& closed, bool quiet) const {
  auto close = final_close(closed, last_disconnect_);
  auto line = "closed: " + describe_close(close.code, close.reason) + " (" +
              who_closed(first_error_, close_requested_ || first_is_local_) + ")";
  if (!first_error_ || is(*first_error_, errc::closed_by_peer)) {
    if (close.code == close_code::normal) {
      print_status(quiet, line);
      return exit_ok;
    }
    print_status(false, line);  // a failure: say it even when quiet
    return exit_closed_abnormally;
  }
  print_status(false, line);
  return report_error(*first_error_);
}

}  // namespace wsnova::cli
