// Admission webhooks as dependencies of the API. A webhook that fails closed (failurePolicy:
// Fail, the default) makes the API server reject every write its rules match while the Service
// it calls has no ready pod, so each one is a service of its own in every scenario, as available
// as the best of the workloads behind its Service: ok with all their replicas, degraded while
// one is left, down with none (the writes it guards are blocked until a pod is rescheduled).
//
// Not modelled, and said in a note: webhooks that fail open (writes are admitted unchecked),
// call a URL outside the cluster, or whose Service or pods are not in the given manifests.
// Internal to analysis.
#pragma once

#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "analysis/workloads.h"
#include "model/workload.h"

namespace zerospof::analysis {

class Webhooks {
 public:
  // Webhook services are appended to `services`; their subjects follow `first_subject`.
  // `first_workload_service` is the service index of manifests.workloads[0].
  Webhooks(const model::Manifests& manifests, const Workloads& workloads,
           std::vector<ServiceInfo>& services, int first_subject, std::vector<std::string>& notes);

  bool empty() const { return backing_groups_.empty(); }
  int size() const { return static_cast<int>(backing_groups_.size()); }
  int service(int webhook) const { return services_[webhook]; }

  // The webhook's verdict from this scenario's verdict of every workload group.
  Verdict evaluate(int webhook, const std::vector<Verdict>& group_verdicts) const;

 private:
  std::vector<std::vector<int>> backing_groups_;  // per webhook
  std::vector<int> services_;                     // per webhook
  int first_subject_;
};

}  // namespace zerospof::analysis
