// Histories of a real sequential execution, for tests, benchmarks and fuzz seeds: simulated
// clients run operations against an in-memory store that applies each one atomically at an
// instant inside its interval, so every generated history is linearizable by construction.
// Some operations lose their outcome (reported as unknown); of those, some never take effect
// and some take effect later, after their client gave up, as a request stuck in a queue would.
// Adversarial shapes on request: unique values (what drills write), failover stalls (every
// operation in flight hangs until the stall ends, so the clients pile up on a key), crashed
// clients (never report), and one planted violation (a read made to see an older or an invented
// value), which makes the history not linearizable unless the read's concurrency excuses it.
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
  bool unique_values = false;            // every written value distinct (registers too)
  std::uint32_t compare_and_set_per_mille = 0;  // key_value: share of compare-and-sets
  std::uint32_t crash_per_mille = 0;            // operations whose client crashes: never completed
  std::size_t stalls = 0;                       // failover stalls, spread evenly over the history
  // key_value: appends that repeat an earlier append's value to the key (a client retrying),
  // which makes a value name more than one append.
  std::uint32_t repeated_append_per_mille = 0;
  bool plant_violation = false;
};

History generate_history(const GeneratorOptions& options);

}  // namespace zerospof::history
