#pragma once

// The names behind the `to_string` functions of wsnova's enums: one table per enum, in
// enumerator order, instead of one hand-written switch per enum. Internal.

#include <cstddef>

namespace wsnova::detail {

/// Returns the name of `x`: `names[x]`, or `fallback` for a value that names no enumerator
/// (an integer cast to the enum). `names` lists the enumerators 0, 1, ... in declaration
/// order, and `Last` is the last enumerator, so a table that misses a name does not compile.
template <auto Last, std::size_t N>
constexpr const char* enum_name(decltype(Last) x, const char* const (&names)[N],
                                const char* fallback) noexcept {
  static_assert(N == static_cast<std::size_t>(Last) + 1, "one name per enumerator, in order");
  auto index = static_cast<std::size_t>(x);
  return index < N ? names[index] : fallback;
}

}  // namespace wsnova::detail
