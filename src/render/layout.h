// Where rendered files live on the hosts and what the units are called: one place, read by
// render (which writes them) and apply (which installs binaries, writes files and starts units),
// so that the two and docs/render.md agree; apply restates none of these values, and
// tests/apply/render_contract_test.cpp fails when what apply does is not what render wrote.
// Binaries are expected in kBinDir; every unit zerospof writes is named zerospof-*.service
// except those of the Debian packages it configures (haproxy, keepalived, nftables).
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace zerospof::render::layout {

inline constexpr const char* kBinDir = "/usr/local/bin";
inline constexpr const char* kUnitDir = "/etc/systemd/system";
inline constexpr const char* kPkiDir = "/etc/zerospof/pki";
inline constexpr const char* kEtcdPkiDir = "/etc/zerospof/pki/etcd";
inline constexpr const char* kKubeconfigDir = "/etc/zerospof/kubeconfig";
inline constexpr const char* kConfigDir = "/etc/zerospof";
inline constexpr const char* kManifestDir = "/etc/zerospof/manifests";  // operator's machine
// The apiservers' etcd client certificate (base path: .crt and .key) and the etcd CA, on every
// control-plane host: what apply's checks and drill's etcd observations use as etcd clients.
inline constexpr const char* kApiserverEtcdClient = "/etc/zerospof/pki/apiserver-etcd-client";
inline constexpr const char* kEtcdCa = "/etc/zerospof/pki/etcd/ca.crt";
inline constexpr const char* kEtcdDataDir = "/var/lib/etcd";
inline constexpr const char* kAuditLog = "/var/log/kubernetes/audit.log";
inline constexpr const char* kHaproxyConfig = "/etc/haproxy/haproxy.cfg";
inline constexpr const char* kKeepalivedConfig = "/etc/keepalived/keepalived.conf";
// Debian's keepalived.service does not restart keepalived; zerospof's drop-in does.
inline constexpr const char* kKeepalivedDropIn =
    "/etc/systemd/system/keepalived.service.d/zerospof.conf";
inline constexpr const char* kNftablesConfig = "/etc/nftables.conf";
// The data plane of real hosts (render/container_runtime.cpp, kube_proxy.cpp, node_kernel.cpp).
inline constexpr const char* kContainerdConfig = "/etc/containerd/config.toml";
inline constexpr const char* kContainerdSocket = "/run/containerd/containerd.sock";
inline constexpr const char* kCniBinDir = "/opt/cni/bin";       // the CNI's installer fills it
inline constexpr const char* kCniConfigDir = "/etc/cni/net.d";  // and writes its config here
inline constexpr const char* kKernelModulesConfig = "/etc/modules-load.d/zerospof.conf";
inline constexpr const char* kSysctlConfig = "/etc/sysctl.d/90-zerospof.conf";
// The lab with real pods (render/lab_data_plane.cpp): the image archives its pods run (no
// registry is reachable), its pod network's config and routes between nodes.
inline constexpr const char* kImageDir = "/var/lib/zerospof/images";
inline constexpr const char* kLabCniConfig = "/etc/cni/net.d/10-zerospof-lab.conflist";
inline constexpr const char* kLabPodRoutes = "/etc/zerospof/lab-pod-routes";
inline constexpr const char* kLabResolvConf = "/etc/zerospof/lab-resolv.conf";

inline constexpr const char* kEtcdUnit = "zerospof-etcd.service";
inline constexpr const char* kApiserverUnit = "zerospof-kube-apiserver.service";
inline constexpr const char* kControllerManagerUnit = "zerospof-kube-controller-manager.service";
inline constexpr const char* kSchedulerUnit = "zerospof-kube-scheduler.service";
inline constexpr const char* kKubeletUnit = "zerospof-kubelet.service";
inline constexpr const char* kContainerdUnit = "zerospof-containerd.service";
inline constexpr const char* kKwokUnit = "zerospof-kwok.service";
inline constexpr const char* kKubeProxyUnit = "zerospof-kube-proxy.service";
// Loads the kernel modules and sets the sysctls the data plane needs, once per boot and on apply.
inline constexpr const char* kNodeKernelUnit = "zerospof-node-kernel.service";
// The lab with real pods: imports the image archives; routes each node's pod subnet.
inline constexpr const char* kLabImagesUnit = "zerospof-lab-images.service";
inline constexpr const char* kLabPodRoutesUnit = "zerospof-lab-pod-routes.service";
// vip mode, fast tuning: tells keepalived whether this node's HAProxy can route (keepalived.cpp).
inline constexpr const char* kVipFitnessUnit = "zerospof-vip-fitness.service";

// The units of the Debian packages zerospof configures: each is started when its configuration
// file is in a host's bundle (the firewall before any service, the others with the endpoint).
inline constexpr const char* kHaproxyUnit = "haproxy.service";
inline constexpr const char* kKeepalivedUnit = "keepalived.service";
inline constexpr const char* kNftablesUnit = "nftables.service";
struct PackageUnit {
  const char* config;
  const char* unit;
};
inline constexpr std::array<PackageUnit, 2> kEndpointPackageUnits{
    {{kHaproxyConfig, kHaproxyUnit}, {kKeepalivedConfig, kKeepalivedUnit}}};

inline constexpr int kApiserverPort = 6443;  // every apiserver listens here on its node
inline constexpr int kEtcdClientPort = 2379;
inline constexpr int kEtcdPeerPort = 2380;
inline constexpr int kKubeletPort = 10250;
inline constexpr int kKubeProxyHealthPort = 10256;  // /healthz, for load balancers' checks
inline constexpr int kHaproxyStatsPort = 8404;      // 127.0.0.1 only

// Where a unit's file goes: /etc/systemd/system/<unit>.
inline std::string unit_path(std::string_view unit) {
  return std::string(kUnitDir) + "/" + std::string(unit);
}

// The unit whose file is at `path`, or "" when `path` is not a unit file directly in kUnitDir.
inline std::string unit_at(std::string_view path) {
  std::string_view directory = kUnitDir;
  if (!path.starts_with(directory) || path.size() <= directory.size() + 1 ||
      path[directory.size()] != '/')
    return {};
  std::string_view unit = path.substr(directory.size() + 1);
  if (unit.find('/') != std::string_view::npos || !unit.ends_with(".service")) return {};
  return std::string(unit);
}

// Where a program zerospof installs lives on a host: /usr/local/bin/<name>.
inline std::string binary_path(std::string_view name) {
  return std::string(kBinDir) + "/" + std::string(name);
}

// Where a file of the binary cache is installed: a CNI plugin (cache name cni-<type>) where
// containerd looks for plugins, under the name the CNI config's type says; an image archive
// (image-*.tar) where the lab's image unit imports it; any other program at binary_path().
inline std::string installed_path(std::string_view name) {
  if (name.starts_with("cni-")) return std::string(kCniBinDir) + "/" + std::string(name.substr(4));
  if (name.starts_with("image-")) return std::string(kImageDir) + "/" + std::string(name);
  return binary_path(name);
}

// Whether `path` is below kPkiDir (certificates and keys, written before any other file).
inline bool is_pki_path(std::string_view path) {
  std::string_view directory = kPkiDir;
  return path.starts_with(directory) && path.size() > directory.size() &&
         path[directory.size()] == '/';
}

}  // namespace zerospof::render::layout
