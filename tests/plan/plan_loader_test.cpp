#include <gtest/gtest.h>

#include "plan/plan.h"
#include "support/test_plans.h"

namespace zerospof::plan {
namespace {

using testing::addressed_plan;
using testing::replace_once;

// Loads `text` expecting an error; returns it.
util::Error load_error(const std::string& text) {
  auto cluster = load_from_string(text, "plan.yaml");
  EXPECT_FALSE(cluster.has_value()) << "the plan loaded, but it should not";
  return cluster ? util::Error{} : cluster.error();
}

// The 1-based line of the first occurrence of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

TEST(PlanLoaderTest, BuiltinPlanHasTheFiveNodesOfClusterPlan) {
  model::Cluster cluster = builtin_plan();
  ASSERT_EQ(cluster.nodes.size(), 5u);
  EXPECT_EQ(cluster.nodes[0].name, "micklethefickle");
  EXPECT_EQ(cluster.nodes_with_role(model::Role::kEtcd).size(), 3u);
  EXPECT_EQ(cluster.nodes_with_role(model::Role::kControlPlane).size(), 3u);
  EXPECT_EQ(cluster.nodes_with_role(model::Role::kWorker).size(), 4u);
  EXPECT_FALSE(cluster.nodes[0].has_role(model::Role::kWorker));
  EXPECT_EQ(cluster.addons.coredns_replicas, 3);
  EXPECT_EQ(cluster.addons.ingress_replicas, 3);
  EXPECT_EQ(cluster.storage.replicas, 3);
}

TEST(PlanLoaderTest, FieldsRememberWhereTheyWereWritten) {
  std::string text = addressed_plan();
  model::Cluster cluster = testing::load_plan(text);
  util::SourceLocation where = cluster.location_of("spec.nodes[1].address");
  EXPECT_EQ(where.line, line_of(text, "198.18.7.12/24"));
  EXPECT_EQ(where.column, 16);
  ASSERT_TRUE(cluster.nodes[1].address);
  EXPECT_TRUE(cluster.nodes[1].address_prefix_given);
}

TEST(PlanLoaderTest, AddressWithoutPrefixAssumesSlash24) {
  model::Cluster cluster =
      testing::load_plan(replace_once(addressed_plan(), "198.18.7.12/24", "198.18.7.12"));
  EXPECT_EQ(cluster.nodes[1].address->prefix_length, 24);
  EXPECT_FALSE(cluster.nodes[1].address_prefix_given);
}

TEST(PlanLoaderTest, UnknownFieldSuggestsTheClosestName) {
  std::string text = replace_once(builtin_plan_yaml(), "    podSubnet:", "    podSubnett:");
  util::Error error = load_error(text);
  EXPECT_EQ(error.code, util::ErrorCode::kInvalidInput);
  EXPECT_EQ(error.where.line, line_of(text, "podSubnett"));
  EXPECT_EQ(error.where.column, 5);
  EXPECT_NE(error.message.find("unknown field 'podSubnett'"), std::string::npos);
  EXPECT_EQ(error.hint, "did you mean 'podSubnet'?");
  std::string shown = util::format_error(error);
  EXPECT_NE(shown.find("plan.yaml:" + std::to_string(error.where.line) + ":5: error:"),
            std::string::npos);
  EXPECT_NE(shown.find("    ^"), std::string::npos);
}

struct BadPlan {
  const char* name;
  const char* from;
  const char* to;
  const char* message;  // part of the error message
  const char* at;       // the error is on the line holding this text
};

class BadPlanTest : public ::testing::TestWithParam<BadPlan> {};

TEST_P(BadPlanTest, IsRejectedAtItsLine) {
  const BadPlan& bad = GetParam();
  std::string text = replace_once(addressed_plan(), bad.from, bad.to);
  util::Error error = load_error(text);
  EXPECT_EQ(error.code, util::ErrorCode::kInvalidInput);
  EXPECT_NE(error.message.find(bad.message), std::string::npos) << error.message;
  EXPECT_EQ(error.where.line, line_of(text, bad.at)) << util::format_error(error);
  EXPECT_GT(error.where.column, 0);
  EXPECT_FALSE(error.source_line.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Plans, BadPlanTest,
    ::testing::Values(
        BadPlan{"InvalidAddress", "198.18.7.12/24", "198.18.7.300/24", "not an IPv4 or IPv6",
                "198.18.7.300"},
        BadPlan{"NetworkAsAddress", "198.18.7.12/24", "198.18.7.0/24", "is a network",
                "198.18.7.0/24"},
        BadPlan{"InvalidCidr", "podSubnet: 10.244.0.0/16", "podSubnet: 10.244.0.0/33",
                "not a valid CIDR", "10.244.0.0/33"},
        BadPlan{"HostBitsInSubnet", "podSubnet: 10.244.0.0/16", "podSubnet: 10.244.1.0/16",
                "not a valid CIDR", "10.244.1.0/16"},
        BadPlan{"OverlappingSubnets", "serviceSubnet: 10.96.0.0/12",
                "serviceSubnet: 10.244.128.0/17", "overlaps podSubnet", "10.244.128.0/17"},
        BadPlan{"NodeInsidePodSubnet", "198.18.7.13/24", "10.244.9.9/24",
                "overlaps the cluster subnet", "10.244.9.9/24"},
        BadPlan{"PortOutOfRange", "port: 6443", "port: 70000", "between 1 and 65535", "70000"},
        BadPlan{"PortNotANumber", "port: 6443", "port: https", "whole number", "port: https"},
        BadPlan{"UnknownRole", "roles: [worker, storage]", "roles: [worker, stroage]",
                "unknown role 'stroage'", "stroage"},
        BadPlan{"DuplicateRole", "roles: [worker, storage]", "roles: [worker, worker]",
                "listed twice", "[worker, worker]"},
        BadPlan{"DuplicateNodeName", "name: blackboar", "name: cloudserver3", "duplicate node name",
                "cloudserver3\n      host: blackboar"},
        BadPlan{"DuplicateHost", "host: blackboar.bolabaden.org",
                "host: cloudserver3.bolabaden.org", "the same host",
                "cloudserver3.bolabaden.org\n      address: 198.18.7.15"},
        BadPlan{"DuplicateAddress", "198.18.7.15/24", "198.18.7.14/24", "the same address",
                "198.18.7.14/24\n      roles: [worker, storage]\n  kubernetes"},
        BadPlan{"VipOutsideSubnet", "address: 198.18.7.100", "address: 198.19.1.1",
                "outside the subnet", "198.19.1.1"},
        BadPlan{"VipIsANodeAddress", "address: 198.18.7.100", "address: 198.18.7.11",
                "address of node", "address: 198.18.7.11\n    port"},
        BadPlan{"VipMissing", "    address: 198.18.7.100\n", "", "needs spec.endpoint.address",
                "mode: vip"},
        BadPlan{"UnknownMode", "mode: vip", "mode: vrrp", "must be one of vip, local-proxy",
                "mode: vrrp"},
        BadPlan{"UnknownCni", "cni: calico", "cni: calco", "must be one of calico, cilium",
                "cni: calco"},
        BadPlan{"DuplicateKey", "  storage:\n", "  storage:\n    provider: longhorn\n",
                "duplicate key 'provider'", "    provider: longhorn\n    replicas"},
        BadPlan{"WrongApiVersion", "zerospof.io/v1alpha1", "zerospof.io/v2",
                "unsupported apiVersion", "zerospof.io/v2"},
        BadPlan{"ReplicasNotANumber", "replicas: 3\n    ingress", "replicas: three\n    ingress",
                "whole number", "replicas: three"},
        BadPlan{"UnknownReflector", "peering: full-mesh",
                "peering: route-reflectors\n      routeReflectors: [nowhere]",
                "not a node of the plan", "[nowhere]"},
        BadPlan{"ReflectorsWithoutNames", "peering: full-mesh", "peering: route-reflectors",
                "names no route reflector", "route-reflectors"},
        BadPlan{"InvalidNodeName", "name: blackboar", "name: Black_Boar", "invalid node name",
                "Black_Boar"},
        BadPlan{"TuningElectionBelowFiveHeartbeats", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    etcdElectionTimeout: 300ms\n",
                "at least 5 x etcdHeartbeatInterval", "etcdElectionTimeout: 300ms"},
        BadPlan{
            "TuningRenewNotBeforeLeaseEnd", "    serviceMesh: none\n",
            "    serviceMesh: none\n  tuning:\n    leaseDuration: 10s\n    renewDeadline: 10s\n",
            "must be shorter than leaseDuration", "renewDeadline: 10s"},
        BadPlan{"TuningRetryTooCloseToRenew", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    retryPeriod: 9s\n",
                "x 1.2 must be shorter than renewDeadline", "retryPeriod: 9s"},
        BadPlan{"TuningDurationWithoutUnit", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    leaseDuration: 15\n",
                "must be a duration between", "leaseDuration: 15"},
        BadPlan{"TuningOutOfRange", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    lbCheckInterval: 10ms\n",
                "between 100ms and 60s", "lbCheckInterval: 10ms"},
        BadPlan{"TuningVrrpNotCentiseconds", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    vrrpAdvertInterval: 1005ms\n",
                "multiple of 10ms", "vrrpAdvertInterval: 1005ms"},
        BadPlan{"TuningNodeGraceUnderTwoRenewals", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    nodeLeaseDuration: 60s\n",
                "at least 2 renewals of the node lease", "nodeLeaseDuration: 60s"},
        BadPlan{"TuningNodeGraceUnderTwoRenewalsWritten", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    nodeLeaseDuration: 40s\n"
                "    nodeMonitorGracePeriod: 19s\n",
                "at least 2 renewals of the node lease", "nodeMonitorGracePeriod: 19s"},
        BadPlan{"TuningNodeMonitorPeriodNotShorterThanGrace", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    nodeMonitorPeriod: 20s\n",
                "must be shorter than nodeMonitorGracePeriod", "nodeMonitorPeriod: 20s"},
        // docs/plan.md's first tighter timings, 6 s grace: an etcd leader's death made a
        // healthy node NotReady in the lab.
        BadPlan{"TuningNodeGraceWithinEtcdsRequestTimeout", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    nodeLeaseDuration: 6s\n"
                "    nodeMonitorPeriod: 1s\n    nodeMonitorGracePeriod: 6s\n",
                "must be longer than etcd's request timeout (5s + 2 x etcdElectionTimeout "
                "(500ms) = 6s) plus one renewal of the node lease (nodeLeaseDuration (6s) / 4)",
                "nodeMonitorGracePeriod: 6s"},
        BadPlan{"TuningElectionLongerThanTheNodeGraceAllows", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    etcdElectionTimeout: 5s\n",
                "must be longer than etcd's request timeout", "etcdElectionTimeout: 5s"},
        BadPlan{"TuningNodeLeaseNotWholeSeconds", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    nodeLeaseDuration: 6500ms\n",
                "multiple of 1s", "nodeLeaseDuration: 6500ms"},
        BadPlan{"TuningUnknownField", "    serviceMesh: none\n",
                "    serviceMesh: none\n  tuning:\n    leaseDurations: 15s\n",
                "unknown field 'leaseDurations'", "leaseDurations"},
        BadPlan{"NodesNotAList", "  nodes:\n", "  nodes: 5\n  unused:\n", "unknown field 'unused'",
                "unused:"}),
    [](const ::testing::TestParamInfo<BadPlan>& info) { return info.param.name; });

TEST(PlanLoaderTest, EmptyFileIsAnErrorWithAHint) {
  util::Error error = load_error("");
  EXPECT_NE(error.message.find("empty"), std::string::npos);
  EXPECT_NE(error.hint.find("zerospof init"), std::string::npos);
}

// Issue 11, item 19: `check /dev/zero` aborted with bad_alloc.
TEST(PlanLoaderTest, InputOverTenMegabytesIsRefused) {
  auto cluster = load("/dev/zero");
  ASSERT_FALSE(cluster);
  EXPECT_EQ(cluster.error().code, util::ErrorCode::kInvalidInput);
  EXPECT_NE(cluster.error().message.find("larger than 10 MB"), std::string::npos);
}

TEST(PlanLoaderTest, MissingFileIsInvalidInput) {
  auto cluster = load("/nonexistent/plan.yaml");
  ASSERT_FALSE(cluster);
  EXPECT_EQ(util::exit_code_for(cluster.error()), 2);
  EXPECT_EQ(cluster.error().where.file, "/nonexistent/plan.yaml");
}

TEST(PlanLoaderTest, LocalProxyModeNeedsNoVip) {
  std::string text = replace_once(addressed_plan(), "mode: vip", "mode: local-proxy");
  util::Error error = load_error(text);
  EXPECT_NE(error.message.find("local-proxy mode has no virtual IP"), std::string::npos);
  text = replace_once(text, "    address: 198.18.7.100\n", "");
  model::Cluster cluster = testing::load_plan(text);
  EXPECT_EQ(cluster.endpoint.mode, model::EndpointMode::kLocalProxy);
}

TEST(PlanWriterTest, WrittenPlanLoadsBackEqual) {
  std::string text =
      replace_once(addressed_plan(), "roles: [worker, storage]\n",
                   "roles: [worker, storage]\n      zone: \"true\"\n      powerFeed: pdu-2\n"
                   "      capacity: {cpu: 4, memory: 8Gi}\n");
  model::Cluster cluster = testing::load_plan(text);
  auto again = load_from_string(to_yaml(cluster), "again.yaml");
  ASSERT_TRUE(again) << util::format_error(again.error());
  EXPECT_EQ(to_yaml(*again), to_yaml(cluster));
  EXPECT_EQ(again->nodes[3].zone, "true");
  EXPECT_EQ(again->nodes[3].power_feed, "pdu-2");
  EXPECT_EQ(again->nodes[2].power_feed, "");
  EXPECT_EQ(again->nodes[3].capacity->memory_bytes, 8LL << 30);
  EXPECT_EQ(again->nodes[1].address->to_string(), "198.18.7.12/24");
}

TEST(PlanLoaderTest, TuningDefaultsAreTheDocumentedOnes) {
  // Given a plan without spec.tuning, the documented defaults (docs/plan.md) apply.
  // Given a plan without spec.tuning, the fast profile's documented values (docs/plan.md).
  model::Tuning tuning = testing::load_plan(addressed_plan()).tuning;
  EXPECT_EQ(tuning.profile, model::TuningProfile::kFast);
  EXPECT_EQ(tuning.vrrp_advert_interval_ms, 200);
  EXPECT_EQ(tuning.lb_check_interval_ms, 200);
  EXPECT_EQ(tuning.etcd_heartbeat_interval_ms, 100);
  EXPECT_EQ(tuning.etcd_election_timeout_ms, 500);
  EXPECT_EQ(tuning.lease_duration_ms, 4000);
  EXPECT_EQ(tuning.renew_deadline_ms, 3000);
  EXPECT_EQ(tuning.retry_period_ms, 500);
  EXPECT_EQ(tuning.node_lease_duration_ms, 6000);
  EXPECT_EQ(tuning.node_monitor_period_ms, 1000);
  EXPECT_EQ(tuning.node_monitor_grace_period_ms, 8000);
  EXPECT_EQ(tuning.eviction_toleration_ms, 2000);
}

TEST(PlanLoaderTest, TheKubeadmGuideProfileSetsEveryTimingAndFieldsOverrideIt) {
  // Given `profile: kubeadm-guide` and one field beside it, every other timing is the guide's.
  std::string text = replace_once(addressed_plan(), "    serviceMesh: none\n",
                                  "    serviceMesh: none\n  tuning:\n"
                                  "    profile: kubeadm-guide\n    etcdElectionTimeout: 2s\n");
  model::Tuning tuning = testing::load_plan(text).tuning;
  EXPECT_EQ(tuning.profile, model::TuningProfile::kKubeadmGuide);
  EXPECT_EQ(tuning.vrrp_advert_interval_ms, 1000);
  EXPECT_EQ(tuning.lb_check_interval_ms, 2000);
  EXPECT_EQ(tuning.etcd_election_timeout_ms, 2000);
  EXPECT_EQ(tuning.lease_duration_ms, 15000);
  EXPECT_EQ(tuning.node_lease_duration_ms, 40000);
  EXPECT_EQ(tuning.node_monitor_period_ms, 5000);
  EXPECT_EQ(tuning.eviction_toleration_ms, 300000);
  auto again = load_from_string(to_yaml(testing::load_plan(text)), "again.yaml");
  ASSERT_TRUE(again) << util::format_error(again.error());
  EXPECT_EQ(again->tuning.profile, model::TuningProfile::kKubeadmGuide);
  EXPECT_EQ(again->tuning.etcd_election_timeout_ms, 2000);
}

TEST(PlanLoaderTest, AnUnknownTuningProfileIsRefusedWhereItIsWritten) {
  std::string text = replace_once(addressed_plan(), "    serviceMesh: none\n",
                                  "    serviceMesh: none\n  tuning:\n    profile: fastest\n");
  auto loaded = load_from_string(text, "plan.yaml");
  ASSERT_FALSE(loaded);
  std::string message = util::format_error(loaded.error());
  EXPECT_NE(message.find("plan.yaml:"), std::string::npos) << message;
  EXPECT_NE(message.find("fastest"), std::string::npos) << message;
  EXPECT_NE(message.find("kubeadm-guide"), std::string::npos) << message;
}

TEST(PlanWriterTest, TuningLoadsAndWritesBackEqual) {
  // Given every tuning field set, it should load in milliseconds and survive a round trip.
  std::string text = replace_once(addressed_plan(), "    serviceMesh: none\n",
                                  "    serviceMesh: none\n  tuning:\n"
                                  "    vrrpAdvertInterval: 500ms\n    lbCheckInterval: 2s\n"
                                  "    etcdHeartbeatInterval: 50ms\n    etcdElectionTimeout: 5s\n"
                                  "    leaseDuration: 20s\n    renewDeadline: 15s\n"
                                  "    retryPeriod: 3s\n    nodeLeaseDuration: 20s\n"
                                  "    nodeMonitorPeriod: 2s\n    nodeMonitorGracePeriod: 1m\n"
                                  "    evictionToleration: 0s\n");
  model::Cluster cluster = testing::load_plan(text);
  EXPECT_EQ(cluster.tuning.vrrp_advert_interval_ms, 500);
  EXPECT_EQ(cluster.tuning.etcd_election_timeout_ms, 5000);
  EXPECT_EQ(cluster.tuning.eviction_toleration_ms, 0);
  EXPECT_TRUE(cluster.location_of("spec.tuning.retryPeriod").known());
  auto again = load_from_string(to_yaml(cluster), "again.yaml");
  ASSERT_TRUE(again) << util::format_error(again.error());
  EXPECT_EQ(to_yaml(*again), to_yaml(cluster));
  EXPECT_EQ(again->tuning.lb_check_interval_ms, 2000);
  EXPECT_EQ(again->tuning.retry_period_ms, 3000);
  EXPECT_EQ(again->tuning.node_lease_duration_ms, 20000);
  EXPECT_EQ(again->tuning.node_monitor_period_ms, 2000);
}

}  // namespace
}  // namespace zerospof::plan
