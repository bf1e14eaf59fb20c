#include <fmt/format.h>

#include <set>
#include <sstream>

#include "apply/steps.h"
#include "util/files.h"

namespace zerospof::apply {
namespace {

constexpr const char* kBinDir = "/usr/local/bin";

// The client each server binary is checked with, pushed alongside it.
const std::map<std::string, std::string> kCompanions{{"etcd", "etcdctl"},
                                                     {"kube-apiserver", "kubectl"}};

bool mentions(const std::vector<transport::FileSpec>& files, const std::string& path) {
  for (const auto& file : files) {
    std::size_t at = file.content.find(path);
    while (at != std::string::npos) {
      std::size_t end = at + path.size();
      bool word_ends =
          end == file.content.size() ||
          std::string_view(" \t\n\"'\\").find(file.content[end]) != std::string_view::npos;
      if (word_ends) return true;
      at = file.content.find(path, end);
    }
  }
  return false;
}

}  // namespace

util::Result<std::vector<Binary>> load_binary_cache(const std::string& cache_dir) {
  ZEROSPOF_ASSIGN_OR_RETURN(std::string manifest, util::read_file(cache_dir + "/manifest"));
  std::vector<Binary> binaries;
  std::istringstream lines(manifest);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    Binary binary;
    if (!(fields >> binary.name >> binary.version >> binary.sha256) || binary.sha256.size() != 64) {
      return util::fail(util::Error::failed_precondition(
          fmt::format("{}/manifest: cannot read the line \"{}\"", cache_dir, line),
          "rebuild the cache (lab/binaries/build.sh)"));
    }
    binary.local_path = cache_dir + "/" + binary.name;
    binaries.push_back(std::move(binary));
  }
  return binaries;
}

util::Result<std::shared_ptr<const std::string>> BinaryContents::get(const Binary& binary) {
  std::lock_guard lock(mutex_);
  auto found = loaded_.find(binary.name);
  if (found != loaded_.end()) return found->second;
  ZEROSPOF_ASSIGN_OR_RETURN(std::string content, util::read_file(binary.local_path));
  auto shared = std::make_shared<const std::string>(std::move(content));
  loaded_[binary.name] = shared;
  return shared;
}

std::vector<Binary> binaries_for(const std::vector<transport::FileSpec>& files,
                                 const std::vector<Binary>& cache) {
  std::set<std::string> names;
  for (const auto& binary : cache) {
    if (!mentions(files, fmt::format("{}/{}", kBinDir, binary.name))) continue;
    names.insert(binary.name);
    auto companion = kCompanions.find(binary.name);
    if (companion != kCompanions.end()) names.insert(companion->second);
  }
  std::vector<Binary> needed;
  for (const auto& binary : cache) {
    if (names.count(binary.name) != 0) needed.push_back(binary);
  }
  return needed;
}

// Uploads to a hidden file beside the target, checks the sha256 on the host itself (what
// arrived is what the manifest pins), then renames: a binary in place is always a whole,
// verified one.
util::Result<Ids> add_binary_steps(StepGraph& graph, const std::string& host,
                                   const std::vector<Binary>& binaries,
                                   std::shared_ptr<BinaryContents> contents, Ids deps) {
  Ids ids;
  for (const auto& binary : binaries) {
    std::string target = fmt::format("{}/{}", kBinDir, binary.name);
    std::string staged = fmt::format("{}/.{}.zerospof-upload", kBinDir, binary.name);
    std::string id = fmt::format("binary/{}@{}", binary.name, host);
    ZEROSPOF_RETURN_IF_ERROR(graph.add(Step{
        .id = id,
        .host = host,
        .summary = fmt::format("install {} {}", binary.name, binary.version),
        .deps = deps,
        .check = [=](transport::Transport& t) -> util::Result<bool> {
          ZEROSPOF_ASSIGN_OR_RETURN(
              auto result, t.run(host, {.script = "sha256sum " + transport::shell_quote(target)}));
          return result.succeeded() && result.out.rfind(binary.sha256 + " ", 0) == 0;
        },
        .run = [=](transport::Transport& t) -> util::Status {
          ZEROSPOF_ASSIGN_OR_RETURN(auto content, contents->get(binary));
          ZEROSPOF_RETURN_IF_ERROR(t.put_file(host, {staged, *content, 0755}));
          std::string verify =
              fmt::format("echo {0}'  '{1} | sha256sum -c --quiet && mv -f {1} {2}", binary.sha256,
                          transport::shell_quote(staged), transport::shell_quote(target));
          ZEROSPOF_ASSIGN_OR_RETURN(auto out, transport::run_checked(t, host, {.script = verify}));
          (void)out;
          return {};
        },
    }));
    ids.push_back(id);
  }
  return ids;
}

}  // namespace zerospof::apply
