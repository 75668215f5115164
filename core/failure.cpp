#include <wsnova/core/failure.hpp>

namespace wsnova {

std::string to_string(const failure& x) {
  auto result = to_string(x.code);
  if (!x.detail.empty()) result += " (" + x.detail + ")";
  return result;
}

}  // namespace wsnova
