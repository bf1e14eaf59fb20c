// render: everything a cluster needs, per host, as plain files a reviewer can read. A pure
// function of the plan and of the PKI material (generated once and reused, so a second render of
// the same plan changes nothing). No SSH, no running services: apply/ pushes a Bundle to hosts.
//
// Guarantees: every file has an explicit owner host ("" for the operator's machine, e.g. the
// admin kubeconfig), absolute path and mode; private keys are 0600 and never appear in logs or
// error messages; the same inputs give byte-identical output (sorted, no timestamps besides the
// certificates' own validity).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/cluster.h"
#include "util/error.h"

namespace zerospof::render {

// A systemd unit a host runs from the bundle, as render made it: the typed index of the bundle,
// so that apply and observe read facts instead of searching the files' text again.
struct UnitEntry {
  std::string unit;     // "zerospof-etcd.service"; a Debian package's unit it configures:
                        // "haproxy.service"
  std::string program;  // the program below layout::kBinDir it starts; "" for none
  std::map<std::string, std::string> flags;  // its command's --NAME=VALUE flags, by NAME
  // The units systemd starts it after (its After= and Wants=, network-online.target left out):
  // apply restarts it only once those of them that its host runs are back, so that it never
  // starts while what it needs is restarting (the lab's image import while containerd does).
  std::vector<std::string> after;
};

struct HostEntry {
  std::string host;
  std::vector<UnitEntry> units;  // its own units by path, then the package units it configures
  std::vector<std::string> programs() const;  // every program its units start, sorted, once
};

struct BundleIndex {
  std::vector<HostEntry> hosts;  // the hosts with units, by name
  const HostEntry* find(const std::string& host) const;
};

struct File {
  std::string host;      // node name, or "" for a file kept on the operator's machine
  std::string path;      // absolute path on that host, e.g. /etc/zerospof/pki/etcd/server.crt
  unsigned mode = 0644;  // 0600 for every private key and kubeconfig with a key
  std::string content;
  bool secret = false;            // never print, log or diff the content
  std::optional<UnitEntry> unit;  // a unit file: what it runs (for the index; not written)
};

struct Bundle {
  std::vector<File> files;        // sorted by (host, path)
  std::string expected_failover;  // one line: the failover time the tuning budget implies
  BundleIndex index;              // what runs where, from the files' units
};

// The index of `files` (their unit entries, and per host the package units whose configuration
// it holds).
BundleIndex index_of(const std::vector<File>& files);

// The index as written beside a bundle (kIndexFile, JSON with a schema number) and read back;
// reading names the file and what is wrong with it.
inline constexpr const char* kIndexFile = "index.json";
std::string index_json(const BundleIndex& index);
util::Result<BundleIndex> parse_index_json(const std::string& text, const std::string& path);

struct RenderOptions {
  std::string pki_dir;  // where the CA material lives on the operator's machine (created once,
                        // reused afterwards; 0700)
  bool lab = false;     // the hosts are lab hosts (zerospof lab)
  // With `lab`: real kubelets, containerd, runc and kube-proxy running real pods, on a pod
  // network of the reference CNI plugins (render/lab_data_plane.cpp); without: kwok
  // --manage-single-node stands in for every kubelet and no container runs.
  bool lab_real_pods = false;
  // A directory of the pinned upstream addon manifests (calico.yaml, ...) to use instead of the
  // copies zerospof carries; empty: the carried copies (upstream_pins.h).
  std::string upstream_dir;
  std::string interface = "eth0";  // the VRRP interface of the control-plane nodes
};

// What a lab with real pods leaves out of the plan, and why: what no lab host can run (no image
// can be built here, or this machine's kernel lacks what it needs). Empty for real hosts and for
// the simulated lab, which deploys everything (kwok "runs" every pod).
struct LeftOut {
  std::string what;                     // e.g. "Calico"
  std::vector<std::string> manifests;   // the manifest files not rendered, e.g. "20-calico.yaml"
  std::vector<std::string> namespaces;  // its own: zerospof's objects there are left out too
  std::string why;
};
std::vector<LeftOut> lab_left_out(const model::Cluster& cluster, const RenderOptions& options);

// Every file of every host. Needs every node's address (the etcd URLs, certificates and
// firewall rules name them): a plan without them is an InvalidInput error pointing at the node.
util::Result<Bundle> render(const model::Cluster& cluster, const RenderOptions& options);

// Only the Kubernetes manifests (host "", below layout::kManifestDir): CoreDNS, the patched
// upstream addons, PodDisruptionBudgets, NetworkPolicies, storage classes. Needs no addresses.
util::Result<std::vector<File>> render_manifests(const model::Cluster& cluster,
                                                 const RenderOptions& options);

// The port every kube-apiserver listens on: 6443, or 6444 when the API endpoint itself (HAProxy,
// which shares the control-plane nodes) takes 6443, as k3s does.
int apiserver_port(const model::Cluster& cluster);

// Writes a bundle below `directory` as <directory>/<host or "operator">/<path>, with modes, and
// its index as <directory>/index.json.
util::Status write_bundle(const Bundle& bundle, const std::string& directory);

}  // namespace zerospof::render
