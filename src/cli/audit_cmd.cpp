// `zerospof audit PLAN [-o text|json] [--failures K]`: which failure would take a service down
// now, on the live cluster, in check's words (docs/audit.md). Parses flags, observes once, makes
// one call into audit, prints the report; exit 0 no single point of failure, 1 one (or a service
// down already, or a certificate that expires on every control-plane node soon), 2 bad input,
// 4 when nothing answered or the API did not.
#include <chrono>
#include <map>

#include "apply/apply.h"
#include "apply/host_files.h"
#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/live_cluster.h"
#include "cli/output.h"
#include "status/status.h"

namespace zerospof::cli {
namespace {

struct AuditFlags {
  LiveFlags live;
  int failures = 1;
  std::string render_dir;
};

// Per host, the rendered files it holds with other content or mode, or not at all (one command
// per host, as apply's own check).
util::Result<std::map<std::string, std::vector<std::string>>> files_differing(
    const std::string& render_dir, const model::Cluster& cluster, transport::Transport& hosts) {
  ZEROSPOF_ASSIGN_OR_RETURN(render::Bundle bundle, apply::load_bundle(render_dir));
  std::map<std::string, std::vector<std::string>> differing;
  for (const model::Node& node : cluster.nodes) {
    auto wanted = apply::host_files(bundle, node.name);
    if (wanted.empty()) continue;
    auto found = apply::files_to_write(hosts, node.name, wanted);
    if (!found) {
      differing[node.name].push_back("(not compared: " + found.error().message + ")");
      continue;
    }
    for (const auto& file : *found) differing[node.name].push_back(file.path);
  }
  return differing;
}

int run_audit_command(const AuditFlags& flags) {
  auto live = connect(flags.live);
  if (!live) return report_error(live.error());
  auto observed = live->observe(std::chrono::seconds(flags.live.timeout_seconds));
  audit::AuditOptions options{.failures = flags.failures,
                              .certificate_warning_days = flags.live.certificate_days};
  if (!flags.render_dir.empty()) {
    auto differing = files_differing(flags.render_dir, live->cluster, *live->ssh);
    if (!differing) return report_error(differing.error());
    options.files_differing = std::move(*differing);
  }
  auto report = audit::audit(live->cluster, observed, options);
  if (!report) return report_error(report.error());
  print(flags.live.output == "json"
            ? audit::report_json(*report)
            : audit::report_text(*report, util::Style(util::color_enabled(1))));
  return audit::exit_code(*report);
}

}  // namespace

void register_audit(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<AuditFlags>();
  auto* command = app.add_subcommand(
      "audit",
      "which failure would take a service down now: check's analysis of the live "
      "cluster, what each service tolerates, drift from the plan");
  add_live_flags(command, flags->live);
  command->add_option("--failures", flags->failures, "every set of up to K failures")
      ->check(CLI::Range(1, 3))
      ->capture_default_str();
  command->add_option("--render-dir", flags->render_dir,
                      "compare each host's files with this rendered bundle (zerospof render -o)");
  command->callback([flags, &exit_code] { exit_code = run_audit_command(*flags); });
}

}  // namespace zerospof::cli
