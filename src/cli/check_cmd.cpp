// `zerospof check [PLAN] [--manifests PATH]... [--failures K] [-o text|json] [--verbose]
// [--no-partitions] [--each-node]`
#include <memory>

#include "analysis/analysis.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "plan/plan.h"

namespace zerospof::cli {

namespace {

struct CheckFlags {
  std::string plan_path;
  std::vector<std::string> manifests;
  int failures = 1;
  std::string output = "text";
  bool verbose = false;
  bool no_partitions = false;
  bool each_node = false;
};

// Up to this many nodes every scenario is judged and listed on its own; past it, listing every
// ok one helps nobody, and nodes no rule tells apart are judged once per class.
constexpr std::size_t kNodesListedOneByOne = 64;
// What a large plan's report lists in detail (the counts and summaries cover every scenario):
// it bounds the report's size, which otherwise grows with scenarios times degraded workloads.
constexpr long kScenariosListed = 2000;
constexpr long kVerdictsListed = 100000;

int run_check(const CheckFlags& flags) {
  auto cluster = flags.plan_path.empty() ? util::Result<model::Cluster>(plan::builtin_plan())
                                         : plan::load(flags.plan_path);
  if (!cluster) return report_error(cluster.error());
  model::Manifests manifests;
  if (!flags.manifests.empty()) {
    auto loaded = plan::load_manifests(flags.manifests);
    if (!loaded) return report_error(loaded.error());
    manifests = std::move(*loaded);
  }
  analysis::Options options;
  options.failures = flags.failures;
  options.partitions = !flags.no_partitions;
  bool large = cluster->nodes.size() > kNodesListedOneByOne;
  options.keep_ok_scenarios = !large;
  if (!flags.verbose && large) {
    options.detail_limit = kScenariosListed;
    options.detail_verdict_limit = kVerdictsListed;
  }
  options.merge_interchangeable_nodes = large && !flags.each_node;
  analysis::Report report = analysis::analyse(*cluster, std::move(manifests), options);
  if (flags.output == "json") {
    print(analysis::format_json(report));
  } else {
    util::Style style(util::color_enabled(1));
    print(style.bold("zerospof check") + " " + cluster->source_file + " (cluster " + cluster->name +
          ", " + std::to_string(cluster->nodes.size()) + " nodes)\n\n");
    print(analysis::format_text(report, style, flags.verbose));
  }
  return report.any_down() ? 1 : 0;
}

}  // namespace

void register_check(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* command = app.add_subcommand(
      "check",
      "Analyse a plan: every failure scenario, every service, every single point of failure");
  command->add_option("plan", flags->plan_path, "Plan file (default: the built-in 5-node plan)");
  command
      ->add_option("--manifests", flags->manifests,
                   "Kubernetes manifests (file, directory, or - for standard input) whose "
                   "workloads join the analysis; "
                   "repeat the flag for several")
      // One path per flag, the flag as often as needed: taking all that follow swallowed the
      // plan of `check --manifests DIR plan.yaml` and analysed the built-in plan instead.
      ->allow_extra_args(false);
  command->add_option("--failures", flags->failures, "Analyse every set of up to K failed domains")
      ->check(CLI::Range(1, 3));
  command->add_option("-o,--output", flags->output, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_flag("-v,--verbose", flags->verbose, "List every scenario and verdict");
  command->add_flag("--no-partitions", flags->no_partitions, "Skip network bipartitions");
  command->add_flag("--each-node", flags->each_node,
                    "Judge every set of failed nodes on its own (past 64 nodes, nodes that no "
                    "rule tells apart are judged once per class by default)");
  command->callback([flags, &exit_code] { exit_code = run_check(*flags); });
}

}  // namespace zerospof::cli
