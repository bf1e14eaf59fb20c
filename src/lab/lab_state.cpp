#include "lab/lab_state.h"

#include <fmt/format.h>

#include <sstream>

#include "util/files.h"

namespace zerospof::lab {
namespace {

util::Error corrupt(const std::string& line) {
  return util::Error::failed_precondition(
      fmt::format("the lab state file is damaged near \"{}\"", line),
      "run `zerospof lab down` and `zerospof lab up` again");
}

util::Result<model::IpAddress> parse_address(const std::string& text, const std::string& line) {
  auto address = model::IpAddress::parse(text);
  if (!address) return util::fail(corrupt(line));
  return *address;
}

// One "key value..." line of lab.state into `state`.
util::Status parse_line(const std::string& line, LabState& state) {
  std::istringstream words(line);
  std::string key, value;
  words >> key >> value;
  if (key == "subnet") {
    auto subnet = model::Cidr::parse(value);
    if (!subnet) return util::fail(corrupt(line));
    state.subnet = *subnet;
  } else if (key == "operator") {
    ZEROSPOF_ASSIGN_OR_RETURN(state.operator_address, parse_address(value, line));
  } else if (key == "vip") {
    ZEROSPOF_ASSIGN_OR_RETURN(state.vip, parse_address(value, line));
  } else if (key == "host") {
    HostRecord host;
    std::string address;
    host.name = value;
    if (!(words >> host.index >> address)) return util::fail(corrupt(line));
    ZEROSPOF_ASSIGN_OR_RETURN(host.address, parse_address(address, line));
    state.hosts.push_back(host);
  } else if (!key.empty()) {
    return util::fail(corrupt(line));
  }
  return {};
}

}  // namespace

const HostRecord* LabState::find(const std::string& name) const {
  for (const auto& host : hosts) {
    if (host.name == name) return &host;
  }
  return nullptr;
}

std::string to_text(const LabState& state) {
  std::string text = fmt::format("subnet {}\noperator {}\nvip {}\n", state.subnet.to_string(),
                                 state.operator_address.to_string(), state.vip.to_string());
  for (const auto& host : state.hosts) {
    text += fmt::format("host {} {} {}\n", host.name, host.index, host.address.to_string());
  }
  return text;
}

util::Result<LabState> parse_state(const std::string& text) {
  LabState state;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) ZEROSPOF_RETURN_IF_ERROR(parse_line(line, state));
  if (state.hosts.empty()) return util::fail(corrupt("(no hosts)"));
  ZEROSPOF_RETURN_IF_ERROR(require_lab_address(state.operator_address));
  ZEROSPOF_RETURN_IF_ERROR(require_lab_address(state.vip));
  for (const auto& host : state.hosts) ZEROSPOF_RETURN_IF_ERROR(require_lab_address(host.address));
  return state;
}

util::Result<LabState> load_state(const LabFiles& files) {
  if (!std::filesystem::exists(files.state_file())) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("no lab is up (no {})", files.state_file().string()),
        "run `zerospof lab up` first"));
  }
  ZEROSPOF_ASSIGN_OR_RETURN(std::string text, util::read_file(files.state_file().string()));
  return parse_state(text);
}

util::Status save_state(const LabFiles& files, const LabState& state) {
  return util::write_file_atomic(files.state_file().string(), to_text(state),
                                 {.mode = 0644, .overwrite = true});
}

util::Result<const HostRecord*> find_host(const LabState& state, const std::string& name) {
  if (const HostRecord* host = state.find(name)) return host;
  std::string names;
  for (const auto& host : state.hosts) names += (names.empty() ? "" : ", ") + host.name;
  return util::fail(util::Error::invalid_input(
      fmt::format("the lab has no host named \"{}\"", name), {}, "lab hosts: " + names));
}

}  // namespace zerospof::lab
