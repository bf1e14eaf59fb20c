// The bundle's index (render.h): built from the unit entries the parts of render attach to the
// unit files they make, written beside the bundle as JSON and read back by apply.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "render/layout.h"
#include "render/render.h"

namespace zerospof::render {

namespace {
// 2: each unit's `after` (the units it starts after), which apply orders a host's restarts by.
constexpr int kIndexSchema = 2;
}  // namespace

std::vector<std::string> HostEntry::programs() const {
  std::set<std::string> programs;
  for (const auto& unit : units)
    if (!unit.program.empty()) programs.insert(unit.program);
  return {programs.begin(), programs.end()};
}

const HostEntry* BundleIndex::find(const std::string& host) const {
  for (const auto& entry : hosts)
    if (entry.host == host) return &entry;
  return nullptr;
}

BundleIndex index_of(const std::vector<File>& files) {
  std::map<std::string, HostEntry> by_host;
  for (const auto& file : files)
    if (file.unit) by_host[file.host].units.push_back(*file.unit);
  // A Debian package's unit runs where render wrote its configuration.
  for (const auto& [config, unit] : layout::kEndpointPackageUnits)
    for (const auto& file : files)
      if (file.path == config) by_host[file.host].units.push_back({.unit = unit});
  BundleIndex index;
  for (auto& [host, entry] : by_host) {
    entry.host = host;
    index.hosts.push_back(std::move(entry));
  }
  return index;
}

std::string index_json(const BundleIndex& index) {
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& host : index.hosts) {
    nlohmann::json units = nlohmann::json::array();
    for (const auto& unit : host.units)
      units.push_back({{"unit", unit.unit},
                       {"program", unit.program},
                       {"flags", unit.flags},
                       {"after", unit.after}});
    hosts.push_back({{"host", host.host}, {"units", units}});
  }
  nlohmann::json out{{"schema", kIndexSchema},
                     {"writtenBy", "zerospof render: what runs where, for zerospof apply"},
                     {"hosts", hosts}};
  return out.dump(2) + "\n";
}

util::Result<BundleIndex> parse_index_json(const std::string& text, const std::string& path) {
  auto refuse = [&](const std::string& what) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("{}: {}", path, what),
        "render the plan again with this zerospof (zerospof render PLAN --output-dir DIR)"));
  };
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return refuse("not the JSON index render writes");
  if (json.value("schema", 0) != kIndexSchema)
    return refuse(fmt::format("index schema {} where this zerospof reads {}",
                              json.value("schema", 0), kIndexSchema));
  BundleIndex index;
  try {
    for (const auto& host : json.at("hosts")) {
      HostEntry entry{.host = host.at("host").get<std::string>()};
      for (const auto& unit : host.at("units"))
        entry.units.push_back({.unit = unit.at("unit").get<std::string>(),
                               .program = unit.at("program").get<std::string>(),
                               .flags = unit.at("flags").get<std::map<std::string, std::string>>(),
                               .after = unit.at("after").get<std::vector<std::string>>()});
      index.hosts.push_back(std::move(entry));
    }
  } catch (const nlohmann::json::exception& error) {
    return refuse(fmt::format("not the index render writes ({})", error.what()));
  }
  return index;
}

}  // namespace zerospof::render
