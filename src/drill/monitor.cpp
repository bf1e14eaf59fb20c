#include "drill/monitor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace zerospof::drill {

namespace {
constexpr std::chrono::milliseconds kApiTimeout{1000};
}

std::string node_of_holder(const std::string& holder_identity) {
  return holder_identity.substr(0, holder_identity.find('_'));
}

Monitor::Monitor(const model::Cluster& cluster, observe::ClusterFacts& facts,
                 observe::KubernetesClient& api, std::chrono::steady_clock::time_point clock_zero)
    : cluster_(cluster), facts_(facts), api_(api), clock_zero_(clock_zero) {}

Monitor::~Monitor() {
  if (watching_) stop_watching();
}

double Monitor::now_ms() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - clock_zero_)
      .count();
}

Holders Monitor::read_holders(const Holders& previous, std::optional<std::string> etcd_leader) {
  Holders out;
  out.vip = facts_.vip_holders();
  out.etcd_leader = etcd_leader ? *etcd_leader : facts_.etcd_status().leader;
  // An unreadable lease (API down) is not a change of holder.
  auto scheduler = api_.lease_holder("kube-system", "kube-scheduler", kApiTimeout);
  out.scheduler = scheduler ? node_of_holder(*scheduler) : previous.scheduler;
  auto manager = api_.lease_holder("kube-system", "kube-controller-manager", kApiTimeout);
  out.controller_manager = manager ? node_of_holder(*manager) : previous.controller_manager;
  return out;
}

Health Monitor::health() {
  Health out;
  observe::EtcdStatus etcd = facts_.etcd_status();
  for (const auto& member : etcd.members)
    if (!member.answered) out.problems.push_back("etcd member " + member.node + " does not answer");
  if (etcd.leader.empty()) out.problems.push_back("no etcd leader");
  auto ready = facts_.ready_apiservers();
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kControlPlane))
    if (std::find(ready.begin(), ready.end(), node->name) == ready.end())
      out.problems.push_back("the apiserver on " + node->name + " is not ready");
  out.holders = read_holders({}, etcd.leader);
  if (cluster_.endpoint.mode == model::EndpointMode::kVip && out.holders.vip.size() != 1)
    out.problems.push_back(fmt::format("{} nodes hold the VIP ({})", out.holders.vip.size(),
                                       fmt::join(out.holders.vip, ", ")));
  if (out.holders.scheduler.empty())
    out.problems.push_back("nobody holds the kube-scheduler lease");
  if (out.holders.controller_manager.empty())
    out.problems.push_back("nobody holds the kube-controller-manager lease");
  if (!api_.ready(kApiTimeout)) out.problems.push_back("the endpoint does not answer /readyz");
  out.healthy = out.problems.empty();
  return out;
}

Health Monitor::wait_healthy(std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  Health last = health();
  while (!last.healthy && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    last = health();
  }
  return last;
}

void Monitor::add_event(std::string kind, std::string text) {
  std::lock_guard lock(mutex_);
  events_.push_back({now_ms(), std::move(kind), std::move(text)});
}

void Monitor::start_watching() {
  {
    std::lock_guard lock(mutex_);
    events_.clear();
  }
  watching_ = true;
  thread_ = std::thread([this] { watch_loop(); });
}

std::vector<Event> Monitor::stop_watching() {
  watching_ = false;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  std::sort(events_.begin(), events_.end(),
            [](const Event& a, const Event& b) { return a.at_ms < b.at_ms; });
  return events_;
}

void Monitor::watch_loop() {
  Holders last = read_holders({});
  add_event("vip", fmt::format("VIP on {}", fmt::join(last.vip, ", ")));
  add_event("etcd-leader", "etcd leader " + last.etcd_leader);
  while (watching_) {
    Holders now = read_holders(last);
    if (now.vip != last.vip)
      add_event("vip", now.vip.empty() ? std::string("nobody holds the VIP")
                                       : fmt::format("VIP on {}", fmt::join(now.vip, ", ")));
    if (now.etcd_leader != last.etcd_leader)
      add_event("etcd-leader", now.etcd_leader.empty() ? std::string("no etcd leader")
                                                       : "etcd leader " + now.etcd_leader);
    if (now.scheduler != last.scheduler)
      add_event("lease", "kube-scheduler lease held by " + now.scheduler);
    if (now.controller_manager != last.controller_manager)
      add_event("lease", "kube-controller-manager lease held by " + now.controller_manager);
    last = now;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace zerospof::drill
