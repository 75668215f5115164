#pragma once

/// @file
/// The observer's page: one self-contained HTML document (no external assets).

#include <string_view>

namespace wsnova::detail {

/// Returns the page served at `GET /`. It polls `tree.json` every 500 ms and renders each
/// node as an element with `data-child-id`, `data-state`, `data-restarts`, `data-kind`,
/// `data-node` and `data-local` (docs/observer.md); `#status` carries `data-errors`, the
/// number of failed polls.
std::string_view observer_page();

}  // namespace wsnova::detail
