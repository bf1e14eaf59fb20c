#include "lab/partition.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "lab/netns.h"
#include "util/process.h"
#include "util/strings.h"

namespace zerospof::lab {
namespace {

constexpr const char* kTable = "zerospof_lab_partition";

util::Error bad_spec(const std::string& spec, const std::string& why) {
  return util::Error::invalid_input(fmt::format("partition \"{}\": {}", spec, why), {},
                                    "write groups of host names as A,B/C,D,E");
}

const std::vector<std::string>* group_of(const Groups& groups, const std::string& host) {
  for (const auto& group : groups) {
    if (std::find(group.begin(), group.end(), host) != group.end()) return &group;
  }
  return nullptr;
}

util::Status nft_in(const std::string& host, const std::string& script) {
  util::RunOptions options;
  options.timeout = std::chrono::seconds(10);
  options.input = script;
  ZEROSPOF_ASSIGN_OR_RETURN(
      auto output,
      util::run_checked({"ip", "netns", "exec", host_namespace(host), "nft", "-f", "-"}, options));
  (void)output;
  return {};
}

}  // namespace

util::Result<Groups> parse_partition(const std::string& spec, const LabState& state) {
  Groups groups;
  std::set<std::string> seen;
  for (const auto& group_text : util::split(spec, '/')) {
    if (group_text.empty()) return util::fail(bad_spec(spec, "a group is empty"));
    std::vector<std::string> group;
    for (const auto& name : util::split(group_text, ',')) {
      if (name.empty()) return util::fail(bad_spec(spec, "a host name is empty"));
      if (!state.find(name)) {
        return util::fail(bad_spec(spec, fmt::format("the lab has no host \"{}\"", name)));
      }
      if (!seen.insert(name).second) {
        return util::fail(bad_spec(spec, fmt::format("\"{}\" is in two groups", name)));
      }
      group.push_back(name);
    }
    groups.push_back(std::move(group));
  }
  if (groups.size() < 2) return util::fail(bad_spec(spec, "it needs at least two groups"));
  return groups;
}

std::string partition_rules(const LabState& state, const Groups& groups, const std::string& host) {
  const auto* own = group_of(groups, host);
  if (own == nullptr) return {};
  std::vector<std::string> others;
  for (const auto& record : state.hosts) {
    const auto* group = group_of(groups, record.name);
    if (group != nullptr && group != own) others.push_back(record.address.to_string());
  }
  std::string set;
  for (const auto& address : others) set += (set.empty() ? "" : ", ") + address;
  // Re-creating the table makes a second partition replace the first instead of adding to it.
  return fmt::format(
      "table inet {0}\ndelete table inet {0}\n"
      "table inet {0} {{\n"
      "  chain input {{ type filter hook input priority -200; ip saddr {{ {1} }} drop; }}\n"
      "  chain output {{ type filter hook output priority -200; ip daddr {{ {1} }} drop; }}\n"
      "}}\n",
      kTable, set);
}

util::Status apply_partition(const LabState& state, const Groups& groups) {
  ZEROSPOF_RETURN_IF_ERROR(heal_partition(state));
  for (const auto& host : state.hosts) {
    std::string rules = partition_rules(state, groups, host.name);
    if (!rules.empty()) ZEROSPOF_RETURN_IF_ERROR(nft_in(host.name, rules));
  }
  return {};
}

util::Status heal_partition(const LabState& state) {
  for (const auto& host : state.hosts) {
    // Declaring the table first makes the delete succeed whether or not it existed.
    ZEROSPOF_RETURN_IF_ERROR(
        nft_in(host.name, fmt::format("table inet {0}\ndelete table inet {0}\n", kTable)));
  }
  return {};
}

}  // namespace zerospof::lab
