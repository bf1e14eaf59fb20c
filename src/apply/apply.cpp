#include "apply/apply.h"

#include <fmt/format.h>

#include <filesystem>

#include "apply/build_steps.h"
#include "apply/preflight.h"
#include "transport/dry_run_transport.h"
#include "transport/local_transport.h"
#include "transport/plan_hosts.h"
#include "transport/routing_transport.h"
#include "transport/ssh_transport.h"
#include "util/cluster_lock.h"

namespace zerospof::apply {
namespace {

util::Result<RunReport> run_all(const StepGraph& graph, transport::Transport& hosts,
                                const ApplyOptions& options, ProgressSink& progress) {
  ZEROSPOF_ASSIGN_OR_RETURN(auto journal, Journal::open(options.state_dir + "/journal"));
  ZEROSPOF_RETURN_IF_ERROR(journal->record(
      fmt::format("apply started: {} steps{}", graph.size(), options.dry_run ? " (dry run)" : "")));
  // The only place --dry-run matters: which transport acts. Steps and runner never know.
  transport::DryRunTransport recorder(hosts, options.dry_run_report);
  transport::Transport& act =
      options.dry_run ? static_cast<transport::Transport&>(recorder) : hosts;
  ZEROSPOF_ASSIGN_OR_RETURN(RunReport report,
                            run_steps(graph, {hosts, act, *journal, progress}, options.runner));
  ZEROSPOF_RETURN_IF_ERROR(journal->record(
      fmt::format("apply finished: {} changed, {} unchanged, {} failed, {} skipped",
                  report.count(Outcome::kChanged), report.count(Outcome::kUnchanged),
                  report.count(Outcome::kFailed), report.count(Outcome::kSkipped))));
  return report;
}

}  // namespace

util::Result<RunReport> apply(const model::Cluster& cluster, const render::Bundle& bundle,
                              const ApplyOptions& options, ProgressSink& progress) {
  // Held until the last step: a second apply of this cluster is refused, told who runs.
  std::unique_ptr<util::ClusterLock> lock;
  if (!options.held_lock) {
    ZEROSPOF_ASSIGN_OR_RETURN(lock, util::ClusterLock::acquire(options.state_dir, "apply"));
  } else if (std::filesystem::path(options.held_lock->state_dir()).lexically_normal() !=
             std::filesystem::path(options.state_dir).lexically_normal()) {
    return util::fail(util::Error::internal(
        fmt::format("apply was handed the lock of {}, but applies with the state directory {}",
                    options.held_lock->state_dir(), options.state_dir)));
  }
  ZEROSPOF_ASSIGN_OR_RETURN(auto binaries, binaries::load_binary_cache(options.binary_cache));
  ZEROSPOF_ASSIGN_OR_RETURN(auto ssh,
                            transport::SshTransport::create(transport::ssh_targets(cluster),
                                                            {.known_hosts = options.known_hosts}));
  transport::LocalTransport local;
  transport::RoutingTransport hosts(*ssh, local);
  ZEROSPOF_RETURN_IF_ERROR(preflight(cluster, hosts,
                                     {.allow_swap = options.lab,
                                      .container_host = !options.lab || options.lab_real_pods,
                                      .allow_cgroup_v1 = options.lab}));
  ApplyInputs inputs{.cluster = cluster,
                     .bundle = bundle,
                     .binaries = std::move(binaries),
                     .operator_dir = options.state_dir + "/operator",
                     .kubectl = options.binary_cache + "/kubectl",
                     .wait = options.wait};
  ZEROSPOF_ASSIGN_OR_RETURN(StepGraph graph, build_steps(inputs));
  return run_all(graph, hosts, options, progress);
}

}  // namespace zerospof::apply
