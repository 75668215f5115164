#pragma once
/// @file
/// Umbrella header: everything a wsnova user needs.
#include <wsnova/transport/error.hpp>
