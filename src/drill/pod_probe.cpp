#include "drill/pod_probe.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "model/pinned_versions.h"

namespace zerospof::drill {

PodProbe::PodProbe(observe::KubernetesClient& api, PodProbeOptions options,
                   std::chrono::steady_clock::time_point clock_zero)
    : api_(api), options_(std::move(options)), clock_zero_(clock_zero) {}

PodProbe::~PodProbe() {
  if (watching_) stop();
}

double PodProbe::now_ms() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - clock_zero_)
      .count();
}

std::string PodProbe::deployment_json() const {
  nlohmann::json labels{{"app.kubernetes.io/name", options_.name}};
  // Spread over the nodes, softly: a hard constraint would count the dead node's evicted pod
  // and could keep its replacement from being scheduled at all.
  nlohmann::json spread{{"maxSkew", 1},
                        {"topologyKey", "kubernetes.io/hostname"},
                        {"whenUnsatisfiable", "ScheduleAnyway"},
                        {"labelSelector", {{"matchLabels", labels}}}};
  nlohmann::json deployment{
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata",
       {{"name", options_.name}, {"namespace", options_.namespace_name}, {"labels", labels}}},
      {"spec",
       {{"replicas", options_.replicas},
        {"selector", {{"matchLabels", labels}}},
        {"template",
         {{"metadata", {{"labels", labels}}},
          {"spec",
           {{"automountServiceAccountToken", false},
            {"topologySpreadConstraints", nlohmann::json::array({spread})},
            {"containers",
             nlohmann::json::array(
                 {{{"name", "pause"}, {"image", std::string(model::pinned::kPauseImage)}}})}}}}}}}};
  return deployment.dump();
}

util::Result<std::vector<std::string>> PodProbe::deploy(
    std::chrono::seconds limit, const std::function<bool()>& stop_requested) {
  std::string collection =
      fmt::format("/apis/apps/v1/namespaces/{}/deployments", options_.namespace_name);
  if (!api_.create_object(collection, deployment_json(), options_.timeout))
    return util::fail(util::Error::failed_precondition("the pod probe's Deployment " +
                                                       options_.name + " could not be created"));
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::string last = "its pods could not be listed";
  while (std::chrono::steady_clock::now() < deadline) {
    if (stop_requested())
      return util::fail(util::Error::unavailable(
          fmt::format("the pod probe's Deployment {}: the drill was stopped while it waited "
                      "for its replicas ({})",
                      options_.name, last)));
    if (auto pods = api_.pods(options_.namespace_name, "app.kubernetes.io/name=" + options_.name,
                              options_.timeout)) {
      std::vector<std::string> nodes;
      for (const auto& pod : *pods)
        if (pod.ready && !pod.deleting) nodes.push_back(pod.node);
      if (static_cast<int>(nodes.size()) >= options_.replicas) return nodes;
      last = fmt::format("{} of {} replicas ready", nodes.size(), options_.replicas);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return util::fail(util::Error::failed_precondition(
      fmt::format("the pod probe's Deployment {} was not ready within {} s: {}", options_.name,
                  limit.count(), last)));
}

void PodProbe::start(std::vector<std::string> nodes) {
  {
    std::lock_guard lock(mutex_);
    targets_ = std::move(nodes);
    events_.clear();
    rescheduled_ms_.reset();
  }
  watching_ = true;
  thread_ = std::thread([this] { watch_loop(); });
}

std::vector<Event> PodProbe::stop() {
  watching_ = false;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  return events_;
}

std::optional<double> PodProbe::rescheduled_ms() const {
  std::lock_guard lock(mutex_);
  return rescheduled_ms_;
}

void PodProbe::watch_loop() {
  bool evicted_seen = false, moved_seen = false;
  auto record = [this](std::string kind, std::string text) {
    std::lock_guard lock(mutex_);
    events_.push_back({now_ms(), std::move(kind), std::move(text)});
  };
  auto targeted = [this](const std::string& node) {
    return std::find(targets_.begin(), targets_.end(), node) != targets_.end();
  };
  const std::string targets = fmt::format("{}", fmt::join(targets_, ", "));
  while (watching_) {
    if (auto pods = api_.pods(options_.namespace_name, "app.kubernetes.io/name=" + options_.name,
                              options_.timeout)) {
      auto on_targets = std::count_if(pods->begin(), pods->end(), [&](const auto& pod) {
        return targeted(pod.node) && pod.deleting;
      });
      auto elsewhere = std::count_if(pods->begin(), pods->end(), [&](const auto& pod) {
        return !targeted(pod.node) && pod.ready && !pod.deleting;
      });
      if (on_targets > 0 && !evicted_seen) {
        evicted_seen = true;
        record("pods", fmt::format("{} pod(s) on {} evicted", on_targets, targets));
      }
      if (evicted_seen && !moved_seen && elsewhere >= options_.replicas) {
        moved_seen = true;
        std::lock_guard lock(mutex_);
        events_.push_back({now_ms(), "pods",
                           fmt::format("all {} replicas ready on other nodes than {}",
                                       options_.replicas, targets)});
        rescheduled_ms_ = events_.back().at_ms;
      }
    }
    for (int step = 0; step < 50 && watching_; ++step)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void PodProbe::cleanup() {
  (void)api_.delete_object(fmt::format("/apis/apps/v1/namespaces/{}/deployments/{}",
                                       options_.namespace_name, options_.name),
                           options_.timeout);
}

}  // namespace zerospof::drill
