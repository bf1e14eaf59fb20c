#include "binaries/release.h"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <algorithm>
#include <regex>

#include "model/pinned_versions.h"
#include "util/terminal.h"

namespace zerospof::binaries {
namespace {

bool is_release_version(const std::string& version) {
  static const std::regex release(R"(v[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})");
  return std::regex_match(version, release);
}

// The programs of the Kubernetes release apply installs: the control plane, the node agents and
// kubectl (apply checks each apiserver with it on its host).
constexpr const char* kKubernetesPrograms[] = {"kube-apiserver", "kube-controller-manager",
                                               "kube-scheduler", "kubelet",
                                               "kube-proxy",     "kubectl"};

}  // namespace

util::Result<std::vector<ReleaseArtifact>> release_artifacts(const std::string& kubernetes_version,
                                                             const std::string& architecture) {
  if (!is_release_version(kubernetes_version))
    return util::fail(util::Error::invalid_input(
        fmt::format("the plan's Kubernetes version \"{}\" is not a release (vMAJOR.MINOR.PATCH), "
                    "so there is no release to fetch",
                    util::printable(kubernetes_version)),
        {},
        fmt::format("name a release in the plan, for example: version: {}",
                    model::pinned::kKubernetesVersion)));
  if (std::none_of(std::begin(kArchitectures), std::end(kArchitectures),
                   [&](const char* known) { return architecture == known; }))
    return util::fail(util::Error::invalid_input(
        fmt::format("no release is published for the architecture \"{}\"",
                    util::printable(architecture)),
        {}, "give --arch amd64 or --arch arm64"));
  const std::string arch = architecture;
  std::vector<ReleaseArtifact> artifacts;
  for (const char* program : kKubernetesPrograms) {
    std::string url = fmt::format("https://dl.k8s.io/release/{}/bin/linux/{}/{}",
                                  kubernetes_version, arch, program);
    artifacts.push_back({.project = "Kubernetes",
                         .version = kubernetes_version,
                         .url = url,
                         .digest_url = url + ".sha256",
                         .programs = {{"", program}}});
  }
  const std::string etcd(model::pinned::kEtcdVersion);
  const std::string etcd_base =
      fmt::format("https://github.com/etcd-io/etcd/releases/download/{}/", etcd);
  const std::string etcd_archive = fmt::format("etcd-{}-linux-{}", etcd, arch);
  artifacts.push_back(
      {.project = "etcd",
       .version = etcd,
       .url = etcd_base + etcd_archive + ".tar.gz",
       .digest_url = etcd_base + "SHA256SUMS",
       .digest_entry = etcd_archive + ".tar.gz",
       .tar_gz = true,
       .programs = {{etcd_archive + "/etcd", "etcd"}, {etcd_archive + "/etcdctl", "etcdctl"}}});
  const std::string containerd(model::pinned::kContainerdVersion);
  const std::string containerd_url = fmt::format(
      "https://github.com/containerd/containerd/releases/download/{}/"
      "containerd-{}-linux-{}.tar.gz",
      containerd, containerd.substr(1), arch);
  artifacts.push_back({.project = "containerd",
                       .version = containerd,
                       .url = containerd_url,
                       .digest_url = containerd_url + ".sha256sum",
                       .digest_entry = containerd_url.substr(containerd_url.rfind('/') + 1),
                       .tar_gz = true,
                       .programs = {{"bin/containerd", "containerd"},
                                    {"bin/containerd-shim-runc-v2", "containerd-shim-runc-v2"}}});
  const std::string runc(model::pinned::kRuncVersion);
  const std::string runc_base =
      fmt::format("https://github.com/opencontainers/runc/releases/download/{}/", runc);
  artifacts.push_back({.project = "runc",
                       .version = runc,
                       .url = runc_base + "runc." + arch,
                       .digest_url = runc_base + "runc.sha256sum",
                       .digest_entry = "runc." + arch,
                       .programs = {{"", "runc"}}});
  return artifacts;
}

std::string this_architecture() {
  utsname name{};
  if (::uname(&name) != 0) return "";
  std::string machine = name.machine;
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  return "";
}

}  // namespace zerospof::binaries
