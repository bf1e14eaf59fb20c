// render: everything a cluster needs, per host, as plain files a reviewer can read. A pure
// function of the plan and of the PKI material (generated once and reused, so a second render of
// the same plan changes nothing). No SSH, no running services: apply/ pushes a Bundle to hosts.
//
// Guarantees: every file has an explicit owner host ("" for the operator's machine, e.g. the
// admin kubeconfig), absolute path and mode; private keys are 0600 and never appear in logs or
// error messages; the same inputs give byte-identical output (sorted, no timestamps besides the
// certificates' own validity).
#pragma once

#include <string>
#include <vector>

#include "model/cluster.h"
#include "util/error.h"

namespace zerospof::render {

struct File {
  std::string host;     // node name, or "" for a file kept on the operator's machine
  std::string path;     // absolute path on that host, e.g. /etc/zerospof/pki/etcd/server.crt
  unsigned mode = 0644; // 0600 for every private key and kubeconfig with a key
  std::string content;
  bool secret = false;  // never print, log or diff the content
};

struct Bundle {
  std::vector<File> files;  // sorted by (host, path)
  std::string expected_failover;  // one line: the failover time the tuning budget implies
};

struct RenderOptions {
  std::string pki_dir;  // where the CA material lives on the operator's machine (created once,
                        // reused afterwards; 0700)
  bool lab = false;     // node agent: kwok --manage-single-node instead of kubelet + containerd
};

util::Result<Bundle> render(const model::Cluster& cluster, const RenderOptions& options);

// Writes a bundle below `directory` as <directory>/<host or "operator">/<path>, with modes.
util::Status write_bundle(const Bundle& bundle, const std::string& directory);

}  // namespace zerospof::render
