#include "lab/host_cgroup.h"

#include <gtest/gtest.h>

namespace zerospof::lab {
namespace {

// This machine's kind: cgroup v1 controllers, a named systemd hierarchy and an empty unified one
// (hybrid), the memory controller showing this process below a cgroup of the sandbox's.
constexpr const char* kHybridMountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "50 23 0:40 / /proc rw,relatime - proc proc rw\n";
constexpr const char* kHybridCgroup =
    "9:name=systemd:/\n"
    "4:memory:/process_api/6b26\n"
    "3:cpuset:/\n"
    "1:cpu:/\n"
    "0::/\n";

TEST(HostCgroup, FindsEveryHierarchyOfAHybridMachineWithThisProcesssPlaceInIt) {
  auto hierarchies = cgroup_hierarchies(kHybridCgroup, kHybridMountinfo);
  ASSERT_EQ(hierarchies.size(), 5u);
  EXPECT_EQ(hierarchies[0].mount_point, "/sys/fs/cgroup/systemd");
  EXPECT_EQ(hierarchies[1].mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(hierarchies[1].own_path, "/process_api/6b26");
  EXPECT_EQ(hierarchies[2].mount_point, "/sys/fs/cgroup/cpuset");
  EXPECT_TRUE(hierarchies[2].cpuset);
  EXPECT_FALSE(hierarchies[1].cpuset);
  EXPECT_EQ(hierarchies[4].mount_point, "/sys/fs/cgroup/unified");
}

TEST(HostCgroup, CoMountedControllersAreOneHierarchy) {
  auto hierarchies = cgroup_hierarchies(
      "2:cpu,cpuacct:/user.slice\n",
      "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n");
  ASSERT_EQ(hierarchies.size(), 1u);
  EXPECT_EQ(hierarchies[0].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(hierarchies[0].own_path, "/user.slice");
}

// Inside a cgroup namespace, or with a mount of part of a hierarchy, the mount shows a subtree:
// the process's path is taken relative to the mount's root.
TEST(HostCgroup, APathIsRelativeToWhatTheMountShows) {
  auto hierarchies =
      cgroup_hierarchies("0::/machine.slice/lab/payload\n",
                         "41 31 0:38 /machine.slice/lab /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  ASSERT_EQ(hierarchies.size(), 1u);
  EXPECT_EQ(hierarchies[0].own_path, "/payload");
}

TEST(HostCgroup, AHierarchyThatIsNotMountedIsLeftOut) {
  EXPECT_TRUE(cgroup_hierarchies("7:blkio:/\n", kHybridMountinfo).empty());
}

}  // namespace
}  // namespace zerospof::lab
