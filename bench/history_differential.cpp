// The differential run's zerospof side (scripts/differential-linearizability.sh): generates
// adversarial histories of every shape history_generator.h makes, writes each to DIR as JSON
// Lines for Porcupine, checks each with zerospof and prints one line per history:
//   name <TAB> verdict <TAB> median microseconds of one check <TAB> methods <TAB> shape
// verdict is true, false or unknown (undecided within --timeout), as the Porcupine harness
// prints it.
//   history_differential DIR --count N [--seed S] [--max-operations N] [--timeout SECONDS]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "history/history.h"
#include "history/history_generator.h"
#include "history/linearizability.h"

namespace {

using namespace zerospof::history;

struct Flags {
  std::string directory;
  std::size_t count = 100;
  std::uint64_t seed = 1;
  std::size_t max_operations = 20'000;
  double timeout_seconds = 10;
};

// The spread the issue asks for: 10-100 clients, 1-100 keys, get/put/append/compare-and-set,
// 0-20% unknown outcomes, crashed clients, failover stalls, one planted violation or none, up
// to max_operations (log-uniform, so most are small and a few are the largest).
GeneratorOptions shape(std::mt19937_64& random, std::size_t max_operations) {
  auto pick = [&](std::size_t low, std::size_t high) {
    return std::uniform_int_distribution<std::size_t>(low, high)(random);
  };
  GeneratorOptions options;
  options.seed = random();
  const double exponent = std::uniform_real_distribution<double>(
      std::log(50.0),
      std::log(static_cast<double>(std::max<std::size_t>(max_operations, 51))))(random);
  options.operations = static_cast<std::size_t>(std::exp(exponent));
  options.processes = pick(10, 100);
  static constexpr std::size_t kKeys[] = {1, 2, 3, 5, 10, 20, 50, 100};
  options.keys = kKeys[pick(0, std::size(kKeys) - 1)];
  options.key_value = pick(0, 1) == 1;
  options.unique_values = pick(0, 9) < 7;  // drills write unique values
  options.compare_and_set_per_mille = options.key_value && pick(0, 1) ? 100 : 0;
  options.unknown_per_mille = static_cast<std::uint32_t>(pick(0, 200));
  options.crash_per_mille = pick(0, 3) == 0 ? 10 : 0;
  options.stalls = pick(0, 5);
  options.repeated_append_per_mille = pick(0, 3) == 0 ? 50 : 0;
  options.plant_violation = pick(0, 1) == 1;
  return options;
}

std::string describe_shape(const GeneratorOptions& options) {
  return fmt::format(
      "ops={} clients={} keys={} {}{} cas={} unknown={} crash={} stalls={} repeats={} planted={}",
      options.operations, options.processes, options.keys, options.key_value ? "kv" : "register",
      options.unique_values ? " unique" : "", options.compare_and_set_per_mille,
      options.unknown_per_mille, options.crash_per_mille, options.stalls,
      options.repeated_append_per_mille, options.plant_violation);
}

std::string verdict_text(Verdict verdict) {
  return verdict == Verdict::kLinearizable      ? "true"
         : verdict == Verdict::kNotLinearizable ? "false"
                                                : "unknown";
}

// As the Porcupine harness: each of 3 runs repeats the check for at least 20 ms and yields the
// mean of one check; the median run is printed. An undecided check is not repeated.
std::pair<CheckResult, double> timed_check(const History& history, const CheckOptions& options) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> samples;
  CheckResult result;
  for (int run = 0; run < 3; ++run) {
    int checks = 0;
    const auto start = Clock::now();
    do {
      result = check_linearizability(history, options);
      ++checks;
    } while (result.verdict != Verdict::kUndecided &&
             Clock::now() - start < std::chrono::milliseconds(20));
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count() /
                      checks);
    if (result.verdict == Verdict::kUndecided) break;
  }
  std::sort(samples.begin(), samples.end());
  return {result, samples[samples.size() / 2]};
}

std::string methods(const CheckResult& result) {
  std::size_t versions = 0, searched = 0;
  for (const KeyResult& key : result.keys)
    (key.method == Method::kVersionOrder ? versions : searched) += 1;
  return fmt::format("versions={} search={}", versions, searched);
}

int run(const Flags& flags) {
  std::filesystem::create_directories(flags.directory);
  std::mt19937_64 random(flags.seed);
  CheckOptions options;
  options.reduce_witness = false;  // as Porcupine: the verdict only
  options.timeout = std::chrono::milliseconds(static_cast<long>(flags.timeout_seconds * 1000));
  for (std::size_t i = 0; i < flags.count; ++i) {
    const GeneratorOptions generator = shape(random, flags.max_operations);
    History history = generate_history(generator);
    if (history.operations.empty()) continue;
    const std::string name = fmt::format("h{:05}-{}.jsonl", i, flags.seed);
    history.source = name;
    std::ofstream(std::filesystem::path(flags.directory) / name) << to_jsonl(history);
    const auto [result, microseconds] = timed_check(history, options);
    std::printf("%s\t%s\t%.1f\t%s\t%s\n", name.c_str(), verdict_text(result.verdict).c_str(),
                microseconds, methods(result).c_str(), describe_shape(generator).c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    const bool has_value = i + 1 < argc;
    if (argument == "--count" && has_value) {
      flags.count = std::stoul(argv[++i]);
    } else if (argument == "--seed" && has_value) {
      flags.seed = std::stoull(argv[++i]);
    } else if (argument == "--max-operations" && has_value) {
      flags.max_operations = std::stoul(argv[++i]);
    } else if (argument == "--timeout" && has_value) {
      flags.timeout_seconds = std::stod(argv[++i]);
    } else if (flags.directory.empty() && !argument.starts_with("-")) {
      flags.directory = argument;
    } else {
      flags.directory.clear();
      break;
    }
  }
  if (flags.directory.empty()) {
    std::fprintf(stderr,
                 "usage: history_differential DIR --count N [--seed S] [--max-operations N] "
                 "[--timeout SECONDS]\n");
    return 2;
  }
  return run(flags);
}
