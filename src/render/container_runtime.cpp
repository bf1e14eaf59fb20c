// containerd on real hosts: the CRI runtime the kubelet talks to, configured for Kubernetes as
// its upstream documents for production (config version 4, the pinned containerd's own: runc
// through the systemd cgroup driver, as the kubelet's cgroupDriver; the pinned pause image; the CNI
// directories the plan's CNI installs into), and a unit as upstream's containerd.service: a
// restart of containerd (an apply, an upgrade, a crash) leaves every container running.
#include <fmt/format.h>

#include "model/pinned_versions.h"
#include "render/context.h"
#include "render/layout.h"

namespace zerospof::render {

namespace {

// The lab's hosts (zerospof lab) manage their cgroups as the kubelet there does (cgroupfs), and
// cannot lower a process's OOM score below their own (the machine may withhold CAP_SYS_RESOURCE
// from everything it runs): containerd asks for no lower score than its own instead of failing
// to start every pod sandbox.
constexpr const char* kLabRuntimeSettings = R"(
# The lab (zerospof lab): OOM scores no lower than containerd's own.
[plugins."io.containerd.cri.v1.runtime"]
  restrict_oom_score_adj = true
)";

std::string containerd_config(bool lab) {
  std::string config = fmt::format(
      R"(# Rendered by zerospof render; changes are overwritten by the next apply.
version = 4
root = "/var/lib/containerd"
state = "/run/containerd"
# The API socket is the default, {socket}.

# The sandbox of every pod: pinned, so containerd never pulls another tag than the kubelet's.
[plugins."io.containerd.cri.v1.images".pinned_images]
  sandbox = "{pause}"

[plugins."io.containerd.cri.v1.runtime".containerd]
  default_runtime_name = "runc"

[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

# The kubelet's cgroupDriver is systemd; two managers of one cgroup tree fight under pressure.
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
  SystemdCgroup = {systemd_cgroups}
  BinaryName = "{runc}"

[plugins."io.containerd.cri.v1.runtime".cni]
  bin_dirs = ["{cni_bin}"]
  conf_dir = "{cni_config}"
)",
      fmt::arg("socket", layout::kContainerdSocket), fmt::arg("pause", model::pinned::kPauseImage),
      fmt::arg("runc", layout::binary_path("runc")), fmt::arg("cni_bin", layout::kCniBinDir),
      fmt::arg("cni_config", layout::kCniConfigDir),
      fmt::arg("systemd_cgroups", lab ? "false" : "true"));
  return lab ? config + kLabRuntimeSettings : config;
}

}  // namespace

std::vector<File> container_runtime_files(const Context& context, const model::Node& node) {
  if (simulated_nodes(context.options)) return {};  // kwok runs no containers
  Unit containerd{
      "containerd container runtime",
      {layout::binary_path("containerd"), "--config=" + std::string(layout::kContainerdConfig)},
      {layout::kNodeKernelUnit},
      StartType::kNotify};
  // overlay is the snapshotter's filesystem; "-": a kernel with it built in has no module.
  containerd.before_start = {{"-/sbin/modprobe", "overlay"}};
  containerd.keeps_children = true;
  containerd.oom_score_adjust = -999;
  return {public_file(node.name, layout::kContainerdConfig, containerd_config(context.options.lab)),
          unit_file(node.name, layout::kContainerdUnit, containerd)};
}

}  // namespace zerospof::render
