// Where the verbs look when the user names nothing, in one place so that apply and drill find
// the same files, and render and apply the same CA: the PKI directory, apply's state directory (its
// journal and the operator's files, among them the admin kubeconfig drill talks to the API with),
// drill's, and the lab's known_hosts beside its plan.
#pragma once

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "model/cluster.h"
#include "render/layout.h"

namespace zerospof::cli {

// The CA keys outlive any output directory: by default they stay in the user's data directory
// ($XDG_DATA_HOME/zerospof/CLUSTER/pki, else ~/.local/share/...), where render makes them once
// and apply finds them.
inline std::string default_pki_dir(const std::string& cluster_name) {
  const char* data = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  std::string base = data && *data ? data : std::string(home ? home : ".") + "/.local/share";
  return base + "/zerospof/" + cluster_name + "/pki";
}

// /var/lib/zerospof/VERB/CLUSTER: each verb's records of one cluster.
inline std::string default_state_dir(std::string_view verb, const model::Cluster& cluster) {
  return fmt::format("/var/lib/zerospof/{}/{}", verb,
                     cluster.name.empty() ? "cluster" : cluster.name);
}

// The admin kubeconfig apply writes for the operator below its state directory.
inline std::string admin_kubeconfig(const std::string& apply_state_dir) {
  return apply_state_dir + "/operator" + render::layout::kKubeconfigDir + "/admin.conf";
}

// The lab writes known_hosts beside lab.yaml; "" (the user's own) when there is none.
inline std::string default_known_hosts(const std::string& plan_file) {
  auto beside = std::filesystem::path(plan_file).parent_path() / "known_hosts";
  std::error_code error;
  return std::filesystem::exists(beside, error) ? beside.string() : std::string{};
}

}  // namespace zerospof::cli
