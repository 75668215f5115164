#pragma once

/// @file
/// wsnova errors in `caf::error`: the category atom, construction, tests and a readable rendering.

#include <cstdint>
#include <optional>
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

/// Returns a wsnova error that carries the code of a JSON-RPC error answer (readable with
/// `rpc_error_code`), e.g. `make_rpc_error(errc::rpc_error, 10028, "too_many_requests")`.
caf::error make_rpc_error(errc code, std::int64_t rpc_code, std::string detail);

/// Returns `inner` as a wsnova error of `code` whose detail describes `inner`; the JSON-RPC
/// code of `inner`, if any, is kept. `inner` itself when it already has `code`.
caf::error rewrap(errc code, const caf::error& inner);

/// Returns the JSON-RPC error code a wsnova error carries (`make_rpc_error`), or nothing.
std::optional<std::int64_t> rpc_error_code(const caf::error& err);

/// Returns "category: code (detail)" for any error, readable without an actor system.
std::string describe(const caf::error& err);

}  // namespace wsnova
