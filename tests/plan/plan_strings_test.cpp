// Issue 11, items 1-5: every free-form plan string is checked for where it ends up, and a value
// that could become code (a newline in a unit, a quote in a manifest) is an InvalidInput error
// at the value's file:line:col.
#include "plan/plan_strings.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "plan/plan.h"
#include "support/test_plans.h"

namespace zerospof::plan {
namespace {

using testing::addressed_plan;
using testing::replace_once;

struct HostilePlan {
  const char* name;
  std::string from;
  std::string to;
  std::string needle;  // the error must point at the line holding it
};

void PrintTo(const HostilePlan& plan, std::ostream* out) { *out << plan.name; }

int line_of(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

class PlanStringsTest : public ::testing::TestWithParam<HostilePlan> {};

TEST_P(PlanStringsTest, IsAnInvalidInputErrorAtTheValue) {
  const HostilePlan& param = GetParam();
  std::string text = replace_once(addressed_plan(), param.from, param.to);
  auto cluster = load_from_string(text, "plan.yaml");
  ASSERT_FALSE(cluster.has_value()) << "the plan loaded";
  EXPECT_EQ(cluster.error().code, util::ErrorCode::kInvalidInput);
  EXPECT_EQ(cluster.error().where.file, "plan.yaml");
  EXPECT_EQ(cluster.error().where.line, line_of(text, param.needle))
      << util::format_error(cluster.error());
  EXPECT_GT(cluster.error().where.column, 0);
  EXPECT_FALSE(cluster.error().hint.empty());
}

const std::string kNode = "    - name: blackboar\n";
const std::string kHost = "      host: blackboar.bolabaden.org\n";

INSTANTIATE_TEST_SUITE_P(
    Issue11, PlanStringsTest,
    ::testing::Values(
        HostilePlan{"ZoneWithNewlineAddsAUnitLine", kHost,
                    kHost + "      zone: \"a\\nExecStartPre=/bin/sh -c id\"\n", "zone:"},
        HostilePlan{"ZoneWithQuoteAddsAnObject", kHost,
                    kHost + "      zone: \"a\\\"\\n---\\nkind: ClusterRoleBinding\"\n", "zone:"},
        HostilePlan{"ZoneWithSpace", kHost, kHost + "      zone: \"eu west\"\n", "zone:"},
        HostilePlan{"PowerFeedWithNewline", kHost,
                    kHost + "      powerFeed: \"A\\nExecStartPre=/bin/sh -c id\"\n", "powerFeed:"},
        HostilePlan{"SshUserWithNewline", kHost,
                    kHost + "      ssh: {user: \"root\\nProxyCommand=sh\"}\n", "ssh:"},
        HostilePlan{"SshUserAsAnOption", kHost, kHost + "      ssh: {user: -oProxyCommand=sh}\n",
                    "ssh:"},
        HostilePlan{"IdentityFileWithNewline", kHost,
                    kHost + "      ssh: {identityFile: \"/k\\nx\"}\n", "ssh:"},
        HostilePlan{"IdentityFileAsAnOption", kHost,
                    kHost + "      ssh: {identityFile: -oProxyCommand=sh}\n", "ssh:"},
        HostilePlan{"IdentityFileWithSshToken", kHost,
                    kHost + "      ssh: {identityFile: /keys/%u}\n", "ssh:"},
        HostilePlan{"HostWithNulAfterAnAddress", kHost, "      host: \"198.18.9.1\\0;id\"\n",
                    "198.18.9.1"},
        HostilePlan{"NodeNamedOperator", kNode, "    - name: operator\n", "name: operator"},
        HostilePlan{"NodeNameOver52Characters", kNode, "    - name: " + std::string(53, 'n') + "\n",
                    std::string(53, 'n')},
        HostilePlan{"ClusterNameOver40Characters", "  name: bolabaden\n",
                    "  name: " + std::string(41, 'c') + "\n", std::string(41, 'c')},
        HostilePlan{"NodeNameOfTenKilobytes", kNode,
                    "    - name: " + std::string(10000, 'n') + "\n", std::string(10000, 'n')},
        HostilePlan{"RouteReflectorWithNewline", "peering: full-mesh",
                    "peering: route-reflectors\n      routeReflectors: [\"a\\nb\"]",
                    "routeReflectors"}),
    [](const ::testing::TestParamInfo<HostilePlan>& info) { return info.param.name; });

TEST(PlanStringsTest, LongestNamesThatFitACertificateAreAccepted) {
  std::string text =
      replace_once(addressed_plan(), kNode, "    - name: " + std::string(52, 'n') + "\n");
  text = replace_once(text, "  name: bolabaden\n", "  name: " + std::string(40, 'c') + "\n");
  EXPECT_TRUE(load_from_string(text, "plan.yaml").has_value());
}

TEST(PlanStringsTest, EveryStringFieldOfANodeIsListed) {
  model::Cluster cluster = testing::load_plan(addressed_plan());
  std::vector<std::string> paths;
  for (const PlanString& string : plan_strings(cluster)) paths.push_back(string.path);
  for (const char* field : {"name", "host", "zone", "powerFeed", "ssh.user"})
    EXPECT_NE(std::find(paths.begin(), paths.end(), std::string("spec.nodes[4].") + field),
              paths.end())
        << field;
  EXPECT_EQ(paths.front(), "metadata.name");
}

TEST(PlanStringsTest, InterfaceNames) {
  EXPECT_FALSE(check_place("eth0", Place::kInterfaceName));
  EXPECT_FALSE(check_place("enp0s31f6", Place::kInterfaceName));
  EXPECT_FALSE(check_place("bond0.100", Place::kInterfaceName));
  EXPECT_TRUE(check_place("eth0\n}\nvrrp_script x {", Place::kInterfaceName));
  EXPECT_TRUE(check_place("a-very-long-interface", Place::kInterfaceName));
  EXPECT_TRUE(check_place("", Place::kInterfaceName));
  EXPECT_TRUE(check_place("..", Place::kInterfaceName));
}

}  // namespace
}  // namespace zerospof::plan
