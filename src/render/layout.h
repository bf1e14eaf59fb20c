// Where rendered files live on the hosts and what the units are called: one place, so that
// apply/ (which installs binaries and starts units) and docs/render.md agree with render.
// Binaries are expected in kBinDir; every unit zerospof writes is named zerospof-*.service
// except those of the Debian packages it configures (haproxy, keepalived, nftables).
#pragma once

#include <string>

namespace zerospof::render::layout {

inline constexpr const char* kBinDir = "/usr/local/bin";
inline constexpr const char* kUnitDir = "/etc/systemd/system";
inline constexpr const char* kPkiDir = "/etc/zerospof/pki";
inline constexpr const char* kEtcdPkiDir = "/etc/zerospof/pki/etcd";
inline constexpr const char* kKubeconfigDir = "/etc/zerospof/kubeconfig";
inline constexpr const char* kConfigDir = "/etc/zerospof";
inline constexpr const char* kManifestDir = "/etc/zerospof/manifests";  // operator's machine
inline constexpr const char* kEtcdDataDir = "/var/lib/etcd";
inline constexpr const char* kAuditLog = "/var/log/kubernetes/audit.log";
inline constexpr const char* kHaproxyConfig = "/etc/haproxy/haproxy.cfg";
inline constexpr const char* kKeepalivedConfig = "/etc/keepalived/keepalived.conf";
inline constexpr const char* kNftablesConfig = "/etc/nftables.conf";

inline constexpr const char* kEtcdUnit = "zerospof-etcd.service";
inline constexpr const char* kApiserverUnit = "zerospof-kube-apiserver.service";
inline constexpr const char* kControllerManagerUnit = "zerospof-kube-controller-manager.service";
inline constexpr const char* kSchedulerUnit = "zerospof-kube-scheduler.service";
inline constexpr const char* kKubeletUnit = "zerospof-kubelet.service";
inline constexpr const char* kContainerdUnit = "zerospof-containerd.service";
inline constexpr const char* kKwokUnit = "zerospof-kwok.service";

inline constexpr int kApiserverPort = 6443;  // every apiserver listens here on its node
inline constexpr int kEtcdClientPort = 2379;
inline constexpr int kEtcdPeerPort = 2380;
inline constexpr int kKubeletPort = 10250;
inline constexpr int kHaproxyStatsPort = 8404;  // 127.0.0.1 only

// Where a unit's file goes: /etc/systemd/system/<unit>.
inline std::string unit_path(const char* unit) { return std::string(kUnitDir) + "/" + unit; }

}  // namespace zerospof::render::layout
