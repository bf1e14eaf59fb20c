// Which programs of the cache apply pushes to a host: those its units start (render's index),
// and what each of them needs beside it (a client to check it with, containerd's shim and runc);
// and which it lacks.
#include <gtest/gtest.h>

#include "apply/steps.h"

namespace zerospof::apply {
namespace {

std::vector<std::string> names(const std::vector<Binary>& binaries) {
  std::vector<std::string> out;
  for (const auto& binary : binaries) out.push_back(binary.name);
  return out;
}

TEST(BinariesForTest, TheProgramsTheUnitsStartAndTheirCompanionsOnly) {
  std::vector<Binary> cache;
  for (const char* name : {"containerd", "containerd-shim-runc-v2", "etcd", "etcdctl",
                           "kube-apiserver", "kubectl", "kubelet", "runc"})
    cache.push_back({.name = name, .version = "v1", .sha256 = std::string(64, 'a')});
  EXPECT_EQ(names(binaries_for({"containerd", "kubelet"}, cache)),
            (std::vector<std::string>{"containerd", "containerd-shim-runc-v2", "kubelet", "runc"}));
  EXPECT_EQ(names(binaries_for({"kube-apiserver"}, cache)),
            (std::vector<std::string>{"kube-apiserver", "kubectl"}));
  EXPECT_TRUE(binaries_for({}, cache).empty());
  EXPECT_EQ(binaries_missing_from_cache({"kubelet", "kube-proxy", "kwok"}, cache),
            (std::vector<std::string>{"kube-proxy", "kwok"}));
}

}  // namespace
}  // namespace zerospof::apply
