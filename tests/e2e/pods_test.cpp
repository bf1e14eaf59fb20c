// Real pods on the lab (apply --lab --real-pods): real kubelets, containerd and runc on every lab
// host, CoreDNS answering from its pods, a Service reaching pods of other nodes over the lab's
// pod network, a NodePort on every node, and a restart of containerd that leaves the pods
// running. Every image is the lab's own, built from source (lab/binaries/build.sh); nothing is
// pulled. Needs root and the binary cache; skipped otherwise (lab_cluster.h).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "drill/etcd_probe.h"
#include "drill/judge.h"
#include "history/linearizability.h"
#include "lab_cluster.h"
#include "observe/http.h"

namespace zerospof::e2e {
namespace {

using std::chrono::milliseconds;

// host -> address, as `lab up` numbers the built-in plan's hosts.
std::string address_of(const std::string& host) {
  auto at = std::find(kAllHosts.begin(), kAllHosts.end(), host);
  return fmt::format("198.18.0.{}", 10 + (at - kAllHosts.begin()));
}

// agnhost's HTTP echo server as a container of a pod spec indented by `indent`: the lab's own
// image (imagePullPolicy: Never: nothing is pulled), Ready once it answers.
std::string netexec_container(int indent) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  return fmt::format(
      "{0}- name: netexec\n"
      "{0}  image: {1}\n"
      "{0}  imagePullPolicy: Never\n"
      "{0}  args: [netexec, --http-port=8080]\n"
      "{0}  readinessProbe: {{httpGet: {{path: /healthz, port: 8080}}, periodSeconds: 1}}\n",
      pad, model::pinned::kAgnhostImage);
}

// Two echo servers (agnhost netexec) on two worker nodes behind a ClusterIP Service, and a client
// (netexec too: its /dial asks a Service by name from inside a pod) on a third node, reachable
// from this machine through a NodePort on every node.
std::string workload_manifest() {
  return fmt::format(R"(apiVersion: apps/v1
kind: Deployment
metadata: {{name: echo, namespace: default}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: echo}}}}
  template:
    metadata: {{labels: {{app: echo}}}}
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions: [{{key: kubernetes.io/hostname, operator: In, values: [cloudserver3, blackboar]}}]
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - {{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{app: echo}}}}}}
      containers:
{echo_container}---
apiVersion: v1
kind: Service
metadata: {{name: echo, namespace: default}}
spec:
  selector: {{app: echo}}
  ports: [{{port: 8080, targetPort: 8080}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: client, namespace: default, labels: {{app: client}}}}
spec:
  nodeSelector: {{kubernetes.io/hostname: cloudserver1}}
  containers:
{client_container}---
apiVersion: v1
kind: Service
metadata: {{name: client, namespace: default}}
spec:
  type: NodePort
  selector: {{app: client}}
  ports: [{{port: 8080, targetPort: 8080, nodePort: 30080}}]
)",
                     fmt::arg("echo_container", netexec_container(8)),
                     fmt::arg("client_container", netexec_container(4)));
}

// A 3-member etcd as a StatefulSet, one member per node on the node's own disk (hostPath: a
// member's data stays with its node, as on local volumes), its client port behind a NodePort on
// every node.
std::string key_value_manifest() {
  const std::string peer = "$(POD_NAME).kv.default.svc.cluster.local";
  std::string cluster;
  for (int member = 0; member < 3; ++member)
    cluster += fmt::format("{}kv-{}=http://kv-{}.kv.default.svc.cluster.local:2380",
                           member ? "," : "", member, member);
  return fmt::format(R"(apiVersion: v1
kind: Service
metadata: {{name: kv, namespace: default}}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {{app: kv}}
  ports: [{{name: peer, port: 2380}}]
---
apiVersion: v1
kind: Service
metadata: {{name: kv-client, namespace: default}}
spec:
  type: NodePort
  selector: {{app: kv}}
  ports: [{{port: 2379, targetPort: 2379, nodePort: 30079}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: kv, namespace: default}}
spec:
  serviceName: kv
  replicas: 3
  podManagementPolicy: Parallel
  selector: {{matchLabels: {{app: kv}}}}
  template:
    metadata: {{labels: {{app: kv}}}}
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions: [{{key: kubernetes.io/hostname, operator: In, values: [cloudserver2, cloudserver3, blackboar]}}]
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - {{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{app: kv}}}}}}
      containers:
        - name: etcd
          image: {image}
          imagePullPolicy: Never
          env: [{{name: POD_NAME, valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}}}]
          args:
            - --name=$(POD_NAME)
            - --data-dir=/var/lib/etcd/data
            - --listen-peer-urls=http://0.0.0.0:2380
            - --listen-client-urls=http://0.0.0.0:2379
            - --initial-advertise-peer-urls=http://{peer}:2380
            - --advertise-client-urls=http://{peer}:2379
            - --initial-cluster={cluster}
            - --initial-cluster-state=new
          readinessProbe: {{httpGet: {{path: /health, port: 2379}}, periodSeconds: 2}}
          volumeMounts: [{{name: data, mountPath: /var/lib/etcd}}]
      volumes:
        - name: data
          hostPath: {{path: /var/lib/zerospof-e2e-kv, type: DirectoryOrCreate}}
)",
                     fmt::arg("image", model::pinned::kEtcdImage), fmt::arg("peer", peer),
                     fmt::arg("cluster", cluster));
}

class RealPodsTest : public LabClusterTest {
 protected:
  void SetUp() override {
    real_pods_ = true;
    LabClusterTest::SetUp();
  }

  // The suite's tests share the lab's cluster: what one deployed is deleted after it, whatever
  // happened, so the next starts from the cluster apply made (and no workload of an earlier test
  // loads the two cores a drill measures on).
  void TearDown() override {
    for (const auto& manifest : workloads_) {
      auto deleted = kubectl("delete --ignore-not-found --wait=false -f " + manifest);
      EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
    }
    LabClusterTest::TearDown();
  }

  // Writes `text` to `file` in the test's directory and applies it; deleted by TearDown.
  util::ProcessResult deploy(const std::string& file, const std::string& text) {
    const std::string manifest = dir_ + "/" + file;
    EXPECT_TRUE(util::write_file_atomic(manifest, text, {0644, true}));
    workloads_.push_back(manifest);
    return kubectl("apply -f " + manifest);
  }

  std::vector<std::string> workloads_;

  // curl from this machine (the lab's operator address), bounded; "" when nothing answered.
  std::string http_get(const std::string& url) {
    auto result = run({"curl", "--silent", "--max-time", "5", url}, seconds(10));
    return result.exit_code == 0 ? result.out : "";
  }

  // Polls `check` every second for at most `limit`; true once it holds.
  bool eventually(const std::function<bool()>& check, seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (check()) return true;
      std::this_thread::sleep_for(seconds(1));
    }
    return check();
  }

  // "name node" per pod of `selector`, Ready ones only.
  std::vector<std::pair<std::string, std::string>> ready_pods(const std::string& selector,
                                                              const std::string& name_space) {
    auto listed = kubectl(fmt::format(
        "get pods -n {} -l {} -o jsonpath='{{range .items[*]}}{{.metadata.name}} "
        "{{.spec.nodeName}} {{.status.conditions[?(@.type==\"Ready\")].status}}{{\"\\n\"}}{{end}}'",
        name_space, selector));
    std::vector<std::pair<std::string, std::string>> pods;
    std::istringstream lines(listed.out);
    std::string name, node, ready;
    while (lines >> name >> node >> ready)
      if (ready == "True") pods.emplace_back(name, node);
    return pods;
  }
};

TEST_F(RealPodsTest, RealKubeletsRunCoreDnsAndAServiceReachesPodsOnOtherNodes) {
  apply_whole_cluster();

  // Every node is a real kubelet on containerd (kwok's nodes report kwok as their runtime), and
  // Ready; containerd reports its version without the v.
  auto nodes = kubectl(
      "get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.status.nodeInfo.kubeletVersion} "
      "{.status.nodeInfo.containerRuntimeVersion} "
      "{.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}'");
  ASSERT_EQ(nodes.exit_code, 0) << nodes.err;
  for (const auto& host : kAllHosts) {
    EXPECT_NE(nodes.out.find(fmt::format("{} {} containerd://{} True", host,
                                         model::pinned::kKubernetesVersion,
                                         model::pinned::kContainerdVersion.substr(1))),
              std::string::npos)
        << nodes.out;
  }

  // CoreDNS: 3 of 3 Ready, on 3 nodes, each a container containerd runs on that node.
  std::vector<std::pair<std::string, std::string>> dns;
  ASSERT_TRUE(eventually(
      [&] {
        return (dns = ready_pods("app.kubernetes.io/name=coredns", "kube-system")).size() == 3;
      },
      seconds(120)))
      << kubectl("get pods -A -o wide").out;
  std::set<std::string> dns_nodes;
  for (const auto& [pod, node] : dns) {
    dns_nodes.insert(node);
    auto tasks = ssh(node, "ctr --namespace k8s.io tasks ls");
    auto id = kubectl(fmt::format(
        "get pod -n kube-system {} -o jsonpath='{{.status.containerStatuses[0].containerID}}'",
        pod));
    ASSERT_EQ(id.out.rfind("containerd://", 0), 0u) << id.out;
    EXPECT_NE(tasks.out.find(id.out.substr(13) + " "), std::string::npos)
        << pod << " on " << node << ":\n"
        << tasks.out;
  }
  EXPECT_EQ(dns_nodes.size(), 3u);

  // The workload; its images are the lab's own (imagePullPolicy: Never: nothing is pulled).
  auto applied = deploy("workload.yaml", workload_manifest());
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  std::vector<std::pair<std::string, std::string>> echo;
  ASSERT_TRUE(eventually(
      [&] {
        return (echo = ready_pods("app=echo", "default")).size() == 2 &&
               ready_pods("app=client", "default").size() == 1;
      },
      seconds(120)))
      << kubectl("get pods -A -o wide").out << kubectl("describe pods -n default").out;

  // A NodePort answers on every node, whichever node its pod is on.
  for (const auto& host : kAllHosts) {
    std::string url = fmt::format("http://{}:30080/hostname", address_of(host));
    std::string answer;
    EXPECT_TRUE(eventually([&] { return (answer = http_get(url)) == "client"; }, seconds(30)))
        << url << " answered \"" << answer << "\"";
  }

  // From the client pod on cloudserver1: the Service by its DNS name (CoreDNS, from a pod),
  // reaching both echo pods on cloudserver3 and blackboar over the pod network.
  std::string dial = fmt::format(
      "http://{}:30080/dial?request=hostname&protocol=http&host=echo.default.svc.cluster.local"
      "&port=8080&tries=20",
      address_of("cloudserver1"));
  std::string answer;
  EXPECT_TRUE(eventually(
      [&] {
        answer = http_get(dial);
        return std::all_of(echo.begin(), echo.end(), [&](const auto& pod) {
          return answer.find("\"" + pod.first + "\"") != std::string::npos;
        });
      },
      seconds(30)))
      << dial << " answered " << answer;
  for (const auto& [pod, node] : echo) EXPECT_NE(node, "cloudserver1") << pod;

  // A restart of containerd (an upgrade, a crash) leaves the pods running: the same process.
  auto pid_of_client = [&] {
    auto id = kubectl("get pod client -o jsonpath='{.status.containerStatuses[0].containerID}'");
    auto tasks = ssh("cloudserver1", "ctr --namespace k8s.io tasks ls");
    std::istringstream lines(tasks.out);
    std::string task, pid, status;
    while (lines >> task >> pid >> status)
      if (id.out.size() > 13 && task == id.out.substr(13)) return pid;
    return std::string();
  };
  std::string before = pid_of_client();
  ASSERT_FALSE(before.empty());
  auto restarted = ssh("cloudserver1",
                       "systemctl restart zerospof-containerd.service && "
                       "systemctl is-active zerospof-containerd.service");
  ASSERT_EQ(restarted.exit_code, 0) << restarted.out << restarted.err;
  EXPECT_EQ(ssh("cloudserver1", fmt::format("kill -0 {}", before)).exit_code, 0)
      << "the client's process died with containerd";
  std::string after;
  EXPECT_TRUE(eventually([&] { return !(after = pid_of_client()).empty(); }, seconds(30)));
  EXPECT_EQ(after, before);
  EXPECT_EQ(http_get(fmt::format("http://{}:30080/hostname", address_of("cloudserver1"))),
            "client");
  auto restarts =
      kubectl("get pod client -o jsonpath='{.status.containerStatuses[0].restartCount}'");
  EXPECT_EQ(restarts.out, "0");
}

// A replicated workload keeps every acknowledged write across a hard crash of the node of one of
// its members and that node's return: a client outside the cluster (the drill's etcd probe,
// through NodePorts of two nodes without a member) records every operation, and the history is
// linearizable with no acknowledged write lost; the crashed member runs again on its own data.
TEST_F(RealPodsTest, AReplicatedKeyValueWorkloadKeepsEveryAcknowledgedWriteAcrossAHostCrash) {
  apply_whole_cluster();
  auto applied = deploy("kv.yaml", key_value_manifest());
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  std::vector<std::pair<std::string, std::string>> members;
  ASSERT_TRUE(eventually([&] { return (members = ready_pods("app=kv", "default")).size() == 3; },
                         seconds(180)))
      << kubectl("get pods -A -o wide").out << kubectl("logs -l app=kv --tail=20").out;

  // The workload is the test's own and speaks plain HTTP inside the lab.
  auto http = observe::CurlHttpClient::without_tls();
  const auto zero = std::chrono::steady_clock::now();
  drill::EtcdProbe probe(
      http,
      {{"cloudserver1", fmt::format("http://{}:30079", address_of("cloudserver1")), ""},
       {"micklethefickle", fmt::format("http://{}:30079", address_of("micklethefickle")), ""}},
      {.clients = 4, .key_prefix = "/e2e-kv"}, zero);
  // Ready pods are not yet a served NodePort on every node, nor a member that accepts writes
  // (seen in one run: a put through both NodePorts failed). Each attempt is recorded in
  // the history as what it was, so trying again keeps the history true.
  ASSERT_TRUE(eventually([&] { return probe.prepare(); }, seconds(60)))
      << kubectl("get pods -A -o wide").out << kubectl("logs -l app=kv --tail=20").out;
  probe.start();
  std::this_thread::sleep_for(seconds(5));
  const std::string crashed = members.front().second;  // the node of one member
  auto killed = lab({"kill", crashed});
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  std::this_thread::sleep_for(seconds(15));
  auto started = lab({"start", crashed}, seconds(180));
  ASSERT_EQ(started.exit_code, 0) << started.err;
  // The member on the crashed node runs again, on the data it had.
  EXPECT_TRUE(eventually(
      [&] {
        auto ready = ready_pods("app=kv", "default");
        return ready.size() == 3 && std::any_of(ready.begin(), ready.end(), [&](const auto& pod) {
                 return pod.second == crashed;
               });
      },
      seconds(180)))
      << kubectl("get pods -A -o wide").out;
  std::this_thread::sleep_for(seconds(5));
  probe.stop();

  auto counts = probe.write_counts();  // ok, failed, unknown, conflicting
  std::cerr << fmt::format(
      "kv writes across the crash of {}: {} ok, {} failed, {} unknown, {} "
      "conflicting\n",
      crashed, counts[0], counts[1], counts[2], counts[3]);
  EXPECT_GE(counts[0], 20u) << "too few acknowledged writes to judge";
  history::History history = probe.history();
  auto result = history::check_linearizability(history);
  EXPECT_EQ(result.verdict, history::Verdict::kLinearizable)
      << history::verdict_name(result.verdict) << " " << result.undecided_reason;
  EXPECT_EQ(drill::lost_writes(history, probe.final_values()), 0u);
  probe.cleanup();
}

// The drill where real pods run: a worker crashed while its data-plane probes ask CoreDNS and
// a Service from the other nodes and its key-value workload (a member on the crashed node) takes
// writes; the workload's acknowledged writes survive, every history is linearizable, and the
// report says the pods were real.
TEST_F(RealPodsTest, TheDrillProbesDnsAServiceAndAWorkloadAcrossAWorkerCrash) {
  apply_whole_cluster();
  const std::string json = dir_ + "/drill.json";
  auto drill = run(drill_argv({"worker-down", "--seed", "3", "--json", json}), seconds(1200));
  // 0 passed, 1 a budget failed (a stall of the two cores), 3 inconclusive: the report says.
  ASSERT_TRUE(drill.exit_code == 0 || drill.exit_code == 1 || drill.exit_code == 3)
      << drill.out << drill.err;
  auto report = nlohmann::json::parse(util::read_file(json).value_or("{}"));
  ASSERT_EQ(report["scenarios"].size(), 1u) << drill.out << drill.err;
  auto& scenario = report["scenarios"][0];
  EXPECT_EQ(scenario["target"], "cloudserver3") << drill.out;
  for (const char* lane : {"dns", "service", "workload-write", "workload-read"})
    EXPECT_TRUE(scenario["unavailableSeconds"].contains(lane)) << lane << "\n" << drill.out;
  EXPECT_EQ(scenario["acknowledgedWritesLost"], 0) << drill.out;
  EXPECT_EQ(scenario["linearizable"], true) << scenario["linearizabilityDetail"];
  EXPECT_TRUE(scenario["recoverySeconds"].is_number()) << drill.out;  // the workload ready again
  EXPECT_NE(drill.out.find("data plane: dns"), std::string::npos) << drill.out;
  EXPECT_NE(drill.out.find("note: real pods"), std::string::npos) << drill.out;
  EXPECT_EQ(drill.out.find("kwok stands in"), std::string::npos) << drill.out;
  // Its objects are gone afterwards.
  auto left = kubectl("get deployments,statefulsets,services -n default -o name");
  EXPECT_EQ(left.out.find("zerospof-drill"), std::string::npos) << left.out;
}

}  // namespace
}  // namespace zerospof::e2e
