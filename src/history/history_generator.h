// Histories of a real sequential execution, for tests, benchmarks and fuzz seeds: simulated
// clients run operations against an in-memory store that applies each one atomically at an
// instant inside its interval, so every generated history is linearizable by construction.
// Some operations lose their outcome (reported as unknown); of those, some never take effect
// and some take effect later, after their client gave up, as a request stuck in a queue would.
// Deterministic: the same options (seed included) give the same history.
#pragma once

#include <cstdint>

#include "history/history.h"

namespace zerospof::history {

struct GeneratorOptions {
  std::uint64_t seed = 1;
  std::size_t operations = 100;
  std::size_t processes = 5;             // clients with an operation in flight at once, at most
  std::size_t keys = 1;                  // keys named "0", "1"...; one key is the register ""
  bool key_value = false;                // get/put/append instead of read/write/compare-and-set
  std::uint32_t unknown_per_mille = 50;  // operations whose outcome is lost, per thousand
  std::uint32_t register_values = 5;     // register values are drawn from 0..register_values-1
};

History generate_history(const GeneratorOptions& options);

}  // namespace zerospof::history
