// `zerospof fetch PLAN [--binaries DIR] [--arch ARCH] [--mirror URL]`: downloads the official
// releases of the programs apply installs on real hosts, at the plan's Kubernetes version and
// the pins of versions.env, verifies each against its project's published sha256 and adds them
// to the binary cache apply reads (docs/fetch.md).
#include <fmt/format.h>

#include <memory>

#include "binaries/fetch.h"
#include "binaries/release.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "plan/plan.h"

namespace zerospof::cli {
namespace {

struct FetchFlags {
  std::string plan_file;
  std::string binary_cache;
  std::string architecture;
  std::string mirror;
};

int run_fetch(const FetchFlags& flags) {
  auto cluster = plan::load(flags.plan_file);
  if (!cluster) return report_error(cluster.error());
  std::string architecture =
      flags.architecture.empty() ? binaries::this_architecture() : flags.architecture;
  if (architecture.empty())
    return report_error(util::Error::invalid_input(
        "this machine's architecture is not one the releases are published for", {},
        "give the hosts' architecture: --arch amd64 or --arch arm64"));
  auto artifacts = binaries::release_artifacts(cluster->kubernetes.version, architecture);
  if (!artifacts) return report_error(artifacts.error());
  auto cache_dir = binaries::binary_cache_dir(*cluster, flags.binary_cache);
  if (!cache_dir) return report_error(cache_dir.error());
  const std::string& cache = *cache_dir;
  bool plain_http = flags.mirror.rfind("http://", 0) == 0;
  if (!flags.mirror.empty() && !plain_http && flags.mirror.rfind("https://", 0) != 0)
    return report_error(util::Error::invalid_input(
        fmt::format("--mirror {}: not an http:// or https:// URL", util::printable(flags.mirror)),
        {},
        "give the URL the mirror serves host/path below, e.g. https://mirror.example/releases"));
  if (plain_http)
    std::fprintf(stderr,
                 "fetch: the mirror is plain HTTP, so the digests come over it unprotected too\n");
  std::fprintf(stderr, "fetch: Kubernetes %s for linux/%s into %s (--arch, --binaries to change)\n",
               cluster->kubernetes.version.c_str(), architecture.c_str(), cache.c_str());
  binaries::CurlDownloader downloader({.allow_plain_http = plain_http});
  auto fetched =
      binaries::fetch_release(*artifacts, cache, downloader,
                              {.mirror = flags.mirror, .progress = [](const std::string& line) {
                                 std::fprintf(stderr, "fetch: %s\n", line.c_str());
                               }});
  if (!fetched) return report_error(fetched.error());
  for (const auto& binary : *fetched)
    print(fmt::format("{:<26} {:<10} {}\n", binary.name, binary.version, binary.sha256));
  return 0;
}

}  // namespace

void register_fetch(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<FetchFlags>();
  CLI::App* command = app.add_subcommand(
      "fetch",
      "Download the pinned official releases apply installs on real hosts, verified by sha256");
  command->add_option("plan", flags->plan_file, "the plan file")->required();
  command->add_option("--binaries", flags->binary_cache,
                      "binary cache to fill (default /var/cache/zerospof/binaries/VERSION)");
  command->add_option("--arch", flags->architecture,
                      "the hosts' architecture, amd64 or arm64 (default: this machine's)");
  command->add_option("--mirror", flags->mirror,
                      "fetch through a mirror that serves each release URL's host/path below it");
  command->callback([flags, &exit_code] { exit_code = run_fetch(*flags); });
}

}  // namespace zerospof::cli
