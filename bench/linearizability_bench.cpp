// Times the linearizability checker (parsing excluded) on history files given on the command
// line and on generated 100,000-operation histories, whose peak RSS it reports as a counter.
// scripts/bench-linearizability.sh runs it beside Porcupine on the same files.
//   linearizability_bench [--benchmark_...] [FILE...]
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <filesystem>
#include <string>

#include "history/history.h"
#include "history/history_generator.h"
#include "history/linearizability.h"
#include "util/files.h"

namespace {

using namespace zerospof::history;

// The verdict as Porcupine computes it, without reducing a violation to its witness (which
// Porcupine does not do; bench "witness/" measures that separately).
void check_history(benchmark::State& state, const History& history, bool reduce_witness = false) {
  CheckOptions options;
  options.reduce_witness = reduce_witness;
  CheckResult result;
  for (auto _ : state) {
    result = check_linearizability(history, options);
    benchmark::DoNotOptimize(result);
  }
  std::size_t states = 0, cache_bytes = 0;
  for (const KeyResult& key : result.keys) {
    states += key.states;
    cache_bytes = std::max(cache_bytes, key.cache_bytes);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["linearizable"] = result.verdict == Verdict::kLinearizable;
  state.counters["operations"] = static_cast<double>(history.operations.size());
  state.counters["states"] = static_cast<double>(states);
  state.counters["cache_MiB"] = static_cast<double>(cache_bytes) / (1 << 20);
  state.counters["peak_rss_MiB"] = static_cast<double>(usage.ru_maxrss) / 1024;  // ru_maxrss: KiB
}

void register_file(const std::string& path) {
  // Parsed directly rather than loaded: Porcupine's set holds an empty history, which
  // verify-history refuses as bad input but both checkers can time.
  auto text = zerospof::util::read_file(path);
  auto history = text ? parse_history(*text, path, detect_history_format(*text))
                      : zerospof::util::Result<History>(zerospof::util::fail(text.error()));
  if (!history) {
    std::fprintf(stderr, "%s\n", zerospof::util::format_error(history.error()).c_str());
    std::exit(2);
  }
  const std::string name = "file/" + std::filesystem::path(path).filename().string();
  benchmark::RegisterBenchmark(name.c_str(), [history = *history](benchmark::State& state) {
    check_history(state, history);
  })->Unit(benchmark::kMicrosecond);
  const std::string witness = "witness/" + std::filesystem::path(path).filename().string();
  benchmark::RegisterBenchmark(witness.c_str(), [history = *history](benchmark::State& state) {
    check_history(state, history, /*reduce_witness=*/true);
  })->Unit(benchmark::kMicrosecond);
}

void register_generated(const std::string& name, const GeneratorOptions& options) {
  benchmark::RegisterBenchmark(
      name.c_str(),
      [options](benchmark::State& state) { check_history(state, generate_history(options)); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  for (int i = 1; i < argc; ++i) register_file(argv[i]);
  GeneratorOptions one_register;
  one_register.operations = 100'000;
  one_register.processes = 8;
  register_generated("generated/register-100000-operations-8-clients", one_register);
  GeneratorOptions key_value = one_register;
  key_value.key_value = true;
  key_value.keys = 100;
  register_generated("generated/kv-100000-operations-100-keys", key_value);
  // The drill's shape: 50 clients on 2 keys with unique values and failover stalls, where
  // every operation in flight hangs until the failover ends.
  GeneratorOptions drill = key_value;
  drill.processes = 50;
  drill.keys = 2;
  drill.stalls = 10;
  drill.unique_values = true;
  register_generated("generated/kv-100000-operations-50-clients-2-keys-stalls", drill);
  GeneratorOptions drill_register = drill;
  drill_register.key_value = false;
  register_generated("generated/register-100000-operations-50-clients-2-keys-stalls",
                     drill_register);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
