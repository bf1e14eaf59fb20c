// The drill's journal: every scenario run it finishes, in full, appended to a file as one JSON
// line the moment it is judged, so that a drill stopped by the operator, killed, or whose
// machine went away can go on where it stopped (`drill --resume JOURNAL`) and write the same
// reports as if it had run in one go. A drill of every scenario, five runs, both tunings, takes
// longer than many operators can keep a session (3.3 hours on the lab); it is made in parts.
//
// Guarantees: a new journal never replaces a file; each line is written with one write() and
// synced before the drill goes on, so a crash can tear at most the last line, which loading
// drops and counts; any other line that does not parse is an error naming file:line. A loaded
// scenario run is what was judged, every field the reports show (each request of each probe,
// the events, status's view), except the API history: it was checked when the run was judged
// (`linearizable` keeps the verdict), and is left out to keep the journal a fraction of its
// size. A run that was interrupted is not kept as done: it runs again on resume.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drill/record.h"
#include "model/cluster.h"
#include "util/error.h"

namespace zerospof::drill {

// What a drill was asked to do, as its command gave it: a resumed drill does the same, and
// refuses a plan that is not this one.
struct JournalHeader {
  std::string cluster;  // the plan's cluster name
  std::string tuning;   // the plan's tuning profile
  std::vector<std::string> scenarios;
  bool all = false;
  bool partitions = false;
  int runs = 1;
  std::uint64_t seed = 0;
  std::vector<std::string> compare_tunings;
  int fault_seconds = 10;
  int ttl_margin_seconds = 60;
  int recovery_seconds = 120;
  bool lab = false;
  std::string host_down;  // to_string(HostDownMethod)
  bool status_during_fault = false;
  bool data_plane = true;
  std::string json_file;  // the reports it wrote, written again by a resumed drill
  std::string html_file;
  std::string started;  // UTC, ISO 8601
  // What the drill's figures depend on in the plan, as plan_shape() gives it: a resumed drill
  // refuses a plan whose nodes or timings changed since ("": a journal from before it was kept).
  std::string plan_shape;
};

// The plan's nodes with their roles and every timing of its tuning, one readable line:
// "micklethefickle(control-plane,etcd) ...; fast: vrrp_advert_interval_ms=200 ...".
std::string plan_shape(const model::Cluster& cluster);

// Checks a loaded header's values as the command's flags are checked: a journal edited by hand
// must not reach the drill with a run count or a way down it would never accept.
util::Status validate_header(const JournalHeader& header, const std::string& path);

// The name a tuning's runs go under in the journal: its profile, and for a plan that sets
// timings of its own, that said, so that `--compare-tuning fast` beside a plan of fast with its
// own timings keeps two tunings apart.
std::string journal_key(const std::string& tuning, bool tuning_customised);
std::string journal_key(const DrillReport& report);
std::string journal_key(const model::Tuning& tuning);  // the tuning a cluster runs

struct LoadedJournal {
  JournalHeader header;
  // One report per tuning, in the order they were drilled, each with the scenario runs that
  // finished (not the interrupted ones) in the order they ran; `compared` is empty.
  std::vector<DrillReport> tunings;
  // Cut short by a stop and not made again since: not kept, they run again.
  std::size_t interrupted_runs = 0;
  std::size_t torn_lines = 0;  // a last line a crash cut off: dropped
  // With --compare-tuning: whether the plan's tuning went back on after the last time another
  // was applied (false: the drill stopped before, and the cluster may run the other).
  bool plan_tuning_restored = true;
};

class JournalWriter {
 public:
  // A new journal at `path`, which must not exist yet; its first line is `header`.
  static util::Result<JournalWriter> create(const std::string& path, const JournalHeader& header);
  // Goes on appending to a journal that load_journal read (a torn last line is cut off first).
  static util::Result<JournalWriter> reopen(const std::string& path);
  JournalWriter(JournalWriter&& other) noexcept;
  JournalWriter& operator=(JournalWriter&&) = delete;
  JournalWriter(const JournalWriter&) = delete;
  ~JournalWriter();

  // The tuning's own fields (cluster, tuning, seed, endpoint, notes, runs planned): written when
  // a drill of that tuning starts; the scenario runs after it are that tuning's.
  util::Status add_tuning(const DrillReport& report);
  util::Status add_scenario(const std::string& key, const ScenarioResult& result);
  // Another tuning than the plan's is about to be applied (before apply starts: a drill killed
  // in it left the cluster part on that tuning), and the plan's is on the cluster again.
  util::Status add_applying(const std::string& key);
  util::Status add_plan_tuning_restored();

  const std::string& path() const { return path_; }

 private:
  JournalWriter(std::string path, int descriptor, off_t size)
      : path_(std::move(path)), fd_(descriptor), size_(size) {}
  // A line that could not be written whole is cut off again, and nothing is appended after it:
  // the journal stays loadable up to the last line that was.
  util::Status append(const std::string& line);
  std::string path_;
  int fd_ = -1;
  off_t size_ = 0;  // after the last line written whole
  std::optional<util::Error> broken_;
};

util::Result<LoadedJournal> load_journal(const std::string& path);

// The runs under `key` (journal_key) in `journal` (nullptr: none), and whether every run it
// planned is there.
const DrillReport* journal_tuning(const LoadedJournal& journal, const std::string& key);
bool tuning_complete(const DrillReport& report);

}  // namespace zerospof::drill
