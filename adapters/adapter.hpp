#pragma once

/// @file
/// The adapter concept: one type that bundles what a platform needs (its behaviours, its
/// limits, its default endpoint), the counterpart of WebsockexNova's adapters. A small domain
/// facade (`echo_round_trip`, `deribit::client`) sits next to each adapter.
///
/// An adapter `A` has:
///
/// - `name()`: a short name for logs and the command line, e.g. "deribit";
/// - `default_url()`: the endpoint used when the user gives none;
/// - `configure(connection_config&)`: sets the behaviours and the platform's settings on top
///   of a profile's preset (it should not undo the profile's choices, only add the
///   platform's).
///
/// docs/adapters.md shows how to write one for another platform.

#include <concepts>
#include <string>
#include <string_view>

#include <wsnova/actors/connection_config.hpp>
#include <wsnova/actors/profiles.hpp>

namespace wsnova {

/// A platform adapter (see the file comment).
template <class A>
concept adapter = requires(const A& a, connection_config& config) {
  { a.name() } -> std::convertible_to<std::string_view>;
  { a.default_url() } -> std::convertible_to<std::string>;
  { a.configure(config) } -> std::same_as<void>;
};

/// Returns the configuration of a connection to `platform`: the preset of `kind` for `url`
/// (the adapter's `default_url()` when `url` is empty), then `platform.configure` on top.
/// Change any field afterwards.
template <adapter A>
connection_config make_config(const A& platform, profile kind = profile::standard,
                              std::string url = {}) {
  auto config =
      make_profile(kind, url.empty() ? std::string{platform.default_url()} : std::move(url));
  platform.configure(config);
  return config;
}

}  // namespace wsnova
