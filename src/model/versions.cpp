#include "model/versions.h"

#include <algorithm>
#include <array>

namespace zerospof::model {
namespace {

// Consumes 1 to 3 digits at the front of `text`.
bool take_number(std::string_view& text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 3) return false;
  text.remove_prefix(digits);
  return true;
}

constexpr std::array<std::string_view, 6> kKubernetesPrograms{
    "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kubelet",
    "kube-proxy"};

}  // namespace

bool is_kubernetes_version(std::string_view text) {
  if (!text.starts_with("v1.")) return false;
  text.remove_prefix(3);
  if (!take_number(text)) return false;
  if (text.empty()) return true;
  if (text.front() != '.') return false;
  text.remove_prefix(1);
  return take_number(text) && text.empty();
}

std::optional<std::string> required_version(std::string_view program,
                                            std::string_view kubernetes_version) {
  if (std::find(kKubernetesPrograms.begin(), kKubernetesPrograms.end(), program) !=
      kKubernetesPrograms.end())
    return std::string(kubernetes_version);
  if (program == "etcd" || program == "etcdctl") return std::string(pinned::kEtcdVersion);
  if (program == "kwok") return std::string(pinned::kKwokVersion);
  if (program == "containerd" || program == "containerd-shim-runc-v2" || program == "ctr")
    return std::string(pinned::kContainerdVersion);
  if (program == "runc") return std::string(pinned::kRuncVersion);
  if (program.starts_with("cni-")) return std::string(pinned::kCniPluginsVersion);
  if (program == "image-pause.tar") return std::string(pinned::kPauseVersion);
  if (program == "image-coredns.tar") return std::string(pinned::kCoreDnsVersion);
  if (program == "image-agnhost.tar") return std::string(pinned::kAgnhostVersion);
  if (program == "image-etcd.tar") return std::string(pinned::kEtcdVersion);
  return std::nullopt;
}

}  // namespace zerospof::model
