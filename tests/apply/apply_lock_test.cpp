// ApplyLock: a second apply of the same cluster is refused while the first runs, told who
// holds the lock, and gets it once the first is gone.
#include "apply/apply_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace zerospof::apply {
namespace {

TEST(ApplyLockTest, ASecondApplyIsRefusedAndToldWhoHoldsTheLock) {
  std::string state_dir = ::testing::TempDir() + "apply-lock-" + std::to_string(getpid());
  std::filesystem::remove_all(state_dir);
  {
    auto first = ApplyLock::acquire(state_dir + "/cluster");
    ASSERT_TRUE(first) << util::format_error(first.error());
    // flock() locks belong to an open file, so a second open in this process stands for a
    // second apply.
    auto second = ApplyLock::acquire(state_dir + "/cluster");
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, util::ErrorCode::kFailedPrecondition);
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    EXPECT_NE(second.error().message.find("pid " + std::to_string(getpid())), std::string::npos)
        << second.error().message;
    EXPECT_NE(second.error().message.find(host), std::string::npos) << second.error().message;
    EXPECT_NE(second.error().message.find("since "), std::string::npos) << second.error().message;
  }
  // Released with its holder: nothing to remove by hand.
  EXPECT_TRUE(ApplyLock::acquire(state_dir + "/cluster"));
  std::filesystem::remove_all(state_dir);
}

}  // namespace
}  // namespace zerospof::apply
