// lb-announcer-one-domain and bgp-peer-one-domain (src/analysis/announcement_rule.cpp), on
// MetalLB's own release manifest and samples and on Calico BGP peers.
#include "analysed.h"
#include "plan/plan.h"
#include "util/files.h"

namespace zerospof::analysis {
namespace {

using testing::findings_of;
using testing::inline_manifests;
using testing::noted;

// MetalLB's release manifest (speaker on every node) and `extra`, read as one set of manifests.
model::Manifests metallb_with(const std::string& extra, const std::string& sample = "") {
  std::vector<std::string> files = {ZEROSPOF_SOURCE_DIR
                                    "/tests/analysis/testdata/metallb/metallb-native.yaml"};
  if (!sample.empty())
    files.push_back(ZEROSPOF_SOURCE_DIR "/tests/analysis/testdata/metallb/" + sample);
  auto loaded = plan::load_manifests(files);
  EXPECT_TRUE(loaded) << util::format_error(loaded.error());
  model::Manifests manifests = loaded ? *loaded : model::Manifests{};
  if (!extra.empty()) {
    model::Manifests more = inline_manifests(extra);
    for (auto& workload : more.workloads) manifests.workloads.push_back(workload);
    for (auto& announcement : more.announcements) manifests.announcements.push_back(announcement);
  }
  return manifests;
}

std::string l2_advertisement(const std::string& selectors) {
  return "apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: lan, "
         "namespace: metallb-system}\nspec:\n  ipAddressPools: [office]\n" +
         selectors;
}

TEST(AnnouncementRuleTest, AnL2AdvertisementFromOneNodeFires) {
  const Report report = testing::analysed(metallb_with(l2_advertisement(
      "  nodeSelectors:\n    - matchLabels: {kubernetes.io/hostname: cloudserver3}\n")));
  const auto found = findings_of(report, "lb-announcer-one-domain");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].object, "l2advertisement/metallb-system/lan");
  EXPECT_NE(found[0].reason.find("the addresses of pool office may be announced (ARP/NDP) only "
                                 "from node cloudserver3"),
            std::string::npos)
      << found[0].reason;
  EXPECT_EQ(found[0].where.line, 1);
}

TEST(AnnouncementRuleTest, AdvertisementsFromTwoNodesAndUpstreamsPeerStayQuiet) {
  // Upstream's sample advertises from two named nodes; with our nodes' names, as a user would.
  const Report two = testing::analysed(metallb_with(
      "apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: adv, namespace: "
      "metallb-system}\nspec:\n  nodeSelectors:\n    - matchLabels: {kubernetes.io/hostname: "
      "cloudserver3}\n    - matchLabels: {kubernetes.io/hostname: blackboar}\n"));
  EXPECT_TRUE(findings_of(two, "lb-announcer-one-domain").empty());
  // Upstream's simple peer has no selector: every node that runs the speaker peers.
  const Report peer = testing::analysed(metallb_with("", "bgppeer_simple.yaml"));
  EXPECT_TRUE(findings_of(peer, "bgp-peer-one-domain").empty());
  EXPECT_TRUE(findings_of(peer, "lb-announcer-one-domain").empty());
}

TEST(AnnouncementRuleTest, UpstreamSamplesNamingNodesThePlanLacksAreNotedNotJudged) {
  for (const char* sample :
       {"l2adv_with_node_selector.yaml", "bgpadvertisement_with_node_selector.yaml"}) {
    const Report report = testing::analysed(metallb_with("", sample));
    EXPECT_TRUE(findings_of(report, "lb-announcer-one-domain").empty()) << sample;
    EXPECT_TRUE(noted(report, "selects no node of the plan by the labels zerospof gives nodes"))
        << sample;
  }
}

TEST(AnnouncementRuleTest, ASpeakerOnOneNodeMakesEveryAdvertisementOneNodes) {
  // A speaker of our own, pinned to one node, replacing upstream's.
  const Report report = testing::analysed(inline_manifests(R"(
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: speaker, namespace: metallb-system}
spec:
  selector: {matchLabels: {app: metallb, component: speaker}}
  template:
    metadata: {labels: {app: metallb, component: speaker}}
    spec:
      nodeSelector: {kubernetes.io/hostname: blackboar}
      containers: [{name: speaker}]
---
)" + l2_advertisement("")));
  const auto found = findings_of(report, "lb-announcer-one-domain");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].reason.find("only from node blackboar"), std::string::npos) << found[0].reason;
}

TEST(AnnouncementRuleTest, AnAdvertisementWithinOneZoneFires) {
  const model::Cluster zoned =
      zerospof::testing::PlanBuilder().zones({"a", "a", "b", "c", "c"}).build();
  Options options;
  const std::string zone_c =
      "  nodeSelectors:\n    - matchLabels: {topology.kubernetes.io/zone: c}\n";
  const Report one_zone = analyse(zoned, metallb_with(l2_advertisement(zone_c)), options);
  const auto found = findings_of(one_zone, "lb-announcer-one-domain");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].reason.find("only from the 2 nodes of zone c"), std::string::npos)
      << found[0].reason;
  const std::string zones_b_and_c =
      "  nodeSelectors:\n    - matchExpressions:\n        - {key: topology.kubernetes.io/zone, "
      "operator: In, values: [b, c]}\n";
  const Report two_zones = analyse(zoned, metallb_with(l2_advertisement(zones_b_and_c)), options);
  EXPECT_TRUE(findings_of(two_zones, "lb-announcer-one-domain").empty());
}

TEST(AnnouncementRuleTest, CalicoPeersOfOneNodeFireAndGlobalOnesDoNot) {
  const std::string peer =
      "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: "
      "tor}\nspec:\n  peerIP: 198.18.0.1\n  asNumber: 64513\n";
  const Report one = testing::analysed(inline_manifests(peer + "  node: cloudserver1\n"));
  const auto found = findings_of(one, "bgp-peer-one-domain");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].object, "bgppeer/default/tor");
  EXPECT_NE(found[0].reason.find("held only from node cloudserver1"), std::string::npos)
      << found[0].reason;
  EXPECT_NE(found[0].reason.find("the pod and Service routes Calico advertises"),
            std::string::npos);

  const Report global = testing::analysed(inline_manifests(peer));
  EXPECT_TRUE(findings_of(global, "bgp-peer-one-domain").empty());

  const Report expression =
      testing::analysed(inline_manifests(peer + "  nodeSelector: rack == 'a'\n"));
  EXPECT_TRUE(findings_of(expression, "bgp-peer-one-domain").empty());
  EXPECT_TRUE(noted(expression, "Calico's nodeSelector expression is not read"));
}

}  // namespace
}  // namespace zerospof::analysis
