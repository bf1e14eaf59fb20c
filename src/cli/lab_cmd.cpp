// `zerospof lab ...`: a local cluster of real Debian hosts (see docs/lab.md). Parses flags,
// makes one call into the lab module, prints the result; progress and errors go to stderr.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "lab/lab.h"
#include "plan/plan.h"
#include "util/terminal.h"

namespace zerospof::cli {
namespace {

struct LabFlags {
  lab::LabPaths paths;
  std::string plan_file;
  int node_count = 0;
  std::string mirror;
  std::string output = "text";
  std::string host;
  std::string groups;
  std::vector<std::string> command;
};

void add_path_flags(CLI::App& command, LabFlags& flags) {
  command
      .add_option("--state-dir", flags.paths.state_dir,
                  "where the lab keeps keys, lab.yaml, known_hosts and host layers")
      ->capture_default_str();
  command.add_option("--cache-dir", flags.paths.cache_dir, "where the Debian base image is cached")
      ->capture_default_str();
}

lab::Progress progress_printer() {
  util::Style style(util::color_enabled(STDERR_FILENO));
  return [style](const std::string& line) {
    std::fprintf(stderr, "%s %s\n", style.bold("lab:").c_str(), line.c_str());
  };
}

int finish(const util::Status& status, const std::string& done) {
  if (!status) return report_error(status.error());
  if (!done.empty()) progress_printer()(done);
  return 0;
}

std::string mebibytes(std::int64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

void print_status_text(const std::vector<lab::HostStatus>& hosts) {
  util::Style style(util::color_enabled(STDOUT_FILENO));
  std::printf("%-18s %-15s %-8s %8s %s\n", "HOST", "ADDRESS", "STATE", "PID", "MEMORY");
  for (const auto& host : hosts) {
    std::string state = lab::to_string(host.state);
    std::string shown = host.state == lab::HostState::kRunning  ? style.green(state)
                        : host.state == lab::HostState::kKilled ? style.yellow(state)
                                                                : style.red(state);
    // Pad by the visible width: escape codes take no columns.
    std::string padding(state.size() < 8 ? 8 - state.size() : 0, ' ');
    std::printf("%-18s %-15s %s%s %8d %s\n", host.name.c_str(), host.address.c_str(), shown.c_str(),
                padding.c_str(), host.init_pid,
                host.init_pid != 0 ? mebibytes(host.memory_bytes).c_str() : "-");
    if (host.state == lab::HostState::kCrashed) {
      std::printf(
          "  %s is down, but not by `zerospof lab kill`: it crashed or was killed by "
          "hand; `zerospof lab start %s` boots it\n",
          host.name.c_str(), host.name.c_str());
    }
  }
}

void print_status_json(const std::vector<lab::HostStatus>& hosts) {
  nlohmann::json document = nlohmann::json::array();
  for (const auto& host : hosts) {
    document.push_back({{"name", host.name},
                        {"address", host.address},
                        {"state", lab::to_string(host.state)},
                        {"init_pid", host.init_pid},
                        {"memory_bytes", host.memory_bytes}});
  }
  std::printf("%s\n", document.dump(2).c_str());
}

int run_up(const LabFlags& flags) {
  util::Result<model::Cluster> plan = flags.plan_file.empty()
                                          ? util::Result<model::Cluster>(plan::builtin_plan())
                                          : plan::load(flags.plan_file);
  if (!plan) return report_error(plan.error());
  lab::UpOptions options;
  options.paths = flags.paths;
  if (flags.node_count > 0) options.node_count = flags.node_count;
  options.mirror = flags.mirror;
  options.progress = progress_printer();
  auto summary = lab::up(*plan, options);
  if (!summary) return report_error(summary.error());
  print_status_text(summary->hosts);
  std::printf("\nplan for the lab: %s\nlog in: zerospof lab ssh %s\n", summary->plan_file.c_str(),
              summary->hosts.front().name.c_str());
  return 0;
}

int run_status(const LabFlags& flags) {
  auto hosts = lab::status(flags.paths);
  if (!hosts) return report_error(hosts.error());
  if (flags.output == "json") {
    print_status_json(*hosts);
  } else {
    print_status_text(*hosts);
  }
  for (const auto& host : *hosts) {
    if (host.state == lab::HostState::kCrashed) return 1;  // a host down nobody asked for
  }
  return 0;
}

// Replaces this process with ssh, so that an interactive session behaves as plain ssh does.
int run_ssh(const LabFlags& flags, const std::vector<std::string>& command) {
  auto argv = lab::ssh_command(flags.paths, flags.host, command);
  if (!argv) return report_error(argv.error());
  std::vector<char*> pointers;
  for (auto& argument : *argv) pointers.push_back(argument.data());
  pointers.push_back(nullptr);
  std::fflush(stdout);
  execvp(pointers[0], pointers.data());
  return report_error(
      util::Error::failed_precondition("cannot run ssh: is openssh-client installed?"));
}

CLI::App* add_verb(CLI::App& parent, const char* name, const char* description, LabFlags& flags) {
  CLI::App* verb = parent.add_subcommand(name, description);
  add_path_flags(*verb, flags);
  return verb;
}

void register_host_verbs(CLI::App& lab_app, const std::shared_ptr<LabFlags>& flags,
                         int& exit_code) {
  auto* kill =
      add_verb(lab_app, "kill", "crash a host: SIGKILL its systemd, take its link down", *flags);
  kill->add_option("host", flags->host, "lab host name")->required();
  kill->callback([flags, &exit_code] {
    exit_code = finish(lab::kill_host(flags->paths, flags->host), flags->host + ": killed");
  });
  auto* start = add_verb(lab_app, "start", "boot a host again (same disk)", *flags);
  start->add_option("host", flags->host, "lab host name")->required();
  start->callback([flags, &exit_code] {
    exit_code = finish(lab::start_host(flags->paths, flags->host, progress_printer()), "");
  });
  auto* ssh = add_verb(lab_app, "ssh", "log in to a host (or run CMD there) as root", *flags);
  ssh->add_option("host", flags->host, "lab host name")->required();
  // As with ssh itself, the words of CMD are joined by spaces and run by the host's shell; put
  // `--` before a CMD that has options of its own.
  ssh->add_option("command", flags->command, "command to run instead of a login shell");
  ssh->callback([flags, &exit_code] { exit_code = run_ssh(*flags, flags->command); });
}

void register_network_verbs(CLI::App& lab_app, const std::shared_ptr<LabFlags>& flags,
                            int& exit_code) {
  auto* partition = add_verb(lab_app, "partition",
                             "drop traffic between groups of hosts, e.g. A,B/C,D,E", *flags);
  partition->add_option("groups", flags->groups, "groups of host names: A,B/C,D,E")->required();
  partition->callback([flags, &exit_code] {
    exit_code = finish(lab::partition(flags->paths, flags->groups), "partitioned " + flags->groups);
  });
  auto* heal = add_verb(lab_app, "heal", "remove every partition", *flags);
  heal->callback(
      [flags, &exit_code] { exit_code = finish(lab::heal(flags->paths), "partitions healed"); });
}

}  // namespace

void register_lab(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<LabFlags>();
  CLI::App* lab_app =
      app.add_subcommand("lab", "a local cluster of real Debian hosts to rehearse on (root)");
  lab_app->require_subcommand(1);
  auto* up = add_verb(*lab_app, "up", "make one host per plan node and boot them", *flags);
  up->add_option("--plan", flags->plan_file, "plan file (default: the built-in 5-node plan)");
  up->add_option("--nodes", flags->node_count, "use only the first N nodes of the plan")
      ->check(CLI::PositiveNumber);
  up->add_option("--mirror", flags->mirror, "Debian mirror for the first debootstrap");
  up->callback([flags, &exit_code] { exit_code = run_up(*flags); });
  auto* status =
      add_verb(*lab_app, "status", "show every host; exit 1 if one is down unasked", *flags);
  status->add_option("-o,--output", flags->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  status->callback([flags, &exit_code] { exit_code = run_status(*flags); });
  auto* down = add_verb(*lab_app, "down", "remove every host, namespace, mount and veth", *flags);
  down->callback([flags, &exit_code] {
    exit_code = finish(lab::down(flags->paths, progress_printer()), "lab is down; nothing left");
  });
  register_host_verbs(*lab_app, flags, exit_code);
  register_network_verbs(*lab_app, flags, exit_code);
}

}  // namespace zerospof::cli
