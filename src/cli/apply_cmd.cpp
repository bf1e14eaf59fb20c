// `zerospof apply PLAN`: brings the plan's hosts to the rendered state (see docs/apply.md).
// Parses flags, renders (or reads --render-dir), makes one call into apply, prints progress per
// host and step (colour on a TTY unless NO_COLOR) and a summary; exit 0 when every step
// succeeded, 4 when a host or step failed, 2 for bad input.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "apply/apply.h"
#include "binaries/binary_cache.h"
#include "cli/apply_progress.h"
#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/output.h"
#include "plan/plan.h"
#include "render/render.h"
#include "util/terminal.h"

namespace zerospof::cli {
namespace {

struct ApplyFlags {
  std::string plan_file;
  bool dry_run = false;
  int parallel = 16;
  int wait_seconds = 180;
  std::string render_dir;
  std::string pki_dir;
  std::string upstream_dir;  // empty: the upstream manifests zerospof carries
  std::string state_dir;
  std::string known_hosts;
  std::string binary_cache;
  bool lab = false;
  bool real_pods = false;
};

util::Result<render::Bundle> bundle_for(const model::Cluster& cluster, const ApplyFlags& flags) {
  if (!flags.render_dir.empty()) return apply::load_bundle(flags.render_dir);
  render::RenderOptions options{
      .pki_dir = flags.pki_dir.empty() ? default_pki_dir(cluster.name) : flags.pki_dir,
      .lab = flags.lab,
      .lab_real_pods = flags.real_pods,
      .upstream_dir = flags.upstream_dir};
  return render::render(cluster, options);
}

void print_summary(const apply::RunReport& report, double seconds, bool dry_run) {
  int changed = report.count(apply::Outcome::kChanged);
  int unchanged = report.count(apply::Outcome::kUnchanged);
  if (report.ok() && changed == 0) {
    print(fmt::format("apply: nothing to change: all {} steps were already done ({:.1f} s)\n",
                      unchanged, seconds));
    return;
  }
  print(fmt::format("apply: {} {}, {} unchanged, {} failed, {} skipped ({:.1f} s)\n", changed,
                    dry_run ? "would change" : "changed", unchanged,
                    report.count(apply::Outcome::kFailed), report.count(apply::Outcome::kSkipped),
                    seconds));
  print(apply::failure_recap(report));
}

int run_apply(const ApplyFlags& flags) {
  auto start = std::chrono::steady_clock::now();
  auto cluster = plan::load(flags.plan_file);
  if (!cluster) return report_error(cluster.error());
  auto bundle = bundle_for(*cluster, flags);
  if (!bundle) return report_error(bundle.error());
  auto binary_cache = binaries::binary_cache_dir(*cluster, flags.binary_cache);
  if (!binary_cache) return report_error(binary_cache.error());
  apply::ApplyOptions options{
      .binary_cache = *binary_cache,
      .known_hosts =
          flags.known_hosts.empty() ? default_known_hosts(flags.plan_file) : flags.known_hosts,
      .state_dir = flags.state_dir.empty() ? default_state_dir("apply", *cluster) : flags.state_dir,
      .dry_run = flags.dry_run,
      .lab = flags.lab,
      .lab_real_pods = flags.real_pods,
      .runner = {.parallel = flags.parallel},
      .wait = std::chrono::seconds(flags.wait_seconds),
      .dry_run_report = [](const std::string& line) { print(line + "\n"); }};
  TerminalProgress progress(util::color_enabled(STDERR_FILENO));
  auto report = apply::apply(*cluster, *bundle, options, progress);
  if (!report) return report_error(report.error());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_summary(*report, seconds, flags.dry_run);
  return report->ok() ? 0 : 4;
}

}  // namespace

void register_apply(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ApplyFlags>();
  auto* command = app.add_subcommand(
      "apply", "bring the plan's hosts to the rendered state over SSH (idempotent, resumable)");
  command->add_option("plan", flags->plan_file, "the plan file")->required();
  command->add_flag("--dry-run", flags->dry_run,
                    "show what would change: hosts are read, nothing is written or started");
  command->add_option("--parallel", flags->parallel, "steps in flight at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  command->add_option("--render-dir", flags->render_dir,
                      "apply the files `zerospof render` wrote there instead of rendering");
  command->add_option("--pki-dir", flags->pki_dir, "the CA material for rendering");
  command->add_option("--upstream", flags->upstream_dir,
                      "the pinned upstream addon manifests for rendering, instead of the copies "
                      "zerospof carries");
  command->add_option("--state-dir", flags->state_dir,
                      "journal and operator files (default /var/lib/zerospof/apply/CLUSTER)");
  command->add_option("--known-hosts", flags->known_hosts,
                      "ssh known_hosts file (default: known_hosts beside PLAN if present, else "
                      "your own)");
  command->add_option("--binaries", flags->binary_cache,
                      "binary cache (default /var/cache/zerospof/binaries/VERSION)");
  command->add_option("--wait", flags->wait_seconds, "bound of each wait for a service, seconds")
      ->capture_default_str();
  auto* lab = command->add_flag(
      "--lab", flags->lab, "the hosts are lab hosts: kwok stands in for kubelet, swap is allowed");
  command
      ->add_flag("--real-pods", flags->real_pods,
                 "with --lab: real kubelets, containerd and kube-proxy run real pods instead of "
                 "kwok (docs/lab.md says what the lab leaves out)")
      ->needs(lab);
  command->callback([flags, &exit_code] { exit_code = run_apply(*flags); });
}

}  // namespace zerospof::cli
