#pragma once

/// @file
/// wsnova errors in `caf::error`: the category atom, construction, tests and a readable rendering.

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include <wsnova/core/errc.hpp>
#include <wsnova/core/failure.hpp>

namespace wsnova {

/// The category atom of wsnova errors.
using error_category_atom = caf::atom_constant<caf::atom("wsnova")>;

/// Returns an error of category wsnova with a detail message.
caf::error make_error(errc code, std::string detail = {});

/// Returns `x` as a wsnova error (empty when `x` is no failure); the HTTP status of a
/// rejected upgrade stays readable with `upgrade_status`.
caf::error to_error(const failure& x);

/// Returns true if `err` is a wsnova error with the given code.
bool is(const caf::error& err, errc code);

/// Returns the wsnova code of `err`, or `errc::none` when `err` is of another category.
errc code_of(const caf::error& err);

/// Returns the HTTP status of an `upgrade_rejected` error, or 0 for any other error.
int upgrade_status(const caf::error& err);

/// Returns "category: code (detail)" for any error, readable without an actor system.
std::string describe(const caf::error& err);

}  // namespace wsnova
