// What a failed apply says last: every failed step with its whole error, and what was not
// tried because of it; nothing at all when every step succeeded.
#include <gtest/gtest.h>

#include "apply/apply.h"

namespace zerospof::apply {
namespace {

StepResult result(std::string host, std::string summary, Outcome outcome, std::string detail = {}) {
  return StepResult{.id = summary + "@" + host,
                    .host = std::move(host),
                    .summary = std::move(summary),
                    .outcome = outcome,
                    .detail = std::move(detail)};
}

TEST(FailureRecapTest, SaysNothingWhenNoStepFailed) {
  RunReport report{
      .results = {result("cloudserver1", "install etcd v3.6.16", Outcome::kChanged),
                  result("cloudserver2", "install etcd v3.6.16", Outcome::kUnchanged)}};
  EXPECT_EQ(failure_recap(report), "");
}

TEST(FailureRecapTest, NamesEachFailedStepWithItsWholeErrorAndWhatWasNotTried) {
  RunReport report{
      .results = {
          result("cloudserver1", "install etcd v3.6.16", Outcome::kChanged),
          result("micklethefickle", "start zerospof-kube-apiserver.service", Outcome::kFailed,
                 "zerospof-kube-apiserver.service did not stay active\nits journal: bind: address "
                 "already in use"),
          result("micklethefickle", "apiserver ready", Outcome::kSkipped,
                 "not tried: service/zerospof-kube-apiserver.service@micklethefickle did not "
                 "succeed"),
          result("", "endpoint ready", Outcome::kSkipped, "not tried: ..."),
          result("", "apply addons", Outcome::kFailed, "kubectl apply: exit 1")}};
  EXPECT_EQ(failure_recap(report),
            "2 steps failed (2 not tried because they depend on them):\n"
            "  micklethefickle  start zerospof-kube-apiserver.service\n"
            "      zerospof-kube-apiserver.service did not stay active\n"
            "      its journal: bind: address already in use\n"
            "  (this machine)  apply addons\n"
            "      kubectl apply: exit 1\n");
}

TEST(FailureRecapTest, OneFailedStepAndOneSkippedReadAsSingular) {
  RunReport report{.results = {result("blackboar", "start zerospof-kubelet.service",
                                      Outcome::kFailed, "timed out"),
                               result("", "every node Ready", Outcome::kSkipped, "not tried")}};
  EXPECT_EQ(failure_recap(report),
            "1 step failed (1 not tried because it depends on it):\n"
            "  blackboar  start zerospof-kubelet.service\n"
            "      timed out\n");
}

}  // namespace
}  // namespace zerospof::apply
