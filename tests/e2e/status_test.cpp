// End-to-end tests of `zerospof status` on a lab cluster made by apply: each fault the issue
// names (an etcd member stopped, the scheduler's lease holder frozen, CoreDNS scaled to one, a
// worker crashed) is made on the real cluster and read back from status's JSON. Needs root and
// the binary cache; skipped otherwise.
#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "e2e/lab_cluster.h"

namespace zerospof {
namespace {

using namespace e2e;
using nlohmann::json;

class StatusTest : public LabClusterTest {
 protected:
  void SetUp() override {
    LabClusterTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    apply_whole_cluster();
  }

  struct Status {
    int exit_code = -1;
    json report;
  };

  // `zerospof VERB PLAN -o json` (status or audit): its exit code and report.
  Status json_of(const std::string& verb, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{ZEROSPOF_BINARY, verb, plan(), "--apply-state-dir",
                                  dir_ + "/state", "-o", "json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto result = run(argv, seconds(120));
    EXPECT_EQ(testing::key_material(result.out + result.err), std::vector<std::string>{});
    Status got{.exit_code = result.exit_code, .report = json::parse(result.out, nullptr, false)};
    EXPECT_TRUE(got.report.is_object()) << result.out << result.err;
    return got;
  }
  Status status() { return json_of("status"); }
  Status audit() { return json_of("audit"); }
  Status audit_against_render() { return json_of("audit", {"--render-dir", dir_ + "/render"}); }

  // The drift entries whose text starts with `what`.
  static json drifts_of(const Status& audited, const std::string& what) {
    json found = json::array();
    // value(), not [], on these const reports: a missing key fails the test instead of aborting
    // the test program (and its teardown with it).
    for (const auto& entry :
         audited.report.value("audit", json::object()).value("drift", json::array()))
      if (entry.value("what", "").rfind(what, 0) == 0) found.push_back(entry);
    return found;
  }

  // A failed expectation's context in a few lines: whatever is not healthy, and every point of
  // failure, drift and note. A whole report runs to hundreds of lines, and CI keeps only the end
  // of a failed test's output.
  static std::string brief(const Status& got) {
    const json& live = got.report.contains("audit")
                           ? got.report["audit"].value("now", json::object())
                           : got.report;
    std::string out = "exit " + std::to_string(got.exit_code) + "\n";
    for (const char* list : {"components", "nodes", "workloads"})
      for (const auto& entry : live.value(list, json::array()))
        if (entry.value("health", "") != "healthy")
          out += std::string(list) + ": " + entry.dump() + "\n";
    for (const auto& point : got.report.value("pointsOfFailure", json::array()))
      out += "point of failure: " + point.dump() + "\n";
    const json audited = got.report.value("audit", json::object());
    for (const auto& entry : audited.value("drift", json::array()))
      out += "drift: " + entry.value("what", "") + "\n";
    for (const auto& note : audited.value("notes", json::array()))
      out += "note: " + note.dump() + "\n";
    return out;
  }

  static json find(const json& list, const std::string& key, const std::string& value) {
    for (const auto& entry : list)
      if (entry.value(key, "") == value) return entry;
    return json::object();
  }

  // Polls status until `holds` (bounded: about `limit` seconds); the last status either way.
  Status eventually(const std::function<bool(const Status&)>& holds, int limit) {
    auto deadline = std::chrono::steady_clock::now() + seconds(limit);
    Status got = status();
    while (!holds(got) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(seconds(1));
      got = status();
    }
    return got;
  }

  std::string component_health(const Status& got, const std::string& name) {
    return find(got.report["components"], "name", name).value("health", "");
  }
};

TEST_F(StatusTest, HealthyThenEachFaultIsSeenAndSaidInChecksWords) {
  // Healthy: exit 0, every component healthy, CoreDNS 3/3 on three nodes.
  Status healthy = eventually([](const Status& got) { return got.exit_code == 0; }, 60);
  ASSERT_EQ(healthy.exit_code, 0) << brief(healthy);
  for (auto& component : healthy.report["components"])
    EXPECT_EQ(component["health"], "healthy") << component.dump();
  json coredns = find(healthy.report["workloads"], "name", "coredns");
  EXPECT_EQ(coredns["ready"], 3);
  EXPECT_EQ(coredns["ready_on"].size(), 3u);
  EXPECT_EQ(coredns["tolerates"], 2);
  EXPECT_EQ(healthy.report["certificates"]["expiring"].size(), 0u);

  // A hand edit of an etcd member's unit file is drift from the rendered bundle that changes
  // etcd's verdict (if etcd cannot start with it, one more failure loses quorum); put back, none.
  const std::string edited = kEtcdHosts[1];
  const std::string unit = "/etc/systemd/system/zerospof-etcd.service";
  ASSERT_EQ(
      ssh(edited, "cp -p " + unit + " /root/etcd.unit.saved && echo '# edited by hand' >> " + unit)
          .exit_code,
      0);
  Status with_edit = audit_against_render();
  ASSERT_EQ(ssh(edited, "mv /root/etcd.unit.saved " + unit).exit_code, 0);
  json unit_drift = drifts_of(with_edit, edited + ":" + unit);
  ASSERT_EQ(unit_drift.size(), 1u) << with_edit.report["audit"]["drift"].dump(2);
  EXPECT_TRUE(unit_drift[0]["changesVerdict"].get<bool>()) << unit_drift[0].dump();
  EXPECT_NE(unit_drift[0]["verdict"].get<std::string>().find("if etcd on " + edited +
                                                             " cannot start with it"),
            std::string::npos)
      << unit_drift[0].dump();
  // Healthy again first: a node NotReady is a service down, not drift. Said, not hidden, when it
  // happens. Nodes were NotReady here after the drills' re-applies until kwok's lease was made
  // shorter than the node grace period (render/context.h, kwok_lease_seconds).
  if (Status unsettled = status(); unsettled.exit_code != 0) {
    std::cerr << "status test: not healthy before the audit, waiting (at most 90 s): "
              << brief(unsettled);
    eventually([](const Status& got) { return got.exit_code == 0; }, 90);
  }
  Status put_back = audit_against_render();
  EXPECT_EQ(put_back.exit_code, 0) << brief(put_back);
  EXPECT_EQ(drifts_of(put_back, edited + ":").size(), 0u) << brief(put_back);

  // etcd stopped on one member: 2 of 3 healthy, quorum kept, tolerates 0.
  const std::string member = kEtcdHosts[2];
  ASSERT_EQ(ssh(member, "systemctl stop zerospof-etcd").exit_code, 0);
  Status etcd_down = eventually(
      [&](const Status& got) { return component_health(got, "etcd") == "degraded"; }, 30);
  json etcd = find(etcd_down.report["components"], "name", "etcd");
  EXPECT_EQ(etcd["health"], "degraded") << etcd.dump();
  EXPECT_EQ(etcd["tolerates"], 0);
  EXPECT_NE(etcd["detail"].get<std::string>().find("2/3 members healthy"), std::string::npos);
  EXPECT_NE(etcd["detail"].get<std::string>().find("quorum kept"), std::string::npos);
  EXPECT_EQ(etcd_down.exit_code, 1);
  json member_node = find(etcd_down.report["nodes"], "name", member);
  EXPECT_EQ(member_node["health"], "degraded");
  ASSERT_EQ(ssh(member, "systemctl start zerospof-etcd").exit_code, 0);
  EXPECT_EQ(
      component_health(
          eventually([&](const Status& got) { return component_health(got, "etcd") == "healthy"; },
                     60),
          "etcd"),
      "healthy");

  // The scheduler's lease holder frozen (SIGSTOP) with no other candidate running: the lease is
  // shown stale, held by the frozen one.
  std::string holder =
      find(status().report["leases"], "name", "kube-scheduler").value("holder", "");
  std::string holder_node = holder.substr(0, holder.find('_'));
  ASSERT_EQ(std::count(kEtcdHosts.begin(), kEtcdHosts.end(), holder_node), 1) << holder;
  for (const auto& host : kEtcdHosts) {
    if (host != holder_node) {
      ASSERT_EQ(ssh(host, "systemctl stop zerospof-kube-scheduler").exit_code, 0);
    }
  }
  ASSERT_EQ(ssh(holder_node, "systemctl kill -s SIGSTOP zerospof-kube-scheduler").exit_code, 0);
  Status frozen = eventually(
      [](const Status& got) {
        return find(got.report["leases"], "name", "kube-scheduler").value("stale", false);
      },
      30);
  json lease = find(frozen.report["leases"], "name", "kube-scheduler");
  EXPECT_TRUE(lease.value("stale", false)) << lease.dump();
  EXPECT_EQ(lease["holder"], holder);
  EXPECT_GT(lease["renewed_seconds_ago"].get<double>(), lease["duration_seconds"].get<double>());
  EXPECT_EQ(component_health(frozen, "kube-scheduler"), "down");
  ASSERT_EQ(ssh(holder_node, "systemctl kill -s SIGCONT zerospof-kube-scheduler").exit_code, 0);
  for (const auto& host : kEtcdHosts) {
    if (host != holder_node) {
      ASSERT_EQ(ssh(host, "systemctl start zerospof-kube-scheduler").exit_code, 0);
    }
  }

  // CoreDNS scaled to one by hand: one ready replica on one node, tolerates 0.
  ASSERT_EQ(kubectl("-n kube-system scale deployment coredns --replicas=1").exit_code, 0);
  Status scaled = eventually(
      [](const Status& got) {
        return find(got.report["workloads"], "name", "coredns")["ready"] == 1;
      },
      60);
  coredns = find(scaled.report["workloads"], "name", "coredns");
  EXPECT_EQ(coredns["desired"], 1);
  EXPECT_EQ(coredns["ready_on"].size(), 1u);
  EXPECT_EQ(coredns["tolerates"], 0);
  // audit names it a single point of failure on that node, and the drift from the plan as one
  // that changes a verdict.
  const std::string coredns_node = coredns["ready_on"].begin().key();
  Status audited = audit();
  EXPECT_EQ(audited.exit_code, 1) << brief(audited);
  json point = find(audited.report["pointsOfFailure"], "service", "deployment/kube-system/coredns");
  EXPECT_EQ(point.value("scenario", ""), "node " + coredns_node + " down") << point.dump();
  json drift = json::array();
  for (auto& entry : audited.report["audit"]["drift"])
    if (entry.value("what", "").find("coredns: the plan runs 3 replicas, the cluster 1") !=
        std::string::npos)
      drift.push_back(entry);
  ASSERT_EQ(drift.size(), 1u) << audited.report["audit"]["drift"].dump(2);
  EXPECT_TRUE(drift[0]["changesVerdict"].get<bool>());

  // A volume attached to the worker about to crash (a CSI attachment made by hand: no CSI driver
  // runs in the lab, so nothing detaches it): on a Ready node it is no problem.
  const std::string attachment = R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-e2e-data}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  claimRef: {namespace: default, name: data-e2e}
  csi: {driver: driver.longhorn.io, volumeHandle: pv-e2e-data}
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttachment
metadata: {name: csi-e2e-data}
spec:
  attacher: driver.longhorn.io
  nodeName: blackboar
  source: {persistentVolumeName: pv-e2e-data}
)";
  ASSERT_EQ(kubectl("apply -f - <<'EOF'\n" + attachment + "EOF").exit_code, 0);
  auto attached = kubectl(
      "patch volumeattachment csi-e2e-data --subresource=status --type=merge "
      "-p '{\"status\":{\"attached\":true}}'");
  ASSERT_EQ(attached.exit_code, 0) << attached.err;
  Status with_volume = eventually(
      [](const Status& got) {
        return find(got.report["components"], "name", "volume attachments").value("detail", "") ==
               "1 attached, every one on a Ready node";
      },
      30);
  EXPECT_EQ(component_health(with_volume, "volume attachments"), "healthy")
      << with_volume.report["components"].dump(2);

  // A worker crashes: status says it is down within the node grace period (8 s with fast) and
  // a margin for status's own round.
  ASSERT_EQ(lab({"kill", "blackboar"}).exit_code, 0);
  auto crashed = std::chrono::steady_clock::now();
  Status worker_down = eventually(
      [](const Status& got) {
        return find(got.report["nodes"], "name", "blackboar").value("health", "") == "down";
      },
      60);
  double seen_after =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - crashed).count();
  json worker = find(worker_down.report["nodes"], "name", "blackboar");
  EXPECT_EQ(worker["health"], "down") << worker.dump();
  EXPECT_FALSE(worker["reachable"].get<bool>());
  EXPECT_LT(seen_after, 8 + 15) << "status said the worker was down only after " << seen_after
                                << " s";
  EXPECT_EQ(worker_down.exit_code, 1);
  // The volume is stuck there: its pod could not start elsewhere.
  ASSERT_EQ(worker_down.report["stuck_attachments"].size(), 1u) << brief(worker_down);
  EXPECT_EQ(worker_down.report["stuck_attachments"][0]["claim"], "default/data-e2e");
  EXPECT_EQ(worker_down.report["stuck_attachments"][0]["node"], "blackboar");
  EXPECT_EQ(component_health(worker_down, "volume attachments"), "degraded");
  // audit counts the crashed worker as down in every scenario, and names what lost redundancy
  // with it: calico-node's pod there is no longer ready (a DaemonSet's pod never moves).
  auto calico_now = [](const Status& got) {
    json entry =
        find(got.report["audit"]["tolerances"], "service", "daemonset/kube-system/calico-node");
    return entry.value("now", "");
  };
  Status audited_down = audit();
  for (int i = 0; i < 30 && calico_now(audited_down).find("blackboar") != std::string::npos; ++i) {
    std::this_thread::sleep_for(seconds(1));
    audited_down = audit();
  }
  EXPECT_EQ(calico_now(audited_down).find("blackboar"), std::string::npos)
      << calico_now(audited_down);
  EXPECT_NE(calico_now(audited_down).find("4/5 ready"), std::string::npos)
      << calico_now(audited_down);
  bool noted = false;
  for (auto& note : audited_down.report["audit"]["notes"])
    noted |= note.is_string() && note.get<std::string>().rfind("blackboar is down now", 0) == 0;
  EXPECT_TRUE(noted) << audited_down.report["audit"]["notes"].dump(2);
}

}  // namespace
}  // namespace zerospof
