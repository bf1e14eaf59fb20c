// A drill made in parts: the journal header a new drill writes from its flags, the flags a
// resumed drill takes back from its journal (refusing any that would change the drill), and
// the command that resumes it, printed at the start because the journal does not keep where
// the cluster's files are.
#pragma once

#include <cstdint>
#include <string>

#include "cli/drill_flags.h"
#include "drill/fault.h"
#include "drill/journal.h"
#include "model/cluster.h"
#include "util/error.h"

namespace zerospof::cli {

// --resume: loads the journal and sets `flags` to the drill it holds (the reports it wrote
// unless others are named now); a flag that would change that drill is an error.
util::Result<drill::LoadedJournal> resume_from_journal(DrillFlags& flags);

// What a new drill writes first in its journal.
drill::JournalHeader new_journal_header(const DrillFlags& flags, const model::Cluster& cluster,
                                        std::uint64_t seed, drill::HostDownMethod host_down);

// STATE_DIR/journal-YYYYMMDDTHHMMSSZ-seed-N.jsonl: when it began and its seed.
std::string default_journal_path(const std::string& state_dir, std::uint64_t seed);

// `zerospof drill PLAN [--lab] [where flags] --resume JOURNAL`, quoted for a shell.
std::string resume_command(const DrillFlags& flags, const std::string& journal);

}  // namespace zerospof::cli
