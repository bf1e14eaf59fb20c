// Which programs of the cache apply pushes to a host: those its units start, and what each of
// them needs beside it (a client to check it with, containerd's shim and runc).
#include <gtest/gtest.h>

#include "apply/steps.h"

namespace zerospof::apply {
namespace {

std::vector<std::string> names(const std::vector<Binary>& binaries) {
  std::vector<std::string> out;
  for (const auto& binary : binaries) out.push_back(binary.name);
  return out;
}

TEST(BinariesForTest, TheProgramsAUnitStartsAndTheirCompanionsOnly) {
  std::vector<Binary> cache;
  for (const char* name : {"containerd", "containerd-shim-runc-v2", "etcd", "etcdctl",
                           "kube-apiserver", "kubectl", "kubelet", "runc"})
    cache.push_back({.name = name, .version = "v1", .sha256 = std::string(64, 'a')});
  std::vector<transport::FileSpec> worker{
      {"/etc/systemd/system/zerospof-containerd.service",
       "[Service]\nExecStart=/usr/local/bin/containerd\n", 0644},
      {"/etc/systemd/system/zerospof-kubelet.service",
       "[Service]\nExecStart=/usr/local/bin/kubelet \\\n  --config=/etc/zerospof/k.yaml\n", 0644}};
  EXPECT_EQ(names(binaries_for(worker, cache)),
            (std::vector<std::string>{"containerd", "containerd-shim-runc-v2", "kubelet", "runc"}));
  std::vector<transport::FileSpec> control{
      {"/etc/systemd/system/zerospof-kube-apiserver.service",
       "ExecStart=/usr/local/bin/kube-apiserver --etcd-servers=x\n", 0644}};
  EXPECT_EQ(names(binaries_for(control, cache)),
            (std::vector<std::string>{"kube-apiserver", "kubectl"}));
  // A path that only starts like a program's is not that program.
  std::vector<transport::FileSpec> other{
      {"/etc/x.conf", "path=/usr/local/bin/etcd-backup\n", 0644}};
  EXPECT_TRUE(binaries_for(other, cache).empty());
}

}  // namespace
}  // namespace zerospof::apply
