#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "apply/steps.h"
#include "render/layout.h"
#include "util/files.h"
#include "util/terminal.h"

namespace zerospof::apply {
namespace {

using render::layout::binary_path;
using render::layout::installed_path;

// What is pushed alongside a program the units start: the client each server is checked with,
// and what containerd runs from PATH (/usr/local/bin is on systemd's): its shim, runc and ctr.
// With containerd also the CNI plugins and image archives of the lab's real pods, which only the
// lab's cache holds (lab/binaries/build.sh; a cache `zerospof fetch` filled for real hosts has
// neither: there the plan's CNI installs its plugins and the registries serve the images).
const std::multimap<std::string, std::string> kCompanions{{"etcd", "etcdctl"},
                                                          {"kube-apiserver", "kubectl"},
                                                          {"containerd", "containerd-shim-runc-v2"},
                                                          {"containerd", "runc"},
                                                          {"containerd", "ctr"},
                                                          {"containerd", "cni-bridge"},
                                                          {"containerd", "cni-host-local"},
                                                          {"containerd", "cni-loopback"},
                                                          {"containerd", "cni-portmap"},
                                                          {"containerd", "image-pause.tar"},
                                                          {"containerd", "image-coredns.tar"},
                                                          {"containerd", "image-agnhost.tar"},
                                                          {"containerd", "image-etcd.tar"}};

}  // namespace

util::Result<std::shared_ptr<const std::string>> BinaryContents::get(const Binary& binary) {
  std::lock_guard lock(mutex_);
  auto found = loaded_.find(binary.name);
  if (found != loaded_.end()) return found->second;
  ZEROSPOF_ASSIGN_OR_RETURN(std::string content, util::read_file(binary.local_path));
  auto shared = std::make_shared<const std::string>(std::move(content));
  loaded_[binary.name] = shared;
  return shared;
}

std::vector<Binary> binaries_for(const std::vector<std::string>& programs,
                                 const std::vector<Binary>& cache) {
  std::set<std::string> names;
  for (const auto& program : programs) {
    names.insert(program);
    auto [first, last] = kCompanions.equal_range(program);
    for (auto companion = first; companion != last; ++companion) names.insert(companion->second);
  }
  std::vector<Binary> needed;
  for (const auto& binary : cache) {
    if (names.count(binary.name) != 0) needed.push_back(binary);
  }
  return needed;
}

std::vector<std::string> binaries_missing_from_cache(const std::vector<std::string>& programs,
                                                     const std::vector<Binary>& cache) {
  std::vector<std::string> missing;
  for (const auto& program : programs)
    if (std::none_of(cache.begin(), cache.end(),
                     [&](const Binary& binary) { return binary.name == program; }))
      missing.push_back(program);
  return missing;
}

// What a stamp records of an installed binary: device, inode, size and status-change time
// (which every write, rename or chmod moves and no user can set back), as git's index does.
// `quoted_target` is already quoted for the shell.
std::string stat_command(const std::string& quoted_target) {
  return "stat -c '%d:%i:%s:%.9Z' " + quoted_target;
}

// Uploads to a hidden file beside the target, checks the sha256 on the host itself (what
// arrived is what the manifest pins), then renames: a binary in place is always a whole,
// verified one. A stamp beside the apply's service digests then records the verified file, so
// that a later check compares a stat() with the stamp instead of hashing hundreds of MB on
// every host. Any change to the file since (a write, a replacement, a chmod) fails the
// comparison and the binary is verified, or uploaded, again.
util::Result<Ids> add_binary_steps(StepGraph& graph, const std::string& host,
                                   const std::vector<Binary>& binaries,
                                   std::shared_ptr<BinaryContents> contents, Ids deps) {
  Ids ids;
  for (const auto& binary : binaries) {
    const std::string installed = installed_path(binary.name);
    std::string target = transport::shell_quote(installed);
    std::string staged_path = fmt::format("{}/.{}.zerospof-upload",
                                          installed.substr(0, installed.rfind('/')), binary.name);
    std::string staged = transport::shell_quote(staged_path);
    std::string stamp =
        transport::shell_quote(fmt::format("{}/binary-{}", kAppliedDir, binary.name));
    // The stamp, written atomically, of a target just verified.
    std::string write_stamp = fmt::format(
        "mkdir -p {0} && s=$({1}) && printf '%s %s\\n' {2} \"$s\" > {3}.tmp && mv -f {3}.tmp {3}",
        kAppliedDir, stat_command(target), binary.sha256, stamp);
    std::string id = fmt::format("binary/{}@{}", binary.name, host);
    ZEROSPOF_RETURN_IF_ERROR(graph.add(Step{
        .id = id,
        .host = host,
        .summary = fmt::format("install {} {}", binary.name, binary.version),
        .deps = deps,
        .check = [=](transport::Transport& t) -> util::Result<bool> {
          std::string probe = fmt::format("s=$({}) && [ \"{} $s\" = \"$(cat {} 2>/dev/null)\" ]",
                                          stat_command(target), binary.sha256, stamp);
          ZEROSPOF_ASSIGN_OR_RETURN(auto result, t.run(host, {.script = probe}));
          return result.succeeded();
        },
        .run = [=](transport::Transport& t) -> util::Status {
          // Already the pinned binary (installed before stamps, or the stamp lost): stamp it.
          std::string verified = fmt::format("echo {}'  '{} | sha256sum -c --quiet >/dev/null 2>&1",
                                             binary.sha256, target);
          ZEROSPOF_ASSIGN_OR_RETURN(auto present, t.run(host, {.script = verified}));
          if (!present.succeeded()) {
            ZEROSPOF_ASSIGN_OR_RETURN(auto content, contents->get(binary));
            ZEROSPOF_RETURN_IF_ERROR(t.put_file(
                host, {staged_path, *content, binary.name.starts_with("image-") ? 0644u : 0755u}));
            std::string install =
                fmt::format("echo {0}'  '{1} | sha256sum -c --quiet && mv -f {1} {2}",
                            binary.sha256, staged, target);
            ZEROSPOF_ASSIGN_OR_RETURN(auto out,
                                      transport::run_checked(t, host, {.script = install}));
            (void)out;
          }
          ZEROSPOF_ASSIGN_OR_RETURN(auto out,
                                    transport::run_checked(t, host, {.script = write_stamp}));
          (void)out;
          return {};
        },
    }));
    ids.push_back(id);
  }
  return ids;
}

}  // namespace zerospof::apply
