#pragma once

/// @file
/// `sup_errc`: the error codes of supervisors, a CAF error category of their own.
///
/// The validation codes are OTP's tagged reasons from `check_childspec` and
/// `do_check_flags`, so a caller can branch on what was wrong; the error's detail names the
/// field and the child ("backoff.jitter: must be in [0, 1] (child 'a')").

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>

namespace wsnova {

/// Error codes of supervision. Carried in `caf::error` under the category atom
/// `"wsnova_sup"` (`sup_error_category_atom`), with a readable detail in the context.
enum class sup_errc : std::uint8_t {
  /// Not an error.
  none = 0,
  /// No child with this id or handle (OTP `not_found`).
  unknown_child,
  /// The child is running (OTP `already_started`, `running`).
  already_started,
  /// A child with this id exists and is not running (OTP `already_present`).
  already_present,
  /// A start function failed: returned an error, an invalid handle, or threw.
  start_failed,
  /// More than `intensity` restarts within `period`: the supervisor gave up (OTP exits with
  /// `shutdown` and logs `reached_max_restart_intensity`).
  restart_intensity,
  /// Two child specs share an id (OTP `duplicate_child_name`).
  duplicate_child_id,
  /// The child id is empty.
  invalid_child_id,
  /// The spec has no start function (OTP `invalid_mfa`).
  invalid_start,
  /// The restart type is not permanent, transient or temporary.
  invalid_restart_type,
  /// The shutdown mode is unknown or its timeout is not positive.
  invalid_shutdown,
  /// The child kind is not worker or supervisor (OTP `invalid_child_type`).
  invalid_child_type,
  /// A backoff field is out of range (not in OTP, which has no restart backoff).
  invalid_backoff,
  /// The strategy is unknown, or `custom` without a strategy object.
  invalid_strategy,
  /// The period is not positive.
  invalid_period,
  /// `auto_shutdown` is not never, any_significant or all_significant.
  invalid_auto_shutdown,
  /// Fields that are valid alone but not together: a significant child that is permanent
  /// or under `auto_shutdown = never` (OTP's rule), a strategy object without strategy
  /// `custom`.
  bad_combination,
  /// A simple_one_for_one supervisor needs exactly one child spec (OTP `bad_start_spec`).
  bad_start_spec,
};

/// Returns the name of a supervision code, e.g. "duplicate_child_id".
std::string to_string(sup_errc code);

/// The category atom of supervision errors (at most 10 characters).
using sup_error_category_atom = caf::atom_constant<caf::atom("wsnova_sup")>;

/// Returns a supervision error with a detail message.
caf::error make_error(sup_errc code, std::string detail = {});

/// Returns true if `err` is a supervision error with the given code.
bool is(const caf::error& err, sup_errc code);

/// Returns the supervision code of `err`, or `sup_errc::none` for another category.
sup_errc sup_code_of(const caf::error& err);

}  // namespace wsnova
