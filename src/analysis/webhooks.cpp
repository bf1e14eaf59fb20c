#include "analysis/webhooks.h"

#include <fmt/format.h>

#include <algorithm>

namespace zerospof::analysis {

Webhooks::Webhooks(const model::Manifests& manifests, const Workloads& workloads,
                   std::vector<ServiceInfo>& services, int first_subject,
                   std::vector<std::string>& notes)
    : first_subject_(first_subject) {
  for (const model::AdmissionWebhook& webhook : manifests.webhooks) {
    std::string where = webhook.where.to_string();
    if (!webhook.fails_closed) continue;  // failurePolicy: Ignore admits writes unchecked
    if (webhook.service_name.empty()) {
      notes.push_back(fmt::format("{}: {} calls a URL outside the cluster: not modelled", where,
                                  webhook.display_name()));
      continue;
    }
    auto service =
        std::find_if(manifests.services.begin(), manifests.services.end(), [&](const auto& s) {
          return s.namespace_name == webhook.service_namespace && s.name == webhook.service_name;
        });
    std::vector<int> groups;
    if (service != manifests.services.end())
      for (size_t w = 0; w < manifests.workloads.size(); ++w)
        if (service->selects(manifests.workloads[w]))
          groups.push_back(workloads.group_of_workload(static_cast<int>(w)));
    if (groups.empty()) {
      notes.push_back(fmt::format(
          "{}: {} calls Service {}/{}, {} the given manifests: not modelled", where,
          webhook.display_name(), webhook.service_namespace, webhook.service_name,
          service == manifests.services.end() ? "which is not in" : "whose pods are not in"));
      continue;
    }
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    backing_groups_.push_back(std::move(groups));
    services_.push_back(static_cast<int>(services.size()));
    ServiceInfo info{
        webhook.display_name(), model::ServiceClass::kControlPlane,
        fmt::format("admission webhook (failurePolicy: Fail) served by Service "
                    "{}/{}: the API rejects {} while no pod behind it is ready",
                    webhook.service_namespace, webhook.service_name, webhook.matched_writes()),
        webhook.where};
    info.blocks = webhook.matched_writes();
    services.push_back(std::move(info));
  }
}

Verdict Webhooks::evaluate(int webhook, const std::vector<Verdict>& group_verdicts) const {
  // The API server calls any ready pod behind the Service: the best backing workload counts.
  Verdict verdict;
  verdict.now = verdict.after = Health::kDown;
  const Verdict* most = nullptr;
  for (int group : backing_groups_[webhook]) {
    const Verdict& backing = group_verdicts[group];
    verdict.now = std::min(verdict.now, backing.now);
    verdict.after = std::min(verdict.after, backing.after);
    if (most == nullptr || backing.live > most->live ||
        (backing.live == most->live && backing.live_after > most->live_after))
      most = &backing;
  }
  verdict.subject = first_subject_ + webhook;
  verdict.live = most->live;
  verdict.total = most->total;
  verdict.live_after = most->live_after;
  verdict.extra = services_[webhook];
  bool down = verdict.now == Health::kDown || verdict.after == Health::kDown;
  verdict.reason = down                                                  ? Reason::kWebhookDown
                   : std::max(verdict.now, verdict.after) == Health::kOk ? Reason::kAllLive
                                                                         : Reason::kWebhookDegraded;
  return verdict;
}

}  // namespace zerospof::analysis
