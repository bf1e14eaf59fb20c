#include "render/unit.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "render/layout.h"

namespace zerospof::render {
namespace {

// The units it starts after, besides network-online.target: its `after`, then each unit it
// wants that `after` does not name. One list for the unit's After= and for apply's order.
std::vector<std::string> starts_after(const Unit& unit) {
  std::vector<std::string> after = unit.after;
  for (const std::string& wanted : unit.wants)
    if (std::find(after.begin(), after.end(), wanted) == after.end()) after.push_back(wanted);
  return after;
}

}  // namespace

std::string unit_text(const Unit& unit) {
  std::vector<std::string> after{"network-online.target"}, wants{"network-online.target"};
  for (std::string& each : starts_after(unit)) after.push_back(std::move(each));
  wants.insert(wants.end(), unit.wants.begin(), unit.wants.end());
  std::string out = fmt::format(
      "# Rendered by zerospof render; changes are overwritten by the next apply.\n"
      "[Unit]\nDescription={}\nWants={}\nAfter={}\n"
      "StartLimitIntervalSec=0\n\n[Service]\n",
      unit.description, fmt::join(wants, " "), fmt::join(after, " "));
  if (unit.type == StartType::kNotify) out += "Type=notify\n";
  if (unit.type == StartType::kOneshot) out += "Type=oneshot\nRemainAfterExit=yes\n";
  for (const auto& variable : unit.environment) out += "Environment=" + variable + "\n";
  for (const auto& command : unit.before_start)
    out += "ExecStartPre=" + fmt::format("{}", fmt::join(command, " ")) + "\n";
  out += "ExecStart=" + fmt::format("{}", fmt::join(unit.command, " \\\n  ")) + "\n";
  if (unit.keeps_children) out += "Delegate=yes\nKillMode=process\nTasksMax=infinity\n";
  if (unit.nice != 0) out += fmt::format("Nice={}\n", unit.nice);
  if (unit.cpu_weight != 0) out += fmt::format("CPUWeight={}\n", unit.cpu_weight);
  if (unit.oom_score_adjust != 0) out += fmt::format("OOMScoreAdjust={}\n", unit.oom_score_adjust);
  // Restart quickly but not in a tight loop, and never give up (StartLimitIntervalSec=0 above):
  // a component that stays down is exactly the failure the cluster must heal from by itself.
  if (unit.type != StartType::kOneshot) out += "Restart=always\nRestartSec=2\n";
  out += "LimitNOFILE=1048576\n\n";
  out += "[Install]\nWantedBy=multi-user.target\n";
  return out;
}

UnitEntry unit_entry(const std::string& name, const Unit& unit) {
  UnitEntry entry{.unit = name, .after = starts_after(unit)};
  const std::string bin = std::string(layout::kBinDir) + "/";
  if (!unit.command.empty() && unit.command.front().rfind(bin, 0) == 0)
    entry.program = unit.command.front().substr(bin.size());
  for (std::size_t i = 1; i < unit.command.size(); ++i) {
    const std::string& word = unit.command[i];
    if (word.rfind("--", 0) != 0) continue;
    std::size_t equals = word.find('=');
    if (equals == std::string::npos)
      entry.flags[word.substr(2)] = "";
    else
      entry.flags[word.substr(2, equals - 2)] = word.substr(equals + 1);
  }
  return entry;
}

}  // namespace zerospof::render
