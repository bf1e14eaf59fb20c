// Shared by the render tests (header-only: the test glob compiles *_test.cpp): the built-in plan
// with addresses (VIP mode, and a local-proxy variant) rendered once per test binary into a
// temporary directory with its own PKI, and helpers to find files and to run the real validating
// programs.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "model/cluster.h"
#include "model/pinned_versions.h"
#include "render/render.h"
#include "support/loopback_port.h"
#include "support/scratch_directory.h"
#include "support/test_plans.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::render::testing {

using zerospof::testing::unclaimed_loopback_port;

struct Rendered {
  model::Cluster cluster;
  RenderOptions options;
  Bundle bundle;
  std::string directory;  // written with write_bundle
};

enum class Variant { kVip, kLocalProxy, kLab, kKubeadmGuide, kLabRealPods };

std::string temporary_directory(const std::string& name);

namespace detail {

inline std::string plan_text(Variant variant) {
  std::string text = zerospof::testing::addressed_plan();
  if (variant == Variant::kLocalProxy) {
    text = zerospof::testing::replace_once(text, "mode: vip", "mode: local-proxy");
    text = zerospof::testing::replace_once(text, "    address: 198.18.7.100\n", "");
  }
  if (variant == Variant::kKubeadmGuide)
    text = zerospof::testing::replace_once(text, "    serviceMesh: none\n",
                                           "    serviceMesh: none\n  tuning:\n"
                                           "    profile: kubeadm-guide\n");
  return text;
}

inline Rendered make(Variant variant) {
  Rendered result;
  result.cluster = zerospof::testing::load_plan(plan_text(variant));
  std::string base = temporary_directory("render-" + std::to_string(static_cast<int>(variant)));
  result.options.pki_dir = base + "/pki";
  result.options.upstream_dir = zerospof::testing::shared_path("upstream");
  result.options.lab = variant == Variant::kLab || variant == Variant::kLabRealPods;
  result.options.lab_real_pods = variant == Variant::kLabRealPods;
  auto bundle = render(result.cluster, result.options);
  if (!bundle) ADD_FAILURE() << util::format_error(bundle.error());
  if (bundle) result.bundle = std::move(*bundle);
  result.directory = base + "/out";
  auto written = write_bundle(result.bundle, result.directory);
  if (!written) ADD_FAILURE() << util::format_error(written.error());
  return result;
}

}  // namespace detail

inline const Rendered& rendered(Variant variant = Variant::kVip) {
  static std::map<Variant, Rendered> cache;  // test-binary scope: PKI generation is slow
  auto it = cache.find(variant);
  if (it == cache.end()) it = cache.emplace(variant, detail::make(variant)).first;
  return it->second;
}

inline std::string temporary_directory(const std::string& name) {
  static const zerospof::testing::ScratchDirectory root("zerospof-render-test");
  std::string path = root.path() + "/" + name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

inline const File* find_file(const Bundle& bundle, const std::string& host,
                             const std::string& path) {
  for (const File& file : bundle.files)
    if (file.host == host && file.path == path) return &file;
  return nullptr;
}

inline std::string written_path(const Rendered& rendered, const std::string& host,
                                const std::string& path) {
  return rendered.directory + "/" + (host.empty() ? "operator" : host) + path;
}

inline std::string find_program(const std::vector<std::string>& candidates) {
  for (const std::string& candidate : candidates)
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  return "";
}

inline util::ProcessResult run_program(const std::vector<std::string>& argv) {
  auto result = util::run(argv);
  if (!result) {
    ADD_FAILURE() << util::format_error(result.error());
    return {};
  }
  return *result;
}

inline void write_text(const std::string& path, const std::string& content, unsigned mode = 0644) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  auto written = util::write_file_atomic(path, content, {static_cast<mode_t>(mode), true});
  if (!written) ADD_FAILURE() << util::format_error(written.error());
}

inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The argv of a rendered unit's ExecStart (one argument per line, as unit_text writes them).
inline std::vector<std::string> exec_start(const std::string& unit) {
  std::vector<std::string> argv;
  size_t at = unit.find("ExecStart=");
  if (at == std::string::npos) return argv;
  size_t end = unit.find('\n', at);
  while (end != std::string::npos && end > 0 && unit[end - 1] == '\\')
    end = unit.find('\n', end + 1);
  std::string text = unit.substr(at + 10, end - at - 10);
  text = replace_all(text, " \\\n  ", "\n");
  size_t start = 0;
  for (size_t next; (next = text.find('\n', start)) != std::string::npos; start = next + 1)
    argv.push_back(text.substr(start, next - start));
  argv.push_back(text.substr(start));
  return argv;
}

// Stops a process this test started, by its PID, when it goes out of scope.
struct Stopper {
  pid_t pid;
  explicit Stopper(pid_t process = -1) : pid(process) {}
  Stopper(const Stopper&) = delete;
  Stopper& operator=(const Stopper&) = delete;
  ~Stopper() {
    if (pid <= 0) return;
    // Not our child (double fork): poll for its end, and never leave it running.
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 100 && util::process_alive(pid); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (util::process_alive(pid)) ::kill(pid, SIGKILL);
  }
};

// Polls `argv` every 250 ms until its success equals `expected`, for at most `seconds`.
inline bool eventually(const std::vector<std::string>& argv, bool expected, int seconds = 15) {
  for (int attempt = 0; attempt < seconds * 4; ++attempt) {
    auto result = util::run(argv);
    if (result && result->succeeded() == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

inline const std::string kLabBinaries =
    "/var/cache/zerospof/binaries/" + std::string(model::pinned::kKubernetesVersion);

// lab/binaries/build.sh's config-check: the kubelet's and kube-proxy's own decoding (strict)
// and validation of a config file. Empty when it is not built here.
inline std::string config_check() { return find_program({kLabBinaries + "/config-check"}); }

// config-check KIND accepts the file at `path`, and refuses, with a reason, each copy of it with
// one (from, to) edit: the check can fail. Needs config_check().
inline void expect_config_check(const std::string& kind, const std::string& path,
                                const std::vector<std::pair<std::string, std::string>>& edits) {
  auto result = run_program({config_check(), kind, path});
  EXPECT_TRUE(result.succeeded()) << result.err;
  const std::string text = *util::read_file(path);
  const std::string copy = temporary_directory(kind + "-config") + "/config.yaml";
  for (const auto& [from, to] : edits) {
    write_text(copy, replace_all(text, from, to));
    auto refused = run_program({config_check(), kind, copy});
    EXPECT_FALSE(refused.succeeded()) << to;
    EXPECT_NE(refused.err, "") << to;
  }
}

// Rewrites every argument of a rendered command with `(from, to)` pairs, in order.
inline std::vector<std::string> rewritten(
    std::vector<std::string> argv, const std::vector<std::pair<std::string, std::string>>& pairs) {
  for (std::string& argument : argv)
    for (const auto& [from, to] : pairs) argument = replace_all(argument, from, to);
  return argv;
}

// micklethefickle's rendered etcd member, run alone on loopback ports with the rendered
// certificates (their SANs include 127.0.0.1). Empty `url` when etcd is not built here.
struct RunningEtcd {
  std::string url;  // https://127.0.0.1:<client port>
  Stopper stopper;
};

inline void start_etcd(const Rendered& r, const std::string& dir, RunningEtcd& etcd) {
  std::string binary = find_program({kLabBinaries + "/etcd"});
  if (binary.empty()) return;
  const File* unit =
      find_file(r.bundle, "micklethefickle", "/etc/systemd/system/zerospof-etcd.service");
  ASSERT_NE(unit, nullptr);
  std::string client = std::to_string(unclaimed_loopback_port()),
              local = std::to_string(unclaimed_loopback_port());
  std::string peer = std::to_string(unclaimed_loopback_port()),
              metrics = std::to_string(unclaimed_loopback_port());
  std::vector<std::string> argv = rewritten(
      exec_start(unit->content),
      {{"127.0.0.1:2379", "127.0.0.1:" + local},
       {"198.18.7.11:2379", "127.0.0.1:" + client},
       {"198.18.7.11:2380", "127.0.0.1:" + peer},
       {",cloudserver1=https://198.18.7.12:2380,cloudserver2=https://198.18.7.13:2380", ""},
       {"127.0.0.1:2381", "127.0.0.1:" + metrics},
       {"/usr/local/bin/etcd", binary},
       {"/etc/zerospof", written_path(r, "micklethefickle", "/etc/zerospof")},
       {"/var/lib/etcd", dir + "/etcd-data"}});
  auto pid = util::spawn_detached(argv, {dir + "/etcd.log"});
  ASSERT_TRUE(pid);
  etcd.stopper.pid = *pid;
  etcd.url = "https://127.0.0.1:" + client;
}

// Runs micklethefickle's rendered unit `name` with (from, to) rewrites and extra arguments.
inline util::Result<pid_t> start_unit(const Rendered& r, const char* name,
                                      const std::vector<std::pair<std::string, std::string>>& pairs,
                                      const std::string& log,
                                      const std::vector<std::string>& extra = {}) {
  std::string unit =
      find_file(r.bundle, "micklethefickle", std::string("/etc/systemd/system/") + name)->content;
  std::vector<std::string> argv = rewritten(exec_start(unit), pairs);
  argv.insert(argv.end(), extra.begin(), extra.end());
  return util::spawn_detached(argv, {log});
}

// A copy of a rendered kubeconfig whose server is the test apiserver's loopback port.
inline std::string local_kubeconfig(const std::string& rendered_path, const std::string& server,
                                    const std::string& port, const std::string& copy) {
  write_text(copy, replace_all(*util::read_file(rendered_path), server, "127.0.0.1:" + port));
  return copy;
}

// micklethefickle's rendered kube-apiserver on a loopback port in front of `etcd`, ready.
struct RunningApiserver {
  std::string port;
  std::string admin;  // the rendered admin kubeconfig, pointed at `port`
  Stopper stopper;
};

inline void start_apiserver(const Rendered& r, const std::string& dir, const RunningEtcd& etcd,
                            RunningApiserver& api) {
  api.port = std::to_string(unclaimed_loopback_port());
  api.admin = local_kubeconfig(written_path(r, "", "/etc/zerospof/kubeconfig/admin.conf"),
                               "198.18.7.100:6443", api.port, dir + "/admin.conf");
  auto pid =
      start_unit(r, "zerospof-kube-apiserver.service",
                 // --advertise-address stays 198.18.7.11: the apiserver refuses loopback there.
                 {{"--bind-address=0.0.0.0", "--bind-address=127.0.0.1"},
                  {"--secure-port=6444", "--secure-port=" + api.port},
                  {"--etcd-servers=https://127.0.0.1:2379", "--etcd-servers=" + etcd.url},
                  {"/var/log/kubernetes/audit.log", dir + "/audit.log"},
                  {"/usr/local/bin", kLabBinaries},
                  {"/etc/zerospof", written_path(r, "micklethefickle", "/etc/zerospof")}},
                 dir + "/apiserver.log");
  ASSERT_TRUE(pid);
  api.stopper.pid = *pid;
  ASSERT_TRUE(eventually(
      {kLabBinaries + "/kubectl", "--kubeconfig", api.admin, "get", "--raw", "/readyz"}, true, 60))
      << *util::read_file(dir + "/apiserver.log")
      // Twice under -j2 with a lab beside it, this etcd refused every connection (cause not
      // found): its own log, to find it the next time.
      << "\n--- etcd's log ---\n"
      << util::read_file(dir + "/etcd.log").value_or("(no etcd log)");
}

}  // namespace zerospof::render::testing
