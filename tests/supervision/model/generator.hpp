#pragma once

// Random supervisor configurations and event sequences from a seed. The sequence is built
// against the reference model, so every exit targets a child the model says runs; replaying
// a seed rebuilds the same configuration and sequence.

#include <cstdint>
#include <string>
#include <vector>

#include "otp_model.hpp"

namespace wsnova::model {

/// A configuration and its event sequence.
struct test_case {
  std::uint64_t seed = 0;
  config cfg;
  std::vector<event> events;
  /// Probability that a restart attempt fails (for the report).
  double fail_probability = 0;
  /// Probability that a start function answers ignore (for the report).
  double ignore_probability = 0;
};

/// Builds the case of `seed`.
test_case generate(std::uint64_t seed);

/// Returns a one-line description of the configuration.
std::string describe(const test_case& x);

}  // namespace wsnova::model
