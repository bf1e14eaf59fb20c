// The step builders of each phase, composed by build_steps() (build_steps.h). Internal to apply/.
// Every builder adds its steps to the graph and returns the ids later phases depend on.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "apply/build_steps.h"
#include "apply/host_files.h"
#include "transport/transport.h"

namespace zerospof::apply {

using Ids = std::vector<std::string>;

// Where apply keeps what it knows of a host, on the host: the input digest of each service it
// started, the stamp of each binary it verified.
inline constexpr const char* kAppliedDir = "/var/lib/zerospof/applied";

// The common shape of a step: done when `probe` succeeds on `host`; run() is `action`, which
// must succeed within `timeout`.
struct ScriptStep {
  std::string id;
  std::string host;
  std::string summary;
  std::string probe;
  std::string action;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  Ids deps;
};
util::Result<std::string> add_script_step(StepGraph& graph, ScriptStep step);

// Prepares the directories apply itself uses on `host`.
util::Result<std::string> add_preparation_step(StepGraph& graph, const std::string& host);

// One step per host writing `files` (all missing or differing ones), after `deps`.
util::Result<std::string> add_files_step(StepGraph& graph, const std::string& phase,
                                         const std::string& host,
                                         std::vector<transport::FileSpec> files, Ids deps);

// Loads binaries from the cache once, shared by the hosts that need them.
class BinaryContents {
 public:
  util::Result<std::shared_ptr<const std::string>> get(const Binary& binary);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const std::string>> loaded_;
};

// The binaries a host needs: the cached programs its units start (render's index), and what each
// needs beside it (etcdctl beside etcd and kubectl beside kube-apiserver for checks,
// containerd's shim and runc beside containerd).
std::vector<Binary> binaries_for(const std::vector<std::string>& programs,
                                 const std::vector<Binary>& cache);

// The programs its units start that the cache does not hold: apply cannot start such a unit, so
// it refuses before any step.
std::vector<std::string> binaries_missing_from_cache(const std::vector<std::string>& programs,
                                                     const std::vector<Binary>& cache);

util::Result<Ids> add_binary_steps(StepGraph& graph, const std::string& host,
                                   const std::vector<Binary>& binaries,
                                   std::shared_ptr<BinaryContents> contents, Ids deps);

// A digest of everything a host's services run from: its files and binaries. A service is
// (re)started when the digest it last started with differs.
std::string inputs_digest(const std::vector<transport::FileSpec>& files,
                          const std::vector<Binary>& binaries);

struct ServiceSpec {
  std::string unit;    // e.g. zerospof-etcd.service
  std::string digest;  // inputs_digest() of its host
  std::chrono::seconds wait{180};
  // Shell run instead of `systemctl restart UNIT` (etcd: a quorum-aware restart).
  std::string restart;
  // A running unit takes its new inputs by a reload, not a restart: HAProxy (its master starts
  // new workers on the listening sockets it keeps, so no connection is refused), keepalived (the
  // VIP stays where it is) and nftables (Debian's stop flushes every table, the CNI's and
  // kube-proxy's too; its reload replaces zerospof's table atomically).
  bool reload_in_place = false;
};

util::Result<std::string> add_service_step(StepGraph& graph, const std::string& host,
                                           const ServiceSpec& service, Ids deps);

}  // namespace zerospof::apply

namespace zerospof::apply {

// How to reach etcd as a client, for checks: the endpoints of every member and credentials
// from render's index (see build_steps.h).
struct EtcdAccess {
  std::vector<std::string> endpoints;  // https://ADDRESS:2379, an IPv6 ADDRESS in brackets
  std::string ca, cert, key;           // paths on the etcd hosts
  std::vector<std::string> members;    // node names: endpoints[i] is that of members[i]
};
util::Result<EtcdAccess> etcd_access(const model::Cluster& cluster, const render::Bundle& bundle);

// The client endpoint of the member on node `member`; "" for a node that is not a member.
std::string endpoint_of(const EtcdAccess& access, const std::string& member);

// `etcdctl` with the endpoints and credentials, then `arguments`.
std::string etcdctl(const EtcdAccess& access, const std::string& arguments);

// The restart of the member at `member_endpoint` that never costs the quorum: when the other
// members hold a quorum without it, restart and wait until it is ready again (so members
// restart one at a time); when they do not but the cluster has a quorum, refuse (exit 1, saying
// why); with no quorum at all (the first start of the cluster) start without waiting, since a
// member of a static bootstrap cannot become ready before a quorum of its peers runs.
std::string etcd_restart_script(const EtcdAccess& access, const std::string& member_endpoint,
                                const std::string& unit);

// A step that is done when `probe` (a shell command) succeeds on `host`, and whose run() polls
// the probe once a second until it does, for at most `wait`. When the wait runs out, the output
// of `explain` (a shell command, if given) follows the error: what is still not ready.
util::Result<std::string> add_wait_step(StepGraph& graph, const std::string& id,
                                        const std::string& host, const std::string& summary,
                                        const std::string& probe, std::chrono::seconds wait,
                                        Ids deps, const std::string& explain = "");

// What an earlier apply installed on a host and the bundle no longer has (retire_steps.cpp):
// `units` and `files` are the host's current ones. The probe (act false) succeeds when nothing
// is stale and the host's list of applied files is current; the action (act true) disables and
// stops each stale unit, removes each stale file and writes the list.
std::string retire_script(const std::vector<std::string>& units,
                          const std::vector<std::string>& files, bool act);
util::Result<std::string> add_retire_step(StepGraph& graph, const std::string& host,
                                          const std::vector<std::string>& units,
                                          const std::vector<std::string>& files, Ids deps);

// "etcd: 3 voting members, all healthy" as a shell probe.
std::string etcd_healthy_probe(const EtcdAccess& access, std::size_t members);

}  // namespace zerospof::apply
