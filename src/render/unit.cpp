#include "render/unit.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace zerospof::render {

std::string unit_text(const Unit& unit) {
  std::vector<std::string> after{"network-online.target"};
  after.insert(after.end(), unit.after.begin(), unit.after.end());
  std::string out = fmt::format(
      "# Rendered by zerospof render; changes are overwritten by the next apply.\n"
      "[Unit]\nDescription={}\nWants=network-online.target\nAfter={}\n"
      "StartLimitIntervalSec=0\n\n[Service]\n",
      unit.description, fmt::join(after, " "));
  if (unit.notify) out += "Type=notify\n";
  out += "ExecStart=" + fmt::format("{}", fmt::join(unit.command, " \\\n  ")) + "\n";
  // Restart quickly but not in a tight loop, and never give up (StartLimitIntervalSec=0 above):
  // a component that stays down is exactly the failure the cluster must heal from by itself.
  out += "Restart=always\nRestartSec=2\nLimitNOFILE=1048576\n\n";
  out += "[Install]\nWantedBy=multi-user.target\n";
  return out;
}

}  // namespace zerospof::render
