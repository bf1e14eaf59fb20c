// What `zerospof drill` was given on its command line, as plain values: the command
// (drill_cmd.cpp) acts on them, and --resume (drill_resume.h) fills in what its journal keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zerospof::cli {

struct DrillFlags {
  std::string plan_file;
  std::vector<std::string> scenarios;
  bool all = false;
  bool partitions = false;
  bool list = false;
  bool heal = false;
  int runs = 1;
  std::optional<std::uint64_t> seed;
  std::string kubeconfig;
  std::string apply_state_dir;
  std::string state_dir;
  std::string known_hosts;
  bool lab = false;
  std::string host_down;  // "": crash on the lab, isolate elsewhere
  bool allow_reboot = false;
  bool status_during_fault = false;
  bool no_data_plane = false;
  std::string lab_dir = "/var/lib/zerospof/lab";
  int fault_seconds = 10;
  int ttl_margin_seconds = 60;
  int recovery_seconds = 120;
  std::string output = "text";
  std::string json_file;
  std::string html_file;
  std::string journal_file;  // "": a new one in the state directory
  std::string resume_file;
  // The flags given that say what to drill: --resume takes all of that from its journal.
  std::vector<std::string> drill_defining_flags;
  // --compare-tuning: the other tuning, and what re-applying the cluster needs (as apply's flags)
  std::string compare_tuning;
  std::string pki_dir;
  std::string binary_cache;
  std::string upstream_dir;
};

}  // namespace zerospof::cli
