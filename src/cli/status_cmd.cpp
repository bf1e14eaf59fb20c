// `zerospof status PLAN [-o text|json] [--watch S]`: the live cluster at a glance (docs/status.md).
// Parses flags, makes one call into status per refresh, prints the report; exit 0 healthy, 1
// degraded (or a part down), 2 bad input, 4 when neither the API nor any host answered.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "cli/live_cluster.h"
#include "cli/output.h"
#include "status/status.h"
#include "status/status_report.h"

namespace zerospof::cli {
namespace {

struct StatusFlags {
  LiveFlags live;
  int watch_seconds = 0;
  int watch_count = 0;
};

int run_status_command(const StatusFlags& flags) {
  auto live = connect(flags.live);
  if (!live) return report_error(live.error());
  bool terminal = isatty(1) == 1;
  util::Style style(util::color_enabled(1));
  int code = 0;
  for (int round = 0;; ++round) {
    auto observed = live->observe(std::chrono::seconds(flags.live.timeout_seconds));
    auto assessed = status::assess(live->cluster, observed,
                                   {.certificate_warning_days = flags.live.certificate_days});
    code = status::exit_code(assessed);
    std::string report = flags.live.output == "json" ? status::report_json(assessed)
                                                     : status::report_text(assessed, style);
    // --watch on a terminal redraws in place; piped, each refresh follows the last.
    if (flags.watch_seconds > 0 && terminal && flags.live.output == "text") print("\x1b[H\x1b[2J");
    print(report);
    std::fflush(stdout);
    if (flags.watch_seconds <= 0) break;
    if (flags.watch_count > 0 && round + 1 >= flags.watch_count) break;
    std::this_thread::sleep_for(std::chrono::seconds(flags.watch_seconds));
  }
  return code;
}

}  // namespace

void register_status(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<StatusFlags>();
  auto* command = app.add_subcommand(
      "status",
      "the live cluster at a glance: every component, node and workload, healthy / "
      "degraded / down");
  add_live_flags(command, flags->live);
  command->add_option("--watch", flags->watch_seconds, "refresh every S seconds (0: once)")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  command->add_option("--count", flags->watch_count, "with --watch: stop after N refreshes")
      ->check(CLI::Range(0, 1000000));
  command->callback([flags, &exit_code] { exit_code = run_status_command(*flags); });
}

}  // namespace zerospof::cli
