// apply and the cluster's lock: a drill that applies another tuning hands apply the lock it
// holds, and apply goes on under it; a lock of another cluster's state directory is refused,
// and without a lock handed on, apply refuses to run beside the drill that holds it.
#include "apply/apply.h"

#include <gtest/gtest.h>

#include "support/scratch_directory.h"

namespace zerospof::apply {
namespace {

class ApplyLockTest : public ::testing::Test {
 protected:
  util::Result<RunReport> apply_with(const util::ClusterLock* held) {
    ApplyOptions options{.binary_cache = directory_.path() + "/no-binaries",
                         .state_dir = state_dir_,
                         .held_lock = held};
    NullProgress progress;
    return apply(model::Cluster{}, render::Bundle{}, options, progress);
  }

  testing::ScratchDirectory directory_{"zerospof-apply-lock"};
  const std::string state_dir_ = directory_.path() + "/apply/homelab";
};

TEST_F(ApplyLockTest, ADrillsLockHandedOnLetsApplyRunUnderIt) {
  auto drill = util::ClusterLock::acquire(state_dir_, "drill");
  ASSERT_TRUE(drill);
  auto beside = apply_with(nullptr);
  ASSERT_FALSE(beside);
  EXPECT_NE(beside.error().message.find("drill, pid"), std::string::npos) << beside.error().message;
  // Handed on, the lock is not asked for again: apply goes on to the next thing it needs (here
  // a binary cache that does not exist, which ends it before any host is reached).
  auto under = apply_with(drill->get());
  ASSERT_FALSE(under);
  EXPECT_EQ(under.error().message.find("drill, pid"), std::string::npos) << under.error().message;
  EXPECT_EQ(under.error().message.find("handed the lock"), std::string::npos)
      << under.error().message;
}

TEST_F(ApplyLockTest, AnotherClustersLockIsRefused) {
  auto other = util::ClusterLock::acquire(directory_.path() + "/apply/other", "drill");
  ASSERT_TRUE(other);
  auto refused = apply_with(other->get());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("apply was handed the lock of"), std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace zerospof::apply
