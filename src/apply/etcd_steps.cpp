#include <fmt/format.h>

#include "apply/steps.h"
#include "render/layout.h"

namespace zerospof::apply {
namespace {

// The unit of `host` (render's index) whose flags name all three credentials.
bool find_credentials(const render::Bundle& bundle, const std::string& host,
                      const std::array<std::string, 3>& flags, EtcdAccess& access) {
  const render::HostEntry* entry = bundle.index.find(host);
  if (entry == nullptr) return false;
  for (const auto& unit : entry->units) {
    auto flag = [&](const std::string& name) {
      auto found = unit.flags.find(name);
      return found == unit.flags.end() ? std::string() : found->second;
    };
    std::string ca = flag(flags[0]), cert = flag(flags[1]), key = flag(flags[2]);
    if (ca.empty() || cert.empty() || key.empty()) continue;
    access.ca = ca;
    access.cert = cert;
    access.key = key;
    return true;
  }
  return false;
}

}  // namespace

util::Result<EtcdAccess> etcd_access(const model::Cluster& cluster, const render::Bundle& bundle) {
  EtcdAccess access;
  auto members = cluster.nodes_with_role(model::Role::kEtcd);
  for (const auto* node : members) {
    access.members.push_back(node->name);
    access.endpoints.push_back(fmt::format("https://{}:{}",
                                           model::url_host(node->cluster_address()),
                                           render::layout::kEtcdClientPort));
  }
  if (members.empty()) return access;
  // Every etcd host holds the same kind of files; the first one tells the paths.
  const std::string& host = members.front()->name;
  if (find_credentials(bundle, host, {"etcd-cafile", "etcd-certfile", "etcd-keyfile"}, access) ||
      find_credentials(bundle, host, {"trusted-ca-file", "cert-file", "key-file"}, access)) {
    return access;
  }
  return util::fail(util::Error::failed_precondition(
      fmt::format("the rendered files of {} name no etcd client certificate (--etcd-certfile or "
                  "etcd's --cert-file)",
                  host),
      "render the plan again; apply needs them to check etcd"));
}

std::string endpoint_of(const EtcdAccess& access, const std::string& member) {
  for (std::size_t i = 0; i < access.members.size() && i < access.endpoints.size(); ++i)
    if (access.members[i] == member) return access.endpoints[i];
  return {};
}

std::string etcdctl(const EtcdAccess& access, const std::string& arguments) {
  std::string endpoints;
  for (const auto& endpoint : access.endpoints) {
    endpoints += (endpoints.empty() ? "" : ",") + endpoint;
  }
  return fmt::format(
      "{} --dial-timeout=2s --command-timeout=5s --endpoints={} --cacert={} --cert={} --key={} {}",
      render::layout::binary_path("etcdctl"), endpoints, access.ca, access.cert, access.key,
      arguments);
}

// Counting open client ports first keeps the first start fast: a refused connection answers at
// once, while etcdctl retries an endpoint that is down until its command timeout. The member
// about to restart does not count towards the quorum that must survive its restart: with 2 of
// 3 healthy, restarting one of the two would leave 1. A cluster without a quorum yet (the first
// start) has none to lose; one too small to tolerate any failure (1 or 2 members) cannot keep it
// through any restart, and refusing would leave it unchangeable.
std::string etcd_restart_script(const EtcdAccess& access, const std::string& member_endpoint,
                                const std::string& unit) {
  std::size_t members = access.endpoints.size();
  std::size_t quorum = members / 2 + 1;
  bool tolerates_a_failure = members > quorum;
  std::string ports;
  for (const auto& endpoint : access.endpoints) {
    std::string host_port = endpoint.substr(endpoint.find("://") + 3);
    std::string host = host_port.substr(0, host_port.rfind(':'));
    std::string port = host_port.substr(host_port.rfind(':') + 1);
    // bash's /dev/tcp takes an IPv6 address bare, not in the brackets of a URL.
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    ports += fmt::format("timeout 1 bash -c '</dev/tcp/{}/{}' 2>/dev/null && open=$((open+1)); ",
                         host, port);
  }
  std::string quoted_unit = transport::shell_quote(unit);
  std::string refuse = fmt::format(
      "echo \"etcd: not restarting the member at {0}: $healthy of {1} members are healthy and it "
      "is one of them, so restarting it now would lose quorum; bring the unhealthy members back "
      "first (etcdctl endpoint health), then apply again\" >&2; exit 1",
      member_endpoint, members);
  // A leader about to restart hands its leadership to a started voting member first (etcdctl
  // move-leader), while it still runs: the cluster then never waits out an election timeout, and
  // writes stall for one leadership transfer instead (the rolling re-apply's write gap).
  EtcdAccess self = access;
  self.endpoints = {member_endpoint};
  std::string hand_over = fmt::format(
      "st=$({0} endpoint status -w json 2>/dev/null || true); "
      "id=$(printf '%s' \"$st\" | grep -o '\"member_id\":[0-9]*' | head -1 | cut -d: -f2); "
      "lead=$(printf '%s' \"$st\" | grep -o '\"leader\":[0-9]*' | head -1 | cut -d: -f2); "
      "if [ -n \"$id\" ] && [ \"$id\" = \"$lead\" ]; then "
      "to=$({1} member list 2>/dev/null | awk -F', ' -v me={2} "
      "'$2 == \"started\" && $6 == \"false\" && index($5, me) == 0 {{print $1; exit}}'); "
      "if [ -n \"$to\" ]; then {1} move-leader \"$to\" >/dev/null 2>&1 || true; fi; fi; ",
      etcdctl(self, ""), etcdctl(access, ""), transport::shell_quote(member_endpoint));
  return fmt::format(
      "open=0; {0}healthy=0; others=0; if [ $open -ge {2} ]; then "
      "health=$({1} endpoint health 2>&1 || true); "
      "healthy=$(printf '%s\\n' \"$health\" | grep -c 'is healthy' || true); "
      "others=$(printf '%s\\n' \"$health\" | grep 'is healthy' | grep -c -v -F -e {3} || true); "
      "fi; "
      "if [ \"${4}\" -ge {2} ]; then {7}systemctl restart {5}; "
      "elif [ \"$healthy\" -ge {2} ]; then {6}; "
      "else systemctl restart --no-block {5}; fi",
      ports, etcdctl(access, ""), quorum, transport::shell_quote(member_endpoint + " is healthy"),
      tolerates_a_failure ? "others" : "healthy", quoted_unit, refuse, hand_over);
}

std::string etcd_healthy_probe(const EtcdAccess& access, std::size_t members) {
  // member list columns: ID, status, name, peer URLs, client URLs, is learner.
  return fmt::format(
      "{0} endpoint health >/dev/null 2>&1 && "
      "[ \"$({1} member list 2>/dev/null | grep -c ', started, .*, false$')\" -eq {2} ]",
      etcdctl(access, ""), etcdctl(access, ""), members);
}

util::Result<std::string> add_wait_step(StepGraph& graph, const std::string& id,
                                        const std::string& host, const std::string& summary,
                                        const std::string& probe, std::chrono::seconds wait,
                                        Ids deps, const std::string& explain) {
  std::string loop = fmt::format(
      "i=0; while [ $i -lt {0} ]; do if {1}; then exit 0; fi; i=$((i+1)); sleep 1; done; "
      "echo 'not ready after {0} s: {2}' >&2; {3}exit 1",
      wait.count(), probe, summary, explain.empty() ? "" : "{ " + explain + "; } >&2; ");
  auto timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(wait * 2 + std::chrono::seconds(10));
  return add_script_step(graph, {.id = id,
                                 .host = host,
                                 .summary = summary,
                                 .probe = probe,
                                 .action = loop,
                                 .timeout = timeout,
                                 .deps = std::move(deps)});
}

}  // namespace zerospof::apply
