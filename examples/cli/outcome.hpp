#pragma once

/// @file
/// How a `wsnova URL` run ended: the closed line, the error line and the exit code.

#include <optional>

#include <caf/error.hpp>

#include <wsnova/actors/events.hpp>

namespace wsnova::cli {

/// Collects what the connection (and the stdin side) reported, in order, and decides the
/// verdict once the connection is closed.
///
/// **The first error wins.** A failure drags others after it: a server that breaks the
/// protocol over TLS also leaves a TLS stream that ends without close_notify, and with
/// reconnection off the library's final event says "reconnection disabled" instead of the
/// server's 1001 or 1011 (see the report on core/backoff.cpp). The exit code and the error
/// line come from the first real error; later ones are printed as warnings.
class outcome {
 public:
  /// Notes an error the connection reported (`error_event`, a disconnect's cause).
  void note_error(const caf::error& err);

  /// Notes a failure on our side (bad input, a refused send); it wins over what follows.
  void note_local_error(const caf::error& err);

  /// Notes the last `disconnected_event`: it carries the close code the peer sent.
  void note_disconnect(const disconnected_event& event);

  /// Notes that the user (end of input, Ctrl-C) asked wsnova to close.
  void note_close_requested() { close_requested_ = true; }

  /// Prints `closed: CODE REASON (who closed)` on stderr (only when it is news: a failure,
  /// or not `quiet`), the first error as `wsnova: error: ...`, and returns the exit code
  /// (exit_codes.hpp).
  int report(const closed_event& closed, bool quiet) const;

 private:
  std::optional<caf::error> first_error_;
  bool first_is_local_ = false;
  std::optional<disconnected_event> last_disconnect_;
  bool close_requested_ = false;
};

}  // namespace wsnova::cli
