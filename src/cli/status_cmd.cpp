// `zerospof status PLAN [-o text|json] [--watch S]`: the live cluster at a glance (docs/status.md).
// Parses flags, makes one call into status per refresh, prints the report; exit 0 healthy, 1
// degraded (or a part down), 2 bad input, 4 when neither the API nor any host answered.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/output.h"
#include "observe/kubeconfig.h"
#include "plan/plan.h"
#include "status/status.h"
#include "status/status_report.h"
#include "transport/plan_hosts.h"

namespace zerospof::cli {
namespace {

struct StatusFlags {
  std::string plan_file;
  std::string kubeconfig;
  std::string apply_state_dir;
  std::string known_hosts;
  std::string output = "text";
  int watch_seconds = 0;
  int watch_count = 0;
  int timeout_seconds = 5;
  double certificate_days = 30;
};

int run_status_command(const StatusFlags& flags) {
  auto cluster = plan::load(flags.plan_file);
  if (!cluster) return report_error(cluster.error());
  auto ssh = transport::SshTransport::create(
      transport::ssh_targets(*cluster),
      {.known_hosts =
           flags.known_hosts.empty() ? default_known_hosts(flags.plan_file) : flags.known_hosts});
  if (!ssh) return report_error(ssh.error());
  std::string kubeconfig_path =
      !flags.kubeconfig.empty()
          ? flags.kubeconfig
          : admin_kubeconfig(flags.apply_state_dir.empty() ? default_state_dir("apply", *cluster)
                                                           : flags.apply_state_dir);
  auto kubeconfig = observe::load_kubeconfig(kubeconfig_path);
  if (!kubeconfig) return report_error(kubeconfig.error());
  observe::CurlHttpClient http(kubeconfig->credentials);
  bool terminal = isatty(1) == 1;
  util::Style style(util::color_enabled(1));
  int code = 0;
  for (int round = 0;; ++round) {
    auto observed = status::observe_cluster(*cluster, **ssh, http, kubeconfig->server,
                                            std::chrono::seconds(flags.timeout_seconds));
    auto assessed =
        status::assess(*cluster, observed, {.certificate_warning_days = flags.certificate_days});
    code = status::exit_code(assessed);
    std::string report = flags.output == "json" ? status::report_json(assessed)
                                                : status::report_text(assessed, style);
    // --watch on a terminal redraws in place; piped, each refresh follows the last.
    if (flags.watch_seconds > 0 && terminal && flags.output == "text") print("\x1b[H\x1b[2J");
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
  command->add_option("plan", flags->plan_file, "the plan file (the lab's: lab.yaml)")->required();
  command->add_option("--kubeconfig", flags->kubeconfig,
                      "admin kubeconfig (default: the one apply wrote in its state directory)");
  command->add_option("--apply-state-dir", flags->apply_state_dir,
                      "apply's state directory (default /var/lib/zerospof/apply/CLUSTER)");
  command->add_option("--known-hosts", flags->known_hosts,
                      "ssh known_hosts file (default: known_hosts beside PLAN if present)");
  command->add_option("-o,--output", flags->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->add_option("--watch", flags->watch_seconds, "refresh every S seconds (0: once)")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  command->add_option("--count", flags->watch_count, "with --watch: stop after N refreshes")
      ->check(CLI::Range(0, 1000000));
  command->add_option("--timeout", flags->timeout_seconds, "bound of each question, in seconds")
      ->check(CLI::Range(1, 120))
      ->capture_default_str();
  command
      ->add_option("--certificate-days", flags->certificate_days,
                   "warn of certificates that expire within this many days")
      ->check(CLI::Range(0.0, 3650.0))
      ->capture_default_str();
  command->callback([flags, &exit_code] { exit_code = run_status_command(*flags); });
}

}  // namespace zerospof::cli
