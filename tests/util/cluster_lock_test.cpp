// ClusterLock: a second apply or drill of the same cluster is refused while the first runs, told
// who holds the lock, and gets it once the first is gone.
#include "util/cluster_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace zerospof::util {
namespace {

TEST(ClusterLockTest, ADrillDuringAnApplyIsRefusedAndToldWhoHoldsTheLock) {
  std::string state_dir = ::testing::TempDir() + "cluster-lock-" + std::to_string(getpid());
  std::filesystem::remove_all(state_dir);
  {
    auto first = ClusterLock::acquire(state_dir + "/cluster", "apply");
    ASSERT_TRUE(first) << util::format_error(first.error());
    // flock() locks belong to an open file, so a second open in this process stands for a
    // second process.
    auto second = ClusterLock::acquire(state_dir + "/cluster", "drill");
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(second.error().message.find("apply, pid " + std::to_string(getpid())),
              std::string::npos)
        << second.error().message;
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    EXPECT_NE(second.error().message.find("pid " + std::to_string(getpid())), std::string::npos)
        << second.error().message;
    EXPECT_NE(second.error().message.find(host), std::string::npos) << second.error().message;
    EXPECT_NE(second.error().message.find("since "), std::string::npos) << second.error().message;
  }
  // Released with its holder: nothing to remove by hand.
  EXPECT_TRUE(ClusterLock::acquire(state_dir + "/cluster", "drill"));
  std::filesystem::remove_all(state_dir);
}

}  // namespace
}  // namespace zerospof::util
