// What `status` and `audit` share: the flags that say where the live cluster is (plan, admin
// kubeconfig, known_hosts, bounds) and the connection made from them (SSH to the plan's hosts,
// the Kubernetes API with the kubeconfig's credentials), so the two verbs cannot drift apart.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "cli/defaults.h"
#include "model/cluster.h"
#include "observe/http.h"
#include "observe/kubeconfig.h"
#include "plan/plan.h"
#include "status/status.h"
#include "transport/plan_hosts.h"
#include "util/error.h"

namespace zerospof::cli {

struct LiveFlags {
  std::string plan_file;
  std::string kubeconfig;
  std::string apply_state_dir;
  std::string known_hosts;
  std::string output = "text";
  int timeout_seconds = 5;
  double certificate_days = 30;
};

inline void add_live_flags(CLI::App* command, LiveFlags& flags) {
  command->add_option("plan", flags.plan_file, "the plan file (the lab's: lab.yaml)")->required();
  command->add_option("--kubeconfig", flags.kubeconfig,
                      "admin kubeconfig (default: the one apply wrote in its state directory)");
  command->add_option("--apply-state-dir", flags.apply_state_dir,
                      "apply's state directory (default /var/lib/zerospof/apply/CLUSTER)");
  command->add_option("--known-hosts", flags.known_hosts,
                      "ssh known_hosts file (default: known_hosts beside PLAN if present)");
  command->add_option("-o,--output", flags.output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->add_option("--timeout", flags.timeout_seconds, "bound of each question, in seconds")
      ->check(CLI::Range(1, 120))
      ->capture_default_str();
  command
      ->add_option("--certificate-days", flags.certificate_days,
                   "warn of certificates that expire within this many days")
      ->check(CLI::Range(0.0, 3650.0))
      ->capture_default_str();
}

struct LiveCluster {
  model::Cluster cluster;
  std::unique_ptr<transport::SshTransport> ssh;
  observe::Kubeconfig kubeconfig;
  std::unique_ptr<observe::CurlHttpClient> http;

  // Everything status and audit ask of the hosts and the API, each question bounded by `timeout`.
  status::Observations observe(std::chrono::seconds timeout) const {
    return status::observe_cluster(cluster, *ssh, *http, kubeconfig.server, timeout);
  }
};

inline util::Result<LiveCluster> connect(const LiveFlags& flags) {
  LiveCluster live;
  ZEROSPOF_ASSIGN_OR_RETURN(live.cluster, plan::load(flags.plan_file));
  ZEROSPOF_ASSIGN_OR_RETURN(
      live.ssh, transport::SshTransport::create(
                    transport::ssh_targets(live.cluster),
                    {.known_hosts = flags.known_hosts.empty() ? default_known_hosts(flags.plan_file)
                                                              : flags.known_hosts}));
  std::string kubeconfig_path =
      !flags.kubeconfig.empty() ? flags.kubeconfig
                                : admin_kubeconfig(flags.apply_state_dir.empty()
                                                       ? default_state_dir("apply", live.cluster)
                                                       : flags.apply_state_dir);
  ZEROSPOF_ASSIGN_OR_RETURN(live.kubeconfig, observe::load_kubeconfig(kubeconfig_path));
  live.http = std::make_unique<observe::CurlHttpClient>(live.kubeconfig.credentials);
  return live;
}

}  // namespace zerospof::cli
