#include "drill/journal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>

#include "drill/drill.h"
#include "drill/fault.h"
#include "model/enum_names.h"
#include "util/files.h"

// std::optional as JSON null or the value (nlohmann 3.11 has no serializer of its own for it).
namespace nlohmann {
template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& out, const std::optional<T>& value) {
    if (value)
      out = *value;
    else
      out = nullptr;
  }
  static void from_json(const json& in, std::optional<T>& value) {
    if (in.is_null())
      value.reset();
    else
      value = in.get<T>();
  }
};
}  // namespace nlohmann

// The conversions below live in the types' own namespaces (argument-dependent lookup finds them
// there); this file is the only one that defines them. Missing keys keep the type's default, so a
// journal written before a field existed still loads.
namespace zerospof::observe {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EtcdMemberStatus, node, answered, leader, member_id,
                                                revision, raft_term, raft_index, database_bytes,
                                                errors)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EtcdStatus, members, leader, listed, alarms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(UnitState, unit, active, enabled, restarts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LiveAttachment, name, attacher, node,
                                                persistent_volume, claim, attached)
}  // namespace zerospof::observe

namespace zerospof::status {
NLOHMANN_JSON_SERIALIZE_ENUM(Health, {{Health::kHealthy, "healthy"},
                                      {Health::kDegraded, "degraded"},
                                      {Health::kDown, "down"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ComponentStatus, name, health, detail, tolerates)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NodeStatus, name, health, reachable,
                                                kubernetes_ready, holds_vip, units, problems)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WorkloadStatus, kind, namespace_name, name, desired,
                                                ready, ready_on, health, tolerates, detail)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LeaseStatus, namespace_name, name, holder,
                                                renewed_seconds_ago, duration_seconds, stale)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CertificateStatus, node, path, days_left)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AssessOptions, certificate_warning_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ClusterStatus, cluster, health, unreachable,
                                                api_error, components, etcd, nodes, workloads,
                                                leases, stuck_attachments, expiring, soonest,
                                                options)
}  // namespace zerospof::status

namespace zerospof::drill {

NLOHMANN_JSON_SERIALIZE_ENUM(AttemptOutcome, {{AttemptOutcome::kOk, "ok"},
                                              {AttemptOutcome::kFailed, "failed"},
                                              {AttemptOutcome::kUnknown, "unknown"},
                                              {AttemptOutcome::kConflict, "conflict"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Verdict, {{Verdict::kPass, "pass"},
                                       {Verdict::kFail, "fail"},
                                       {Verdict::kInconclusive, "inconclusive"}})

// A probe makes tens of thousands of requests in a long scenario: each is an array, not an
// object, which keeps the journal about half the size.
void to_json(nlohmann::json& out, const Attempt& attempt) {
  out = nlohmann::json::array(
      {attempt.client, attempt.start_ms, attempt.end_ms, attempt.outcome, attempt.cause});
}
void from_json(const nlohmann::json& in, Attempt& attempt) {
  if (!in.is_array() || in.size() != 5)
    throw nlohmann::json::type_error::create(302,
                                             "a request is [client, start, end, outcome, "
                                             "cause]",
                                             &in);
  attempt = Attempt{.client = in[0].get<int>(),
                    .start_ms = in[1].get<double>(),
                    .end_ms = in[2].get<double>(),
                    .outcome = in[3].get<AttemptOutcome>(),
                    .cause = in[4].get<std::string>()};
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ProbeRecord, name, attempts, unavailable_ms,
                                                unavailable_from_ms, unavailable_unpaused_ms, ok,
                                                failed, unknown, conflicts, causes, judged)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Pause, from_ms, to_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Event, at_ms, kind, text, node, ready)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WatchCheck, delivered, events, acknowledged,
                                                missing, duplicated, out_of_order, reconnects,
                                                expired, relisted, problems)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ServicePrediction, service, health, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CheckPrediction, scenario, worst, services)
// Every field but `history` (journal.h says why).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    ScenarioResult, name, plan_name, description, run, target_node, must_stay_ready, fault,
    fault_start_ms, fault_end_ms, healthy_ms, probes, drill_pauses, events, linearizable,
    linearizability_detail, acknowledged_writes, acknowledged_writes_lost, failover_path_seen,
    failover_path, etcd_hashes_equal, watch, check, predicted_outage_ms, predicted_reason,
    pods_rescheduled_ms, predicted_reschedule_ms, status_during_fault, status_at_ms,
    status_unanswered_ms, interrupted, verdict, reasons, findings)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(JournalHeader, cluster, tuning, scenarios, all,
                                                partitions, runs, seed, compare_tunings,
                                                fault_seconds, ttl_margin_seconds, recovery_seconds,
                                                lab, host_down, status_during_fault, data_plane,
                                                json_file, html_file, started, plan_shape)

namespace {

constexpr std::string_view kFormat = "zerospof drill journal";
// 2: scenario runs go under journal_key(), which names a plan's own timings; 1 (the first,
// 2026-12-07) put them under the profile's name alone, which still loads.
constexpr int kVersion = 2;

// A tuning's own fields: the report without its scenario runs and compared tunings.
nlohmann::json tuning_json(const DrillReport& report) {
  return {{"cluster", report.cluster},
          {"tuning", report.tuning},
          {"tuningCustomised", report.tuning_customised},
          {"seed", report.seed},
          {"endpoint", report.endpoint},
          {"scenarioRunsPlanned", report.scenario_runs_planned},
          {"notes", report.notes}};
}

DrillReport tuning_from_json(const nlohmann::json& in) {
  return DrillReport{.cluster = in.at("cluster").get<std::string>(),
                     .tuning = in.at("tuning").get<std::string>(),
                     .tuning_customised = in.value("tuningCustomised", false),
                     .seed = in.value("seed", std::uint64_t{0}),
                     .endpoint = in.value("endpoint", std::string()),
                     .scenario_runs_planned = in.value("scenarioRunsPlanned", std::size_t{0}),
                     .notes = in.value("notes", std::vector<std::string>())};
}

std::string line_of(const nlohmann::json& value) {
  // Text from the hosts (a status view's detail) may not be UTF-8: replaced, never a throw.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// The report under `key` in `journal`, const when the journal is.
template <class Journal>
auto* tuning_named(Journal& journal, const std::string& key) {
  auto found = std::find_if(journal.tunings.begin(), journal.tunings.end(),
                            [&](const DrillReport& report) { return journal_key(report) == key; });
  return found == journal.tunings.end() ? nullptr : &*found;
}

util::Error journal_error(const std::string& path, int line, const std::string& what) {
  return util::Error::invalid_input(
      fmt::format("not a zerospof drill journal line: {}", what), {.file = path, .line = line},
      "give --resume the journal a drill printed at its start, unchanged; or start the drill "
      "again without --resume");
}

}  // namespace

std::string plan_shape(const model::Cluster& cluster) {
  std::string shape;
  for (const model::Node& node : cluster.nodes) {
    std::vector<std::string> roles;
    for (model::Role role : node.roles) roles.push_back(model::to_string(role));
    shape += fmt::format("{}({}) ", node.name, fmt::join(roles, ","));
  }
  const model::Tuning& t = cluster.tuning;
  return shape + fmt::format(
                     "; {}: vrrp_advert_interval_ms={} lb_check_interval_ms={} "
                     "etcd_heartbeat_interval_ms={} etcd_election_timeout_ms={} "
                     "lease_duration_ms={} renew_deadline_ms={} retry_period_ms={} "
                     "node_lease_duration_ms={} node_monitor_period_ms={} "
                     "node_monitor_grace_period_ms={} eviction_toleration_ms={}",
                     model::to_string(t.profile), t.vrrp_advert_interval_ms, t.lb_check_interval_ms,
                     t.etcd_heartbeat_interval_ms, t.etcd_election_timeout_ms, t.lease_duration_ms,
                     t.renew_deadline_ms, t.retry_period_ms, t.node_lease_duration_ms,
                     t.node_monitor_period_ms, t.node_monitor_grace_period_ms,
                     t.eviction_toleration_ms);
}

util::Status validate_header(const JournalHeader& header, const std::string& path) {
  auto bad = [&](const std::string& what) {
    return util::fail(journal_error(path, 1, "its header holds " + what));
  };
  if (!kRunsRange.holds(header.runs)) return bad(fmt::format("runs {}", header.runs));
  if (!kFaultSecondsRange.holds(header.fault_seconds))
    return bad(fmt::format("fault_seconds {}", header.fault_seconds));
  if (!kTtlMarginSecondsRange.holds(header.ttl_margin_seconds))
    return bad(fmt::format("ttl_margin_seconds {}", header.ttl_margin_seconds));
  if (!kRecoverySecondsRange.holds(header.recovery_seconds))
    return bad(fmt::format("recovery_seconds {}", header.recovery_seconds));
  if (!host_down_method(header.host_down))
    return bad(fmt::format("host_down \"{}\"", header.host_down));
  if (!model::value_in(model::kTuningProfileNames, header.tuning))
    return bad(fmt::format("tuning \"{}\"", header.tuning));
  for (const std::string& tuning : header.compare_tunings)
    if (!model::value_in(model::kTuningProfileNames, tuning))
      return bad(fmt::format("compare_tunings \"{}\"", tuning));
  if (header.compare_tunings.size() > 1) return bad("more than one tuning to compare");
  if (!header.all && !header.partitions && header.scenarios.empty()) return bad("no scenario");
  return {};
}

std::string journal_key(const std::string& tuning, bool tuning_customised) {
  return tuning + (tuning_customised ? " with the plan's own timings" : "");
}

std::string journal_key(const DrillReport& report) {
  return journal_key(report.tuning, report.tuning_customised);
}

std::string journal_key(const model::Tuning& tuning) {
  return journal_key(model::to_string(tuning.profile), tuning != model::Tuning::of(tuning.profile));
}

util::Result<JournalWriter> JournalWriter::create(const std::string& path,
                                                  const JournalHeader& header) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return util::fail(util::Error::failed_precondition(
        fmt::format("cannot create the drill's journal {}: {}", path, std::strerror(errno)),
        errno == EEXIST ? "a journal is never replaced: name another with --journal, or go on "
                          "with the drill it holds: --resume " +
                              path
                        : "give --journal a path in a directory you can write"));
  JournalWriter writer(path, fd, 0);
  ZEROSPOF_RETURN_IF_ERROR(
      writer.append(line_of({{"format", kFormat}, {"version", kVersion}, {"header", header}})));
  return writer;
}

util::Result<JournalWriter> JournalWriter::reopen(const std::string& path) {
  ZEROSPOF_ASSIGN_OR_RETURN(std::string text, util::read_file(path));
  // A torn last line (no newline: the write that made it never finished) is cut off, so that
  // the next line starts on a line of its own.
  const std::size_t whole = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0 || (whole < text.size() && ::ftruncate(fd, static_cast<off_t>(whole)) != 0)) {
    const int saved = errno;
    if (fd >= 0) ::close(fd);
    return util::fail(util::Error::failed_precondition(
        fmt::format("cannot append to the drill's journal {}: {}", path, std::strerror(saved))));
  }
  return JournalWriter(path, fd, static_cast<off_t>(whole));
}

JournalWriter::JournalWriter(JournalWriter&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      broken_(std::move(other.broken_)) {}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

util::Status JournalWriter::append(const std::string& line) {
  if (broken_) return util::fail(*broken_);
  auto give_up = [&](const char* what) {
    broken_ = util::Error::unavailable(fmt::format(
        "cannot {} the drill's journal {}: {}; it keeps the runs written before, and nothing "
        "more is added to it",
        what, path_, std::strerror(errno)));
    if (::ftruncate(fd_, size_) != 0)
      broken_->message += " (its torn last line stays; a resume drops it)";
    return util::fail(*broken_);
  };
  std::string_view rest = line;
  while (!rest.empty()) {
    ssize_t written = ::write(fd_, rest.data(), rest.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return give_up("write");
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  // On disk before the drill goes on: a machine that goes away loses no finished run.
  if (::fdatasync(fd_) != 0) return give_up("sync");
  size_ += static_cast<off_t>(line.size());
  return {};
}

util::Status JournalWriter::add_tuning(const DrillReport& report) {
  return append(line_of({{"tuning", tuning_json(report)}}));
}

util::Status JournalWriter::add_scenario(const std::string& key, const ScenarioResult& result) {
  return append(line_of({{"of", key}, {"scenario", result}}));
}

util::Status JournalWriter::add_applying(const std::string& key) {
  return append(line_of({{"applying", key}}));
}

util::Status JournalWriter::add_plan_tuning_restored() {
  return append(line_of({{"planTuningRestored", true}}));
}

util::Result<LoadedJournal> load_journal(const std::string& path) {
  ZEROSPOF_ASSIGN_OR_RETURN(std::string text, util::read_file(path));
  LoadedJournal journal;
  int number = 0, version = 0;
  bool header_read = false;
  // Runs cut short and not made again since, by tuning, scenario and run.
  std::set<std::tuple<std::string, std::string, int>> cut_short;
  for (std::size_t begin = 0; begin < text.size();) {
    const std::size_t end = text.find('\n', begin);
    ++number;
    if (end == std::string::npos) {  // the last line's write never finished
      ++journal.torn_lines;
      break;
    }
    const std::string_view line(text.data() + begin, end - begin);
    begin = end + 1;
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_discarded() || !entry.is_object())
      return util::fail(journal_error(path, number, "it is not a JSON object"));
    try {
      if (!header_read) {
        if (entry.value("format", "") != kFormat)
          return util::fail(journal_error(path, number, "its first line names no journal"));
        version = entry.value("version", 0);
        if (version != kVersion && version != 1)
          return util::fail(journal_error(path, number,
                                          fmt::format("version {} (this zerospof reads version {})",
                                                      entry.value("version", 0), kVersion)));
        journal.header = entry.at("header").get<JournalHeader>();
        ZEROSPOF_RETURN_IF_ERROR(validate_header(journal.header, path));
        header_read = true;
      } else if (entry.contains("planTuningRestored")) {
        journal.plan_tuning_restored = true;
      } else if (entry.contains("applying")) {
        journal.plan_tuning_restored = false;  // another tuning is going on
      } else if (entry.contains("tuning")) {
        DrillReport tuning = tuning_from_json(entry.at("tuning"));
        // Any but the first tuning is another than the plan's: applied for it.
        if (!journal.tunings.empty() && journal_key(tuning) != journal_key(journal.tunings[0]))
          journal.plan_tuning_restored = false;
        // A drill resumed starts its tuning again: the later line's fields are the tuning's.
        if (DrillReport* known = tuning_named(journal, journal_key(tuning))) {
          tuning.scenarios = std::move(known->scenarios);
          *known = std::move(tuning);
        } else {
          journal.tunings.push_back(std::move(tuning));
        }
      } else if (entry.contains("scenario")) {
        const std::string of = entry.at("of").get<std::string>();
        DrillReport* tuning = tuning_named(journal, of);
        if (!tuning && version == 1)  // the profile's name alone: one tuning per profile then
          for (DrillReport& by_profile : journal.tunings)
            if (by_profile.tuning == of) tuning = &by_profile;
        if (!tuning)
          return util::fail(journal_error(
              path, number,
              fmt::format("a scenario run of tuning {} before that tuning's line", of)));
        ScenarioResult result = entry.at("scenario").get<ScenarioResult>();
        if (result.interrupted) {
          cut_short.emplace(of, result.name, result.run);
          continue;
        }
        cut_short.erase({of, result.name, result.run});
        std::erase_if(tuning->scenarios, [&](const ScenarioResult& earlier) {
          return earlier.name == result.name && earlier.run == result.run;
        });
        tuning->scenarios.push_back(std::move(result));
      } else {
        return util::fail(journal_error(path, number, "neither a tuning nor a scenario run"));
      }
    } catch (const nlohmann::json::exception& error) {
      return util::fail(journal_error(path, number, error.what()));
    }
  }
  if (!header_read) return util::fail(journal_error(path, 1, "the file holds no header line"));
  journal.interrupted_runs = cut_short.size();
  return journal;
}

const DrillReport* journal_tuning(const LoadedJournal& journal, const std::string& key) {
  return tuning_named(journal, key);
}

bool tuning_complete(const DrillReport& report) {
  return report.scenario_runs_planned > 0 &&
         report.scenarios.size() >= report.scenario_runs_planned;
}

}  // namespace zerospof::drill
