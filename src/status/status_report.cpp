#include "status/status_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace zerospof::status {

namespace {

std::string painted_word(Health health, const util::Style& style, int width = 0) {
  return style.by_severity(static_cast<int>(health),
                           fmt::format("{:<{}}", to_string(health), width));
}

// Padded so that what follows lines up, whether or not it is coloured.
std::string painted(Health health, const util::Style& style) {
  return painted_word(health, style, 8);
}

// Text read from the cluster (unit states, paths, names) is echoed made printable.
std::string safe(const std::string& text) { return util::printable(text, 400); }

}  // namespace

std::string report_text(const ClusterStatus& status, const util::Style& style) {
  std::string out =
      fmt::format("cluster {}: {}\n", safe(status.cluster), painted(status.health, style));
  if (status.unreachable) {
    out += "  nothing answered: no host over ssh, and the API ";
    out += status.api_error.empty() ? "did not answer\n" : "said: " + safe(status.api_error) + "\n";
    return out;
  }
  out += style.bold("components") + "\n";
  for (const auto& component : status.components)
    out += fmt::format("  {:<24} {} {}\n", component.name, painted(component.health, style),
                       safe(component.detail));
  for (const auto& member : status.etcd.members)
    out += fmt::format("    etcd on {:<17} {}\n", member.node,
                       member.answered
                           ? fmt::format("term {} index {}{}", member.raft_term, member.raft_index,
                                         member.leader ? " (leader)" : "")
                           : style.red("no answer"));
  out += style.bold("nodes") + "\n";
  for (const auto& node : status.nodes) {
    std::string units;
    for (const auto& unit : node.units) {
      std::string name = unit.unit.substr(0, unit.unit.rfind(".service"));
      if (name.rfind("zerospof-", 0) == 0) name = name.substr(9);
      units += (units.empty() ? "" : " ") +
               (unit.active == "active" ? name : style.red(name + "(" + unit.active + ")"));
    }
    std::string detail = node.problems.empty() ? units : safe(node.problems.front());
    for (std::size_t i = 1; i < node.problems.size(); ++i) detail += "; " + safe(node.problems[i]);
    if (!node.problems.empty() && !units.empty()) detail += " | " + units;
    out += fmt::format("  {:<24} {} {}{}\n", node.name, painted(node.health, style),
                       node.holds_vip ? "[VIP] " : "", detail);
  }
  if (!status.workloads.empty()) {
    out += style.bold("workloads") + "\n";
    for (const auto& workload : status.workloads)
      out += fmt::format(
          "  {:<48} {} {}\n",
          safe(fmt::format("{}/{} ({})", workload.namespace_name, workload.name, workload.kind)),
          painted(workload.health, style), safe(workload.detail));
  }
  out += style.bold("certificates") + "\n";
  if (status.expiring.empty()) {
    out +=
        fmt::format("  none expires within {:.0f} days", status.options.certificate_warning_days);
    if (status.soonest)
      out += fmt::format(" (the next: {} on {}, in {:.0f} days)", safe(status.soonest->path),
                         status.soonest->node, status.soonest->days_left);
    out += "\n";
  } else {
    for (const auto& certificate : status.expiring)
      out += fmt::format("  {:<24} {} {}\n", certificate.node,
                         certificate.days_left < 0
                             ? style.red("EXPIRED")
                             : style.yellow(fmt::format("{:.0f} days", certificate.days_left)),
                         safe(certificate.path));
  }
  return out;
}

std::string report_json(const ClusterStatus& status) {
  return to_json(status).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

nlohmann::json to_json(const ClusterStatus& status) {
  using nlohmann::json;
  json out{{"cluster", status.cluster},
           {"health", to_string(status.health)},
           {"unreachable", status.unreachable},
           {"api_error", status.api_error}};
  out["components"] = json::array();
  for (const auto& component : status.components)
    out["components"].push_back({{"name", component.name},
                                 {"health", to_string(component.health)},
                                 {"tolerates", component.tolerates},
                                 {"detail", component.detail}});
  json members = json::array();
  for (const auto& member : status.etcd.members)
    members.push_back({{"node", member.node},
                       {"answered", member.answered},
                       {"leader", member.leader},
                       {"raft_term", member.raft_term},
                       {"raft_index", member.raft_index},
                       {"revision", member.revision},
                       {"database_bytes", member.database_bytes},
                       {"errors", member.errors}});
  out["etcd"] = {{"leader", status.etcd.leader},
                 {"members", members},
                 {"listed", status.etcd.listed},
                 {"alarms", status.etcd.alarms}};
  out["nodes"] = json::array();
  for (const auto& node : status.nodes) {
    json units = json::array();
    for (const auto& unit : node.units)
      units.push_back({{"unit", unit.unit}, {"active", unit.active}, {"restarts", unit.restarts}});
    out["nodes"].push_back({{"name", node.name},
                            {"health", to_string(node.health)},
                            {"reachable", node.reachable},
                            {"kubernetes_ready", node.kubernetes_ready},
                            {"holds_vip", node.holds_vip},
                            {"units", units},
                            {"problems", node.problems}});
  }
  out["workloads"] = json::array();
  for (const auto& workload : status.workloads)
    out["workloads"].push_back({{"kind", workload.kind},
                                {"namespace", workload.namespace_name},
                                {"name", workload.name},
                                {"desired", workload.desired},
                                {"ready", workload.ready},
                                {"ready_on", workload.ready_on},
                                {"health", to_string(workload.health)},
                                {"tolerates", workload.tolerates}});
  out["stuck_attachments"] = json::array();
  for (const auto& attachment : status.stuck_attachments)
    out["stuck_attachments"].push_back({{"name", attachment.name},
                                        {"node", attachment.node},
                                        {"attacher", attachment.attacher},
                                        {"persistent_volume", attachment.persistent_volume},
                                        {"claim", attachment.claim}});
  out["leases"] = json::array();
  for (const auto& lease : status.leases)
    out["leases"].push_back(
        {{"namespace", lease.namespace_name},
         {"name", lease.name},
         {"holder", lease.holder},
         {"renewed_seconds_ago",
          lease.renewed_seconds_ago ? json(*lease.renewed_seconds_ago) : json(nullptr)},
         {"duration_seconds", lease.duration_seconds},
         {"stale", lease.stale}});
  auto certificate = [](const CertificateStatus& entry) {
    return json{{"node", entry.node}, {"path", entry.path}, {"days_left", entry.days_left}};
  };
  json expiring = json::array();
  for (const auto& entry : status.expiring) expiring.push_back(certificate(entry));
  out["certificates"] = {
      {"warning_days", status.options.certificate_warning_days},
      {"expiring", expiring},
      {"soonest", status.soonest ? certificate(*status.soonest) : json(nullptr)}};
  // Text from hosts may not be UTF-8: replaced, never a throw.
  return out;
}

}  // namespace zerospof::status
