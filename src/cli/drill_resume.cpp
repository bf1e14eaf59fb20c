#include "cli/drill_resume.h"

#include <fmt/format.h>

#include <ctime>
#include <filesystem>
#include <utility>

#include "model/enum_names.h"

namespace zerospof::cli {

namespace {

std::string absolute_path(const std::string& path) {
  if (path.empty()) return path;
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

// Now, in UTC, as `format` (strftime's) writes it.
std::string utc_now(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, format, &utc);
  return stamp;
}

}  // namespace

// --resume: the drill its journal holds, as it was asked, and the reports it wrote (unless others
// are named now). Flags that would change the drill are refused rather than half obeyed.
util::Result<drill::LoadedJournal> resume_from_journal(DrillFlags& flags) {
  if (!flags.drill_defining_flags.empty())
    return util::fail(util::Error::invalid_input(
        fmt::format("--resume goes on with the drill its journal holds, and {} would change it",
                    fmt::join(flags.drill_defining_flags, ", ")),
        {},
        "drop them: the journal keeps the scenarios, runs, seed, tunings and timings it was "
        "started with"));
  ZEROSPOF_ASSIGN_OR_RETURN(drill::LoadedJournal journal, drill::load_journal(flags.resume_file));
  const drill::JournalHeader& header = journal.header;
  if (header.lab != flags.lab)
    return util::fail(
        util::Error::invalid_input(fmt::format("the drill in {} ran {} --lab", flags.resume_file,
                                               header.lab ? "with" : "without"),
                                   {}, header.lab ? "add --lab" : "drop --lab"));
  flags.scenarios = header.scenarios;
  flags.all = header.all;
  flags.partitions = header.partitions;
  flags.runs = header.runs;
  flags.seed = header.seed;
  flags.compare_tuning = header.compare_tunings.empty() ? "" : header.compare_tunings.front();
  flags.fault_seconds = header.fault_seconds;
  flags.ttl_margin_seconds = header.ttl_margin_seconds;
  flags.recovery_seconds = header.recovery_seconds;
  flags.host_down = header.host_down;
  flags.status_during_fault = header.status_during_fault;
  flags.no_data_plane = !header.data_plane;
  if (flags.json_file.empty()) flags.json_file = header.json_file;
  if (flags.html_file.empty()) flags.html_file = header.html_file;
  return journal;
}

// A new journal's name: when it began and its seed, so that two drills never share one.
drill::JournalHeader new_journal_header(const DrillFlags& flags, const model::Cluster& cluster,
                                        std::uint64_t seed, drill::HostDownMethod host_down) {
  return drill::JournalHeader{
      .cluster = cluster.name,
      .tuning = model::to_string(cluster.tuning.profile),
      .scenarios = flags.scenarios,
      .all = flags.all,
      .partitions = flags.partitions,
      .runs = flags.runs,
      .seed = seed,
      .compare_tunings = flags.compare_tuning.empty()
                             ? std::vector<std::string>{}
                             : std::vector<std::string>{flags.compare_tuning},
      .fault_seconds = flags.fault_seconds,
      .ttl_margin_seconds = flags.ttl_margin_seconds,
      .recovery_seconds = flags.recovery_seconds,
      .lab = flags.lab,
      .host_down = drill::to_string(host_down),
      .status_during_fault = flags.status_during_fault,
      .data_plane = !flags.no_data_plane,
      .json_file = absolute_path(flags.json_file),
      .html_file = absolute_path(flags.html_file),
      .started = utc_now("%Y-%m-%dT%H:%M:%SZ"),
      .plan_shape = drill::plan_shape(cluster)};
}

std::string default_journal_path(const std::string& state_dir, std::uint64_t seed) {
  return fmt::format("{}/journal-{}-seed-{}.jsonl", state_dir, utc_now("%Y%m%dT%H%M%SZ"), seed);
}

// The command that resumes this drill from `journal`: the plan and every flag that says where
// the cluster and the drill's state are, which the journal does not keep, quoted for a shell.
std::string resume_command(const DrillFlags& flags, const std::string& journal) {
  auto quoted = [](const std::string& word) {
    if (!word.empty() &&
        word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789_./:=@%+-") == std::string::npos)
      return word;
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  std::string command = "zerospof drill " + quoted(absolute_path(flags.plan_file));
  if (flags.lab) command += " --lab";
  if (flags.allow_reboot) command += " --allow-reboot";
  const std::pair<const char*, const std::string*> locations[] = {
      {"--lab-dir", flags.lab_dir == DrillFlags{}.lab_dir ? nullptr : &flags.lab_dir},
      {"--state-dir", &flags.state_dir},
      {"--apply-state-dir", &flags.apply_state_dir},
      {"--kubeconfig", &flags.kubeconfig},
      {"--known-hosts", &flags.known_hosts},
      {"--pki-dir", &flags.pki_dir},
      {"--binaries", &flags.binary_cache},
      {"--upstream", &flags.upstream_dir}};
  for (const auto& [flag, value] : locations)
    if (value && !value->empty())
      command += fmt::format(" {} {}", flag, quoted(absolute_path(*value)));
  // The reports: those of this invocation, which a resume would otherwise take from the journal.
  for (const auto& [flag, value] :
       {std::pair{"--json", &flags.json_file}, std::pair{"--html", &flags.html_file}})
    if (!value->empty()) command += fmt::format(" {} {}", flag, quoted(absolute_path(*value)));
  return command + " --resume " + quoted(absolute_path(journal));
}

}  // namespace zerospof::cli
