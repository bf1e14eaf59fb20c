#include <fmt/format.h>

#include "apply/steps.h"

namespace zerospof::apply {
namespace {

// FNV-1a, 64 bits: enough to notice a change, not a security boundary.
class Fnv {
 public:
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) hash_ = (hash_ ^ c) * 1099511628211ULL;
    hash_ = (hash_ ^ 0xff) * 1099511628211ULL;  // separator, so "ab"+"c" != "a"+"bc"
  }
  std::string hex() const { return fmt::format("{:016x}", hash_); }

 private:
  std::uint64_t hash_ = 14695981039346656037ULL;
};

// Restarts the unit (or, with `reload`, reloads it in place when it runs: systemd's
// reload-or-restart) and waits (bounded) until it is active and stays so for a second without
// systemd restarting it: a crash-looping service must fail the step, not pass it.
std::string restart_and_settle(const std::string& unit, std::chrono::seconds wait, bool reload) {
  return fmt::format(
      "systemctl {2} {0} && n=$(systemctl show -p NRestarts --value {0}) && i=0 && "
      "while [ $i -lt {1} ] && [ \"$(systemctl is-active {0})\" = activating ]; do sleep 1; "
      "i=$((i+1)); done && sleep 1 && systemctl is-active --quiet {0} && "
      "[ \"$(systemctl show -p NRestarts --value {0})\" = \"$n\" ]",
      unit, wait.count(), reload ? "reload-or-restart" : "restart");
}

}  // namespace

std::string inputs_digest(const std::vector<transport::FileSpec>& files,
                          const std::vector<Binary>& binaries) {
  Fnv fnv;
  for (const auto& file : files) {
    fnv.add(file.path);
    fnv.add(fmt::format("{:o}", file.mode));
    fnv.add(file.content);
  }
  for (const auto& binary : binaries) fnv.add(binary.name + binary.sha256);
  return fnv.hex();
}

// Done when the unit is enabled, active, and last started from the same inputs (a stamp
// written after the start). A change of any input restarts it; a kill between writing files
// and restarting leaves the old stamp, so the next apply restarts it.
util::Result<std::string> add_service_step(StepGraph& graph, const std::string& host,
                                           const ServiceSpec& service, Ids deps) {
  std::string unit = transport::shell_quote(service.unit);
  std::string stamp = transport::shell_quote(fmt::format("{}/{}", kAppliedDir, service.unit));
  std::string id = fmt::format("service/{}@{}", service.unit, host);
  std::string check = fmt::format(
      "systemctl is-enabled --quiet {0} && systemctl is-active --quiet {0} && "
      "[ \"$(cat {1} 2>/dev/null)\" = {2} ]",
      unit, stamp, service.digest);
  // On failure, the unit's first error line from the journal is what the person sees.
  std::string start = fmt::format(
      "if systemctl daemon-reload && systemctl enable --quiet {0} && {{ {3}; }}; then "
      "echo {2} > {1}.new && mv -f {1}.new {1}; else "
      "journalctl -u {0} -n 30 --no-pager -o cat | grep -iE 'error|fail|invalid' | head -1 >&2; "
      "exit 1; fi",
      unit, stamp, service.digest,
      service.restart.empty() ? restart_and_settle(unit, service.wait, service.reload_in_place)
                              : service.restart);
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(service.wait);
  return add_script_step(graph, {.id = id,
                                 .host = host,
                                 .summary = fmt::format("start {}", service.unit),
                                 .probe = check,
                                 .action = start,
                                 .timeout = timeout,
                                 .deps = std::move(deps)});
}

}  // namespace zerospof::apply
