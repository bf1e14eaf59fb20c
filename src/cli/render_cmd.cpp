// `zerospof render PLAN --output-dir DIR [--pki-dir DIR] [--upstream DIR] [--interface NAME]
// [--lab]`: writes every file of the cluster below DIR/<host>/ (DIR/operator/ for the operator's
// own files), never into a directory that holds anything render did not write, and prints a summary
// that never contains key material.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/output.h"
#include "plan/plan.h"
#include "render/render.h"

namespace zerospof::cli {

namespace {

struct RenderFlags {
  std::string plan_path;
  std::string output;
  std::string misplaced_format;  // a value given to -o, which is the output format in every verb
  render::RenderOptions options;
};

std::string summary(const model::Cluster& cluster, const render::Bundle& bundle,
                    const RenderFlags& flags) {
  std::map<std::string, int> per_host;
  int secrets = 0;
  for (const render::File& file : bundle.files) {
    ++per_host[file.host.empty() ? "operator" : file.host];
    secrets += file.secret;
  }
  std::string out = "rendered " + std::to_string(bundle.files.size()) + " files (" +
                    std::to_string(secrets) + " secret, mode 0600) into " + flags.output + "\n";
  for (const auto& [host, count] : per_host)
    out += "  " + host + ": " + std::to_string(count) + " files\n";
  out += "PKI kept in " + flags.options.pki_dir + "\n";
  out += "expected failover: " + bundle.expected_failover + "\n";
  for (const render::LeftOut& part : render::lab_left_out(cluster, flags.options))
    out += fmt::format("left out of the lab: {} ({}): {}\n", part.what,
                       fmt::join(part.manifests, ", "), part.why);
  return out;
}

int run_render(RenderFlags flags) {
  if (!flags.misplaced_format.empty() || flags.output.empty())
    return report_error(util::Error::invalid_input(
        "render needs the directory to write into as --output-dir DIR", {},
        flags.misplaced_format.empty()
            ? "zerospof render PLAN --output-dir DIR"
            : "-o is the output format in every verb; write `--output-dir " +
                  flags.misplaced_format + "`"));
  auto cluster = plan::load(flags.plan_path);
  if (!cluster) return report_error(cluster.error());
  if (flags.options.pki_dir.empty()) flags.options.pki_dir = default_pki_dir(cluster->name);
  auto bundle = render::render(*cluster, flags.options);
  if (!bundle) return report_error(bundle.error());
  auto written = render::write_bundle(*bundle, flags.output);
  if (!written) return report_error(written.error());
  print(summary(*cluster, *bundle, flags));
  return 0;
}

}  // namespace

void register_render(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<RenderFlags>();
  CLI::App* command = app.add_subcommand(
      "render", "Write every file the cluster needs: PKI, units, configs, kubeconfigs, manifests");
  command->add_option("plan", flags->plan_path, "Plan file")->required();
  command->add_option("--output-dir", flags->output,
                      "Directory to write into (new, empty, or an earlier render's)");
  // Hidden: render has no format to choose, and -o once meant the directory here.
  command->add_option("-o", flags->misplaced_format)->group("");
  command->add_option("--pki-dir", flags->options.pki_dir,
                      "Where the CA keys are made once and reused (default: "
                      "$XDG_DATA_HOME/zerospof/<cluster>/pki)");
  command->add_option("--upstream", flags->options.upstream_dir,
                      "Directory of the pinned upstream addon manifests, instead of the copies "
                      "zerospof carries (each must be its pinned release, byte for byte)");
  command->add_option("--interface", flags->options.interface,
                      "Network interface of the VIP on the control-plane nodes (default eth0)");
  auto* lab =
      command->add_flag("--lab", flags->options.lab,
                        "Node agents are kwok (for `zerospof lab`), not kubelet + containerd");
  command
      ->add_flag("--real-pods", flags->options.lab_real_pods,
                 "With --lab: real kubelets, containerd and kube-proxy run real pods instead of "
                 "kwok (docs/lab.md says what the lab leaves out)")
      ->needs(lab);
  command->callback([flags, &exit_code] { exit_code = run_render(*flags); });
}

}  // namespace zerospof::cli
