#include <wsnova/core/error.hpp>

#include <wsnova/core/supervision_errc.hpp>

namespace wsnova {

caf::error make_error(errc code, std::string detail) {
  if (detail.empty())
    return caf::error{static_cast<std::uint8_t>(code), error_category_atom::value};
  return caf::error{static_cast<std::uint8_t>(code), error_category_atom::value,
                    caf::make_message(std::move(detail))};
}

caf::error to_error(const failure& x) {
  if (!x) return {};
  // upgrade_status reads the HTTP status at context index 1, after the detail.
  if (x.http_status != 0)
    return caf::error{static_cast<std::uint8_t>(x.code), error_category_atom::value,
                      caf::make_message(x.detail, x.http_status)};
  return make_error(x.code, x.detail);
}

errc code_of(const caf::error& err) {
  if (!err || err.category() != error_category_atom::value) return errc::none;
  return static_cast<errc>(err.code());
}

bool is(const caf::error& err, errc code) { return code != errc::none && code_of(err) == code; }

int upgrade_status(const caf::error& err) {
  if (!is(err, errc::upgrade_rejected)) return 0;
  const auto& context = err.context();
  if (context.size() >= 2 && context.match_element<std::uint16_t>(1))
    return context.get_as<std::uint16_t>(1);
  return 0;
}

caf::error make_rpc_error(errc code, std::int64_t rpc_code, std::string detail) {
  // rpc_error_code reads the code at context index 1, after the detail.
  return caf::error{static_cast<std::uint8_t>(code), error_category_atom::value,
                    caf::make_message(std::move(detail), rpc_code)};
}

std::optional<std::int64_t> rpc_error_code(const caf::error& err) {
  if (code_of(err) == errc::none) return std::nullopt;
  const auto& context = err.context();
  if (context.size() >= 2 && context.match_element<std::int64_t>(1))
    return context.get_as<std::int64_t>(1);
  return std::nullopt;
}

caf::error rewrap(errc code, const caf::error& inner) {
  if (is(inner, code)) return inner;
  if (auto rpc_code = rpc_error_code(inner))
    return make_rpc_error(code, *rpc_code, describe(inner));
  return make_error(code, describe(inner));
}

std::string describe(const caf::error& err) {
  if (!err) return "no error";
  std::string detail;
  const auto& context = err.context();
  if (!context.empty() && context.match_element<std::string>(0))
    detail = context.get_as<std::string>(0);
  std::string result;
  if (err.category() == error_category_atom::value) {
    result = "wsnova: " + to_string(static_cast<errc>(err.code()));
  } else if (err.category() == sup_error_category_atom::value) {
    result = "wsnova_sup: " + to_string(static_cast<sup_errc>(err.code()));
  } else {
    result = caf::to_string(err);
    return result;
  }
  if (!detail.empty()) result += " (" + detail + ")";
  return result;
}

}  // namespace wsnova
