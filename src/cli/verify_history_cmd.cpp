// `zerospof verify-history FILE`: is a recorded history linearizable? Parses flags, makes one
// call into the history module, prints the report (docs/history.md). Exit 0 linearizable,
// 1 not linearizable, 2 bad input, 3 undecided within --timeout, 4 the file could not be read.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "history/history.h"
#include "history/linearizability.h"
#include "history/linearizability_report.h"
#include "util/terminal.h"

namespace zerospof::cli {
namespace {

struct VerifyHistoryFlags {
  std::string file;
  std::string format;  // empty: detected from the file's first line
  std::string output = "text";
  double timeout_seconds = 300;
  unsigned threads = 0;
  std::size_t max_memory_mebibytes = 2048;
};

int exit_code_for(history::Verdict verdict) {
  switch (verdict) {
    case history::Verdict::kLinearizable:
      return 0;
    case history::Verdict::kNotLinearizable:
      return 1;
    case history::Verdict::kUndecided:
      return 3;
  }
  return 3;
}

int run(const VerifyHistoryFlags& flags) {
  std::optional<history::HistoryFormat> format;
  if (!flags.format.empty()) {
    auto parsed = history::parse_history_format(flags.format);
    if (!parsed) return report_error(parsed.error());
    format = *parsed;
  }
  auto history = history::load_history(flags.file, format);
  if (!history) return report_error(history.error());
  history::CheckOptions options;
  options.threads = flags.threads;
  options.max_memory_bytes = flags.max_memory_mebibytes << 20;
  options.timeout = std::chrono::milliseconds(static_cast<long>(flags.timeout_seconds * 1000));
  const history::CheckResult result = history::check_linearizability(*history, options);
  const std::string text =
      flags.output == "json"
          ? history::render_json(*history, result)
          : history::render_text(*history, result, util::Style(util::color_enabled(STDOUT_FILENO)));
  std::fputs(text.c_str(), stdout);
  return exit_code_for(result.verdict);
}

}  // namespace

void register_verify_history(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<VerifyHistoryFlags>();
  CLI::App* command = app.add_subcommand(
      "verify-history", "check that a recorded history of operations is linearizable");
  command->add_option("FILE", flags->file, "the history (Jepsen log, EDN or JSON Lines)")
      ->required();
  command->add_option("--format", flags->format, "jepsen, edn or jsonl (default: detected)")
      ->check(CLI::IsMember({"jepsen", "edn", "jsonl"}));
  command->add_option("-o,--output", flags->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command
      ->add_option("--timeout", flags->timeout_seconds,
                   "seconds before giving up as undecided (exit 3)")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  command->add_option("--threads", flags->threads, "keys checked at once (default: one per core)");
  command
      ->add_option("--max-memory", flags->max_memory_mebibytes,
                   "MiB the search may hold before giving up as undecided (exit 3)")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 30))
      ->capture_default_str();
  command->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace zerospof::cli
