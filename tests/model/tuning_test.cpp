// model/tuning.h: the two profiles' timings, which render turns into flags and the failover
// budget.
#include "model/tuning.h"

#include <gtest/gtest.h>

namespace zerospof::model {
namespace {

TEST(Tuning, TheFastProfileIsTheDefault) {
  const Tuning fast = Tuning::of(TuningProfile::kFast);
  EXPECT_EQ(fast.profile, TuningProfile::kFast);
  EXPECT_EQ(fast.vrrp_advert_interval_ms, Tuning{}.vrrp_advert_interval_ms);
  EXPECT_STREQ(to_string(TuningProfile::kFast), "fast");
}

TEST(Tuning, TheKubeadmGuideProfileKeepsUpstreamTimings) {
  const Tuning guide = Tuning::of(TuningProfile::kKubeadmGuide);
  EXPECT_EQ(guide.profile, TuningProfile::kKubeadmGuide);
  EXPECT_EQ(guide.lease_duration_ms, 15000);  // kube-controller-manager's default
  EXPECT_EQ(guide.eviction_toleration_ms, 300000);
  // Each leader election keeps lease > renew deadline > retry period, as the components demand.
  for (const Tuning& tuning : {guide, Tuning{}}) {
    EXPECT_GT(tuning.lease_duration_ms, tuning.renew_deadline_ms);
    EXPECT_GT(tuning.renew_deadline_ms, tuning.retry_period_ms);
  }
}

}  // namespace
}  // namespace zerospof::model
