#include "drill/monitor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace zerospof::drill {

namespace {
constexpr std::chrono::milliseconds kApiTimeout{1000};
constexpr std::chrono::milliseconds kHealthTimeout{3000};
}  // namespace

std::string node_of_holder(const std::string& holder_identity) {
  return holder_identity.substr(0, holder_identity.find('_'));
}

std::vector<Event> node_changes(std::map<std::string, NodeSeen>& known,
                                const std::vector<observe::NodeState>& nodes, double at_ms) {
  std::vector<Event> changes;
  for (const observe::NodeState& node : nodes) {
    NodeSeen& seen = known[node.name];
    if (seen.ready != node.ready)
      changes.push_back(
          {.at_ms = at_ms,
           .kind = "node",
           .text = fmt::format("node {} {}", node.name, node.ready ? "Ready" : "NotReady"),
           .node = node.name,
           .ready = node.ready});
    if (node.tainted_for_eviction && !seen.tainted_for_eviction)
      changes.push_back({.at_ms = at_ms,
                         .kind = "taint",
                         .text = fmt::format("node {} tainted for eviction", node.name),
                         .node = node.name,
                         .ready = node.ready});
    seen = {.ready = node.ready, .tainted_for_eviction = node.tainted_for_eviction};
  }
  return changes;
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

Holders Monitor::read_holders(const std::string& etcd_leader) {
  Holders out;
  // Health is judged with the full timeouts: on a loaded machine a question can take more
  // than a second, and an unanswered one would read as a problem that is not there.
  out.vip = facts_.vip_holders(kHealthTimeout);
  out.etcd_leader = etcd_leader;
  if (auto scheduler = api_.lease_holder("kube-system", "kube-scheduler", kHealthTimeout))
    out.scheduler = node_of_holder(*scheduler);
  if (auto manager = api_.lease_holder("kube-system", "kube-controller-manager", kHealthTimeout))
    out.controller_manager = node_of_holder(*manager);
  return out;
}

Health Monitor::health(bool complete) {
  Health out;
  // Polled while a cluster recovers: the cheaper questions that fail first end the round, so a
  // recovering cluster is not also asked every question every half second.
  auto done = [&] { return !complete && !out.problems.empty(); };
  observe::EtcdStatus etcd = facts_.etcd_status();
  for (const auto& member : etcd.members)
    if (!member.answered) out.problems.push_back("etcd member " + member.node + " does not answer");
  if (etcd.leader.empty()) out.problems.push_back("no etcd leader");
  out.holders.etcd_leader = etcd.leader;
  if (done()) return out;
  auto ready = facts_.ready_apiservers();
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kControlPlane))
    if (std::find(ready.begin(), ready.end(), node->name) == ready.end())
      out.problems.push_back("the apiserver on " + node->name + " is not ready");
  if (done()) return out;
  out.holders = read_holders(etcd.leader);
  if (cluster_.endpoint.mode == model::EndpointMode::kVip && out.holders.vip.size() != 1)
    out.problems.push_back(fmt::format("{} nodes hold the VIP ({})", out.holders.vip.size(),
                                       fmt::join(out.holders.vip, ", ")));
  if (out.holders.scheduler.empty())
    out.problems.push_back("nobody holds the kube-scheduler lease");
  if (out.holders.controller_manager.empty())
    out.problems.push_back("nobody holds the kube-controller-manager lease");
  if (!api_.ready(kHealthTimeout)) out.problems.push_back("the endpoint does not answer /readyz");
  if (done()) return out;
  // After a host came back, its node's pods run again only once it is Ready: until then the
  // cluster has not recovered, and the next scenario would start one node short.
  if (auto nodes = api_.nodes(kHealthTimeout); !nodes)
    out.problems.push_back("the nodes could not be listed");
  else
    for (const observe::NodeState& node : *nodes)
      if (!node.ready) out.problems.push_back("node " + node.name + " is not Ready");
  out.healthy = out.problems.empty();
  return out;
}

Health Monitor::wait_healthy(std::chrono::seconds limit, const std::function<bool()>& give_up) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  Health last = health(false);
  while (!last.healthy && std::chrono::steady_clock::now() < deadline && !(give_up && give_up())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    last = health(false);
  }
  // Every problem, for the report, when the limit passed first.
  return last.healthy ? last : health(true);
}

void Monitor::add_event(std::string kind, std::string text) {
  std::lock_guard lock(mutex_);
  events_.push_back({now_ms(), std::move(kind), std::move(text)});
}

void Monitor::start_watching(observe::HttpClient* etcd_http,
                             std::vector<observe::ServerEndpoint> etcd_members) {
  {
    std::lock_guard lock(mutex_);
    events_.clear();
  }
  etcd_http_ = etcd_members.empty() ? nullptr : etcd_http;
  etcd_members_ = std::move(etcd_members);
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
  // Each holder is watched on its own: a question to a crashed host (up to its timeout) must not
  // delay seeing the VIP move or a lease change hands. A value that could not be read is not a
  // change.
  std::vector<std::thread> watchers;
  watchers.emplace_back([this] {
    // The holder alone is asked each round, every control-plane host each fifth (once a
    // second), and all of them as soon as the holder says it no longer holds the VIP or does not
    // answer: a VIP moves away from its holder, which the holder's answer shows at once, and a
    // second holder beside a healthy one (a split brain) is seen within a second. Three hosts
    // asked every 200 ms were 15 SSH sessions a second on the machine being measured.
    std::vector<std::string> holders;
    int rounds_since_all = 0;
    watch_value(
        "vip", true,
        [this, &holders, &rounds_since_all]() -> std::optional<std::string> {
          bool ask_all = holders.size() != 1 || ++rounds_since_all >= 5;
          if (!ask_all) ask_all = facts_.holds_vip(holders.front()) != std::optional<bool>(true);
          if (ask_all) {
            rounds_since_all = 0;
            // A holder that answers late is not "nobody holds the VIP": no answer, no change.
            auto known = facts_.vip_holders_if_known();
            if (!known) return std::nullopt;
            holders = std::move(*known);
          }
          return fmt::format("{}", fmt::join(holders, ", "));
        },
        [](const std::string& holders) {
          return holders.empty() ? std::string("nobody holds the VIP") : "VIP on " + holders;
        });
  });
  watchers.emplace_back([this] {
    watch_value(
        "etcd-leader", true,
        [this]() -> std::optional<std::string> {
          if (etcd_http_) return observe::etcd_leader_of(*etcd_http_, etcd_members_, kApiTimeout);
          observe::EtcdStatus status = facts_.etcd_status();
          bool answered = std::any_of(status.members.begin(), status.members.end(),
                                      [](const auto& member) { return member.answered; });
          if (!answered) return std::nullopt;
          return status.leader;
        },
        [](const std::string& leader) {
          return leader.empty() ? std::string("no etcd leader") : "etcd leader " + leader;
        });
  });
  for (const char* lease : {"kube-scheduler", "kube-controller-manager"})
    watchers.emplace_back([this, lease] {
      watch_value(
          "lease", false,
          [this, lease]() -> std::optional<std::string> {
            auto holder = api_.lease_holder("kube-system", lease, kApiTimeout);
            if (!holder) return std::nullopt;
            return node_of_holder(*holder);
          },
          [lease](const std::string& node) {
            return fmt::format("{} lease held by {}", lease, node.empty() ? "nobody" : node);
          });
    });
  watchers.emplace_back([this] {
    // Every node, not only the fault's targets: one the fault did not hit that turns NotReady is
    // a false failover (its pods are evicted for nothing), which judge() fails. A list that could
    // not be read is not a change; once a second is enough for a condition that takes the node
    // grace period (seconds) to change.
    std::map<std::string, NodeSeen> known;
    while (watching_) {
      if (auto nodes = api_.nodes(kApiTimeout)) {
        std::vector<Event> changes = node_changes(known, *nodes, now_ms());
        std::lock_guard lock(mutex_);
        events_.insert(events_.end(), changes.begin(), changes.end());
      }
      for (int slice = 0; slice < 5 && watching_; ++slice)
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  for (auto& watcher : watchers) watcher.join();
}

void Monitor::watch_value(const std::string& kind, bool announce_first,
                          const std::function<std::optional<std::string>()>& read,
                          const std::function<std::string(const std::string&)>& describe) {
  std::optional<std::string> last;
  while (watching_) {
    std::optional<std::string> now = read();
    if (now && now != last) {
      if (last || announce_first) add_event(kind, describe(*now));
      last = now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace zerospof::drill
