// `zerospof drill PLAN [SCENARIO...]`: fails the live cluster on purpose and judges each
// scenario (docs/drill.md). Parses flags, makes one call into drill, prints progress on stderr
// and the report; exit 0 when every scenario passed, 1 when one failed, 3 when none failed but
// one was inconclusive, 2 for bad input, 4 when the drill could not run (cluster not healthy,
// hosts unreachable) or, with --compare-tuning, when the cluster could not be given the plan's
// tuning back (the reports are written first), 128 + the signal's number (130, 143, 129) when
// the operator stopped it with Ctrl-C, SIGTERM or a hang-up and no scenario failed (the fault in
// place healed, the reports written with what ran). The reports are also rewritten after each
// scenario. `--heal` reverts whatever a killed drill left.
#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <numeric>
#include <optional>
#include <random>

#include "apply/apply.h"
#include "binaries/binary_cache.h"
#include "cli/apply_progress.h"
#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/drill_flags.h"
#include "cli/drill_progress.h"
#include "cli/drill_resume.h"
#include "cli/output.h"
#include "drill/compare.h"
#include "drill/data_plane.h"
#include "drill/drill.h"
#include "drill/journal.h"
#include "drill/report.h"
#include "model/enum_names.h"
#include "observe/cluster_facts.h"
#include "observe/kubeconfig.h"
#include "plan/plan.h"
#include "render/render.h"
#include "transport/plan_hosts.h"
#include "util/cluster_lock.h"
#include "util/files.h"
#include "util/stop_signal.h"

namespace zerospof::cli {
namespace {

CLI::Range range_check(drill::SettingRange range) {
  return CLI::Range(range.lowest, range.highest);
}

// --json and, with `html`, --html, each replaced whole (a reader never sees half a report).
util::Status write_reports(const DrillFlags& flags, const drill::DrillReport& report,
                           bool html = true) {
  auto write = [](const std::string& path, const std::string& content) {
    return util::write_file_atomic(path, content, {.mode = 0644, .overwrite = true});
  };
  if (!flags.json_file.empty())
    ZEROSPOF_RETURN_IF_ERROR(write(flags.json_file, drill::report_json(report)));
  if (html && !flags.html_file.empty())
    ZEROSPOF_RETURN_IF_ERROR(write(flags.html_file, drill::report_html(report)));
  return {};
}

// While a drill runs the HTML report is rewritten at most this often: it grows by about 1 MB a
// scenario (36 MB after 40 of the guide's node scenarios), so rewriting it after each of an
// --all --runs 5 --compare-tuning drill's 170 would write gigabytes; the JSON, a hundredth of
// its size, is rewritten after every scenario.
constexpr auto kHtmlRewriteInterval = std::chrono::minutes(10);

int list_scenarios() {
  for (const drill::Scenario& scenario : drill::catalogue())
    print(fmt::format(
        "{:<34} {}{}\n", scenario.name, scenario.description,
        scenario.plan_name.empty() ? "" : " [cluster-plan.md: " + scenario.plan_name + "]"));
  print(fmt::format("{:<34} {}\n", "partition:NODE+NODE...",
                    "the named nodes cut off from the others, then rejoined (--partitions: every "
                    "split of the plan's nodes) [cluster-plan.md: Partition network, then "
                    "rejoin]"));
  return 0;
}

// How host-down scenarios take a host down: a lab host's container is killed; a real host is
// isolated unless the operator asks for a reboot and allows it in so many words.
util::Result<drill::HostDownMethod> host_down_method(const DrillFlags& flags) {
  using drill::HostDownMethod;
  if (flags.host_down.empty())
    return flags.lab ? HostDownMethod::kLabCrash : HostDownMethod::kIsolate;
  const HostDownMethod method = *drill::host_down_method(flags.host_down);  // CLI checked it
  if (method == HostDownMethod::kLabCrash && !flags.lab)
    return util::fail(util::Error::invalid_input(
        "--host-down crash kills a lab host's container, and these hosts are not the lab's", {},
        "drop --host-down to isolate real hosts, or give --lab for the lab"));
  // The lab's hosts reboot as real ones do (their keeper boots them again), so the lab asks for
  // the same consent: a drill command that works on the lab works on real hosts unchanged.
  if (method == HostDownMethod::kReboot && !flags.allow_reboot)
    return util::fail(util::Error::invalid_input(
        flags.lab ? "--host-down reboot restarts the hosts and everything else they run"
                  : "--host-down reboot restarts real servers and everything else they run",
        {}, "add --allow-reboot to say you mean it, or drop --host-down to isolate them instead"));
  return method;
}

// Switches the live cluster's tuning as `zerospof apply` would: renders the plan with the other
// tuning and applies it (rolling, one node at a time), holding the drill's lock throughout.
class ApplyingTuningSwitch : public drill::TuningSwitch {
 public:
  ApplyingTuningSwitch(const DrillFlags& flags, std::string binary_cache,
                       std::string apply_state_dir, const util::ClusterLock& lock, bool real_pods)
      : flags_(flags),
        binary_cache_(std::move(binary_cache)),
        apply_state_dir_(std::move(apply_state_dir)),
        lock_(lock),
        real_pods_(real_pods) {}

  util::Status switch_to(const model::Cluster& cluster) override {
    render::RenderOptions render_options{
        .pki_dir = flags_.pki_dir.empty() ? default_pki_dir(cluster.name) : flags_.pki_dir,
        .lab = flags_.lab,
        .lab_real_pods = real_pods_,
        .upstream_dir = flags_.upstream_dir};
    ZEROSPOF_ASSIGN_OR_RETURN(render::Bundle bundle, render::render(cluster, render_options));
    apply::ApplyOptions options{.binary_cache = binary_cache_,
                                .known_hosts = flags_.known_hosts.empty()
                                                   ? default_known_hosts(flags_.plan_file)
                                                   : flags_.known_hosts,
                                .state_dir = apply_state_dir_,
                                .lab = flags_.lab,
                                .lab_real_pods = real_pods_,
                                .held_lock = &lock_};
    TerminalProgress progress(
        util::color_enabled(STDERR_FILENO),
        fmt::format("compare: apply {}: ", model::to_string(cluster.tuning.profile)));
    ZEROSPOF_ASSIGN_OR_RETURN(apply::RunReport report,
                              apply::apply(cluster, bundle, options, progress));
    if (!report.ok())
      return util::fail(util::Error::unavailable(
          fmt::format("apply of tuning {} failed (its journal is in {}): {}",
                      model::to_string(cluster.tuning.profile), apply_state_dir_,
                      apply::failure_recap(report))));
    return {};
  }

 private:
  const DrillFlags& flags_;
  const std::string binary_cache_;
  const std::string apply_state_dir_;
  const util::ClusterLock& lock_;
  const bool real_pods_;
};

// Says in the journal, before apply starts, that another tuning is going on, and after the plan's
// went back on that it did: a resumed drill knows whether the cluster may run the other one.
class JournaledTuningSwitch : public drill::TuningSwitch {
 public:
  JournaledTuningSwitch(drill::TuningSwitch& tunings, const model::Cluster& plan,
                        std::function<void(const std::string&)> applying,
                        std::function<void()> restored)
      : tunings_(tunings),
        plan_(plan),
        applying_(std::move(applying)),
        restored_(std::move(restored)) {}

  util::Status switch_to(const model::Cluster& cluster) override {
    const bool plans = cluster.tuning == plan_.tuning;
    if (!plans) applying_(drill::journal_key(cluster.tuning));
    util::Status switched = tunings_.switch_to(cluster);
    if (plans && switched) restored_();
    return switched;
  }

 private:
  drill::TuningSwitch& tunings_;
  const model::Cluster& plan_;
  std::function<void(const std::string&)> applying_;
  std::function<void()> restored_;
};

// Rendering with a directory that does not hold the cluster's CA would make a new CA and roll
// certificates out that nothing else trusts: refused before anything is applied.
util::Status pki_is_the_clusters(const std::string& pki_dir, const std::string& cluster_ca_pem) {
  auto trimmed = [](std::string text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    return text;
  };
  const std::string ca_file = pki_dir + "/ca.crt";
  auto ca = util::read_file(ca_file);
  if (!ca)
    return util::fail(util::Error::invalid_input(
        fmt::format("--compare-tuning renders the plan again, and {} holds no CA: rendering would "
                    "make a new one and roll certificates out that the cluster does not trust",
                    pki_dir),
        {}, "give --pki-dir the directory the cluster was rendered with"));
  if (trimmed(*ca) != trimmed(cluster_ca_pem))
    return util::fail(util::Error::invalid_input(
        fmt::format("--compare-tuning renders the plan again, and {} is not the CA of the cluster "
                    "(the one in the admin kubeconfig)",
                    ca_file),
        {}, "give --pki-dir the directory the cluster was rendered with"));
  return {};
}

int run_drill_command(const DrillFlags& given) {
  DrillFlags flags = given;
  std::optional<drill::LoadedJournal> journal;
  if (!flags.resume_file.empty()) {
    auto loaded = resume_from_journal(flags);
    if (!loaded) return report_error(loaded.error());
    journal = std::move(*loaded);
  }
  if (flags.list) return list_scenarios();
  if (flags.plan_file.empty())
    return report_error(util::Error::invalid_input("no plan given", {},
                                                   "zerospof drill PLAN [SCENARIO...] | --all"));
  if (!flags.heal && !flags.all && !flags.partitions && flags.scenarios.empty())
    return report_error(util::Error::invalid_input(
        "no scenario named", {},
        "name scenarios (zerospof drill --list shows them) or give --all or --partitions"));
  if (flags.all && !flags.scenarios.empty())
    return report_error(util::Error::invalid_input("--all and scenario names together", {},
                                                   "give one or the other"));
  if (flags.heal && !flags.compare_tuning.empty())
    return report_error(util::Error::invalid_input("--heal and --compare-tuning together", {},
                                                   "--heal runs no scenario; give one of them"));
  if (flags.compare_tuning.empty() &&
      !(flags.pki_dir.empty() && flags.binary_cache.empty() && flags.upstream_dir.empty()))
    return report_error(util::Error::invalid_input(
        "--pki-dir, --binaries and --upstream are for re-applying the cluster, which only "
        "--compare-tuning does",
        {}, "drop them, or add --compare-tuning PROFILE"));
  if (auto valid = drill::validate_scenarios(flags.scenarios); !valid)
    return report_error(valid.error());
  auto host_down = host_down_method(flags);
  if (!host_down) return report_error(host_down.error());
  auto cluster = plan::load(flags.plan_file);
  if (!cluster) return report_error(cluster.error());
  if (journal && (journal->header.cluster != cluster->name ||
                  journal->header.tuning != model::to_string(cluster->tuning.profile)))
    return report_error(util::Error::invalid_input(
        fmt::format("{} is a drill of cluster {} with tuning {}, and {} plans cluster {} with "
                    "tuning {}",
                    flags.resume_file, journal->header.cluster, journal->header.tuning,
                    flags.plan_file, cluster->name, model::to_string(cluster->tuning.profile)),
        {}, "give the plan the drill was started with"));
  // Its figures depend on the nodes and every timing: a plan changed since would mix two
  // clusters' runs in one report. (A journal from before this was kept has no shape.)
  if (journal && !journal->header.plan_shape.empty() &&
      journal->header.plan_shape != drill::plan_shape(*cluster))
    return report_error(util::Error::invalid_input(
        fmt::format("{} changed since the drill in {} started: it was \"{}\", it is \"{}\"",
                    flags.plan_file, flags.resume_file, journal->header.plan_shape,
                    drill::plan_shape(*cluster)),
        {}, "give the plan as it was, or start a new drill without --resume"));
  std::vector<model::TuningProfile> compared;
  if (!flags.compare_tuning.empty()) {
    compared.push_back(*model::value_in(model::kTuningProfileNames, flags.compare_tuning));
    if (auto valid = drill::validate_comparison(*cluster, compared); !valid)
      return report_error(valid.error());
  }
  // A compared tuning the journal holds every run of is not applied or drilled again.
  std::vector<drill::DrillReport> compared_from_journal;
  std::erase_if(compared, [&](model::TuningProfile profile) {
    const drill::DrillReport* earlier =
        journal ? drill::journal_tuning(*journal, drill::journal_key(model::Tuning::of(profile)))
                : nullptr;
    if (!earlier || !drill::tuning_complete(*earlier)) return false;
    std::fprintf(stderr,
                 "drill: tuning %s: every run is in the journal already; it is neither applied "
                 "nor drilled again\n",
                 model::to_string(profile));
    compared_from_journal.push_back(*earlier);
    return true;
  });
  // A drill stopped after it applied another tuning and before the plan's went back on (killed,
  // or a second Ctrl-C) left the cluster on the other: the plan's is applied first.
  const bool plan_tuning_missing = journal && !journal->plan_tuning_restored;
  const bool reapplies = !compared.empty() || plan_tuning_missing;
  auto ssh = transport::SshTransport::create(
      transport::ssh_targets(*cluster),
      {.known_hosts =
           flags.known_hosts.empty() ? default_known_hosts(flags.plan_file) : flags.known_hosts});
  if (!ssh) return report_error(ssh.error());
  std::string state_dir =
      flags.state_dir.empty() ? default_state_dir("drill", *cluster) : flags.state_dir;
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  std::optional<drill::LabAccess> lab;
  if (flags.lab) {
    std::error_code ignored;
    lab = drill::LabAccess{.state_dir = flags.lab_dir,
                           .zerospof = std::filesystem::read_symlink("/proc/self/exe", ignored)};
  }
  // One apply or drill of a cluster at a time (util/cluster_lock.h says why); --heal too: it
  // would revert the fault a running drill is measuring.
  const std::string apply_state_dir =
      flags.apply_state_dir.empty() ? default_state_dir("apply", *cluster) : flags.apply_state_dir;
  auto lock = util::ClusterLock::acquire(apply_state_dir, "drill");
  if (!lock) return report_error(lock.error());
  auto heal_leftovers = [&] {
    return drill::FaultInjector(*cluster, **ssh, lab, state_dir, *host_down).heal_leftovers();
  };
  if (flags.heal) {
    auto healed = heal_leftovers();
    if (!healed) return report_error(healed.error());
    for (const std::string& line : *healed) print(line + "\n");
    print(fmt::format(
        "drill --heal: {} left by earlier drills\n",
        healed->empty() ? "nothing was" : fmt::format("{} thing(s) reverted", healed->size())));
    return 0;
  }
  // A drill that was killed may have left its fault, or a heal armed under the id the run it cut
  // short gets again: reverted first, as --heal does.
  if (journal) {
    auto healed = heal_leftovers();
    if (!healed) return report_error(healed.error());
    for (const std::string& line : *healed)
      std::fprintf(stderr, "drill: left by the stopped drill: %s\n", line.c_str());
  }
  std::string kubeconfig_path =
      !flags.kubeconfig.empty() ? flags.kubeconfig : admin_kubeconfig(apply_state_dir);
  auto kubeconfig = observe::load_kubeconfig(kubeconfig_path);
  if (!kubeconfig) return report_error(kubeconfig.error());
  // What re-applying needs is checked before any host is asked anything.
  std::string binary_cache;
  if (reapplies) {
    if (auto same = pki_is_the_clusters(
            flags.pki_dir.empty() ? default_pki_dir(cluster->name) : flags.pki_dir,
            kubeconfig->credentials.ca_pem);
        !same)
      return report_error(same.error());
    auto cache = binaries::binary_cache_dir(*cluster, flags.binary_cache);
    if (!cache) return report_error(cache.error());
    binary_cache = *cache;
  }
  observe::CurlHttpClient http(kubeconfig->credentials);
  // etcd is probed with the apiservers' own client credentials, read from a control-plane host;
  // without them the drill still runs, and its report says etcd was not probed directly.
  std::optional<observe::CurlHttpClient> etcd_http;
  if (auto credentials = observe::ClusterFacts(*cluster, **ssh).etcd_client_credentials())
    etcd_http.emplace(std::move(*credentials));
  else
    std::fprintf(stderr, "drill: etcd will not be probed directly: %s\n",
                 util::format_error(credentials.error()).c_str());
  std::uint64_t seed = flags.seed ? *flags.seed : std::random_device{}();
  std::fprintf(stderr, "drill: seed %llu (repeat this run with --seed %llu)\n",
               static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  // Every scenario run is kept in the journal the moment it is judged: a drill stopped, killed
  // or cut off with its machine goes on with --resume.
  auto journal_writer = [&]() -> util::Result<drill::JournalWriter> {
    if (journal) return drill::JournalWriter::reopen(flags.resume_file);
    return drill::JournalWriter::create(
        flags.journal_file.empty() ? default_journal_path(state_dir, seed) : flags.journal_file,
        new_journal_header(flags, *cluster, seed, *host_down));
  }();
  if (!journal_writer) return report_error(journal_writer.error());
  std::fprintf(stderr, "drill: journal %s (a drill stopped before its end goes on with: %s)\n",
               journal_writer->path().c_str(),
               resume_command(flags, journal_writer->path()).c_str());
  if (journal) {
    const std::size_t kept =
        std::accumulate(journal->tunings.begin(), journal->tunings.end(), std::size_t{0},
                        [](std::size_t sum, const drill::DrillReport& tuning) {
                          return sum + tuning.scenarios.size();
                        });
    std::string line = fmt::format(
        "drill: resuming the drill started {}: {} scenario run(s) it "
        "finished are kept",
        journal->header.started, kept);
    if (journal->interrupted_runs > 0)
      line += fmt::format("; {} cut short by its stop run again", journal->interrupted_runs);
    if (journal->torn_lines > 0) line += "; its last line, torn by a crash, is dropped";
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  drill::DrillOptions options;
  options.scenarios = flags.scenarios;
  options.whole_catalogue = flags.all;
  options.partitions = flags.partitions;
  options.runs = flags.runs;
  options.seed = seed;
  options.fault_duration = std::chrono::seconds(flags.fault_seconds);
  options.ttl_margin = std::chrono::seconds(flags.ttl_margin_seconds);
  options.recovery_limit = std::chrono::seconds(flags.recovery_seconds);
  options.lab = lab;
  options.host_down = *host_down;
  options.status_during_fault = flags.status_during_fault;
  options.data_plane = !flags.no_data_plane;
  options.state_dir = state_dir;
  DrillProgress printer = DrillProgress::for_stderr();
  options.progress = [&printer](const std::string& line) { printer.line(line); };
  options.live = [&printer](const std::string& line) { printer.live(line); };
  // Ctrl-C heals the fault in place and keeps what was measured; a second one quits at once.
  util::StopSignal stop(
      "\ndrill: stopping: the fault in place is healed now, and the reports keep every scenario "
      "that ran (Ctrl-C again quits at once: the fault's armed heal then reverts it within its "
      "TTL, and with --compare-tuning the cluster may keep the other tuning until `zerospof "
      "apply PLAN`)\n");
  options.stop_requested = [&stop] { return stop.requested(); };
  // The reports so far, rewritten after each scenario: a drill that is killed, or whose machine
  // goes away, keeps what it measured. With --compare-tuning the tunings already drilled to the
  // end come first.
  std::vector<drill::DrillReport> finished_tunings;
  bool warned_unwritable = false, warned_journal = false;
  std::string journaled_tuning;  // whose tuning line the journal has last
  auto journal_status = [&](util::Status written) {
    if (!written && !warned_journal) {
      warned_journal = true;
      std::fprintf(stderr,
                   "drill: the journal could not be written (the drill goes on, but cannot be "
                   "resumed from what follows): %s\n",
                   util::format_error(written.error()).c_str());
    }
  };
  std::optional<std::chrono::steady_clock::time_point> html_written;
  options.report_so_far = [&](const drill::DrillReport& running) {
    if (drill::journal_key(running) != journaled_tuning) {
      journaled_tuning = drill::journal_key(running);
      journal_status(journal_writer->add_tuning(running));
    }
    drill::DrillReport whole = finished_tunings.empty() ? running : finished_tunings.front();
    if (!finished_tunings.empty()) {
      whole.compared.assign(finished_tunings.begin() + 1, finished_tunings.end());
      whole.compared.push_back(running);
    }
    whole.compared.insert(whole.compared.end(), compared_from_journal.begin(),
                          compared_from_journal.end());
    whole.notes.push_back(
        fmt::format("written while the drill ran: {} of {} scenario runs with tuning {} done then",
                    running.scenarios.size(), running.scenario_runs_planned, running.tuning));
    const auto now = std::chrono::steady_clock::now();
    const bool html = !html_written || now - *html_written >= kHtmlRewriteInterval;
    if (html) html_written = now;
    if (auto written = write_reports(flags, whole, html); !written && !warned_unwritable) {
      warned_unwritable = true;
      std::fprintf(stderr,
                   "drill: the reports so far could not be written (the drill goes on): %s\n",
                   util::format_error(written.error()).c_str());
    }
  };
  // A tuning whose runs the journal holds every one of is not drilled again; one it holds some
  // of goes on with them.
  auto drill_once = [&](const model::Cluster& tuned) -> util::Result<drill::DrillReport> {
    const std::string tuning = drill::journal_key(tuned.tuning);
    const drill::DrillReport* earlier = journal ? drill::journal_tuning(*journal, tuning) : nullptr;
    if (earlier && drill::tuning_complete(*earlier)) {
      options.progress(fmt::format("tuning {}: every run is in the journal already", tuning));
      finished_tunings.push_back(*earlier);
      return *earlier;
    }
    drill::DrillOptions tuned_options = options;
    tuned_options.earlier_runs =
        earlier ? earlier->scenarios : std::vector<drill::ScenarioResult>{};
    tuned_options.scenario_finished = [&](const drill::ScenarioResult& result) {
      journal_status(journal_writer->add_scenario(tuning, result));
    };
    auto drilled = drill::run_drill(tuned, **ssh, http, etcd_http ? &*etcd_http : nullptr,
                                    kubeconfig->server, tuned_options);
    if (drilled) finished_tunings.push_back(*drilled);
    return drilled;
  };
  drill::DrillReport report;
  util::Status restored;
  if (!reapplies) {
    auto drilled = drill_once(*cluster);
    if (!drilled) return report_error(drilled.error());
    report = std::move(*drilled);
  } else {
    // The tuning is re-applied as the cluster was applied: with real kubelets where they run.
    bool real_pods = false;
    if (flags.lab) {
      observe::KubernetesClient api(http, kubeconfig->server);
      std::optional<bool> real = drill::real_pods_run(api, std::chrono::seconds(10));
      if (!real)
        return report_error(util::Error::unavailable(
            "--compare-tuning: the nodes could not be listed, so whether the lab runs real pods "
            "(apply --real-pods) is not known, and the tuning cannot be re-applied as it was"));
      real_pods = *real;
    }
    ApplyingTuningSwitch applying(flags, binary_cache, apply_state_dir, **lock, real_pods);
    JournaledTuningSwitch tunings(
        applying, *cluster,
        [&](const std::string& key) { journal_status(journal_writer->add_applying(key)); },
        [&] { journal_status(journal_writer->add_plan_tuning_restored()); });
    // The stopped drill may have left the cluster on another tuning (it was killed, or stopped
    // twice, before the plan's went back on). A comparison still to make applies the plan's at
    // its end anyway; without one it is applied here.
    auto plan_tuning_back = [&]() -> util::Status {
      options.progress(fmt::format(
          "compare: applying the plan's own tuning ({}): the stopped drill may not have put it "
          "back",
          model::to_string(cluster->tuning.profile)));
      return tunings.switch_to(*cluster);
    };
    if (compared.empty()) {
      if (auto back = plan_tuning_back(); !back) return report_error(back.error());
      auto drilled = drill_once(*cluster);
      if (!drilled) return report_error(drilled.error());
      report = std::move(*drilled);
    } else {
      auto both = drill::drill_compared(*cluster, compared, tunings, drill_once, options.progress,
                                        options.stop_requested);
      if (!both) return report_error(both.error());
      restored = both->restored;
      report = std::move(both->report);
      // Stopped before it switched anything: the plan's tuning may still be missing.
      if (plan_tuning_missing && !both->switched) restored = plan_tuning_back();
    }
  }
  report.compared.insert(report.compared.end(), compared_from_journal.begin(),
                         compared_from_journal.end());
  if (journal)
    report.notes.push_back(fmt::format(
        "resumed: the drill started {} was stopped and went on from its journal {}; each scenario "
        "run it had finished is kept as it was judged then, and one it had cut short ran again "
        "in full",
        journal->header.started, journal_writer->path()));
  if (auto written = write_reports(flags, report); !written) return report_error(written.error());
  print(flags.output == "json" ? drill::report_json(report) : drill::report_text(report));
  if (!restored) return report_error(restored.error());
  bool failed = false, unsure = false;
  for (const auto& scenario : report.scenarios) {
    failed |= scenario.verdict == drill::Verdict::kFail;
    unsure |= scenario.verdict == drill::Verdict::kInconclusive;
  }
  // A failure found before the stop outranks the stop: a script that checks for 1 must not miss
  // a lost write because the operator pressed Ctrl-C afterwards.
  if (failed) return 1;
  if (report.interrupted || stop.requested()) return stop.exit_code();
  return unsure ? 3 : 0;
}

}  // namespace

void register_drill(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<DrillFlags>();
  auto* command = app.add_subcommand(
      "drill", "fail the live cluster on purpose, time every recovery, check no write was lost");
  command->add_option("plan", flags->plan_file, "the plan file (the lab's: lab.yaml)");
  command->add_option("scenarios", flags->scenarios, "scenarios to run (see --list)");
  command->add_flag("--all", flags->all, "every scenario of the catalogue (--list)");
  command->add_flag("--partitions", flags->partitions,
                    "every bipartition of the nodes, as check judges them (15 for 5 nodes); one "
                    "split by name: partition:NODE+NODE");
  command->add_flag("--list", flags->list, "list the scenarios and exit");
  command->add_flag("--heal", flags->heal,
                    "revert every fault an interrupted drill left, and exit");
  command->add_option("--runs", flags->runs, "runs of each scenario")
      ->check(range_check(drill::kRunsRange))
      ->capture_default_str();
  command->add_option("--seed", flags->seed, "orders the scenarios; printed, to repeat a run");
  command->add_option("--kubeconfig", flags->kubeconfig,
                      "admin kubeconfig (default: the one apply wrote in its state directory)");
  command->add_option("--apply-state-dir", flags->apply_state_dir,
                      "apply's state directory (default /var/lib/zerospof/apply/CLUSTER)");
  command->add_option("--state-dir", flags->state_dir,
                      "the drill's own records (default /var/lib/zerospof/drill/CLUSTER)");
  command->add_option("--known-hosts", flags->known_hosts,
                      "ssh known_hosts file (default: known_hosts beside PLAN if present)");
  command->add_flag("--lab", flags->lab, "the hosts are lab hosts: host-down crashes a container");
  command
      ->add_option("--host-down", flags->host_down,
                   "how host-down scenarios take a host down: crash (the lab's container; its "
                   "default), isolate (every packet dropped but the operator's SSH; the default "
                   "on real hosts) or reboot (systemctl reboot --force, with --allow-reboot)")
      ->check(CLI::IsMember({"crash", "isolate", "reboot"}));
  command->add_flag("--allow-reboot", flags->allow_reboot,
                    "let --host-down reboot restart the hosts");
  command->add_option("--lab-dir", flags->lab_dir, "the lab's state directory")
      ->capture_default_str();
  command->add_flag("--no-data-plane", flags->no_data_plane,
                    "where real pods run, do not deploy the data-plane probes (dns, service, the "
                    "key-value workload)");
  command->add_flag("--status-during-fault", flags->status_during_fault,
                    "also ask status's questions half way through each fault, and say where its "
                    "view was wrong (their load can stall a small cluster, and that stall is "
                    "measured)");
  command->add_option("--fault-seconds", flags->fault_seconds, "how long each fault stays")
      ->check(range_check(drill::kFaultSecondsRange))
      ->capture_default_str();
  command
      ->add_option("--ttl-margin", flags->ttl_margin_seconds,
                   "the armed heal fires this long after the fault should have ended")
      ->check(range_check(drill::kTtlMarginSecondsRange))
      ->capture_default_str();
  command
      ->add_option("--recovery-seconds", flags->recovery_seconds,
                   "healthy again within this after the heal")
      ->check(range_check(drill::kRecoverySecondsRange))
      ->capture_default_str();
  command->add_option("-o,--output", flags->output, "text or json on stdout")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command
      ->add_option("--compare-tuning", flags->compare_tuning,
                   "also drill the same scenarios with this tuning profile: the cluster is "
                   "re-applied with it (rolling, one node at a time), drilled, and given the "
                   "plan's tuning back")
      ->check(CLI::IsMember({"fast", "kubeadm-guide"}));
  command->add_option("--pki-dir", flags->pki_dir,
                      "with --compare-tuning: the CA material to render with (as apply's)");
  command->add_option("--binaries", flags->binary_cache,
                      "with --compare-tuning: the binary cache to apply from (as apply's)");
  command->add_option("--upstream", flags->upstream_dir,
                      "with --compare-tuning: the pinned upstream addon manifests (as apply's)");
  command->add_option("--json", flags->json_file, "also write the JSON report here");
  command->add_option("--html", flags->html_file, "also write the HTML report here");
  command->add_option("--journal", flags->journal_file,
                      "keep every finished scenario run here (default: a new file in the state "
                      "directory, printed at the start); never replaces a file");
  command->add_option("--resume", flags->resume_file,
                      "go on with the stopped drill this journal holds: the runs it finished are "
                      "kept, the others run, and the reports cover them all");
  // What --resume takes from its journal, so may not be given beside it.
  const std::vector<std::string> drill_defining = {"scenarios",
                                                   "--all",
                                                   "--partitions",
                                                   "--list",
                                                   "--heal",
                                                   "--runs",
                                                   "--seed",
                                                   "--host-down",
                                                   "--no-data-plane",
                                                   "--status-during-fault",
                                                   "--fault-seconds",
                                                   "--ttl-margin",
                                                   "--recovery-seconds",
                                                   "--compare-tuning",
                                                   "--journal"};
  command->callback([flags, &exit_code, command, drill_defining] {
    for (const std::string& name : drill_defining)
      if (command->get_option(name)->count() > 0)
        flags->drill_defining_flags.push_back(name == "scenarios" ? "scenario names" : name);
    exit_code = run_drill_command(*flags);
  });
}

}  // namespace zerospof::cli
