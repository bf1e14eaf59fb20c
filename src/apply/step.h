// A Step: one idempotent piece of bringing a host to its rendered state. check() only reads
// (through the observing transport) and says whether the host is already there; run() changes
// the host (through the acting transport, which --dry-run replaces by a recorder). The runner
// calls run() only when check() said "not yet", and only after every step in `deps` succeeded.
//
// Contract for step authors: check() has no side effects; run() may be interrupted at any
// point (apply killed with -9) and is then simply run again, so it must converge from any
// partial state (files are written atomically, services are started idempotently); a wait
// inside run() is bounded.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "transport/transport.h"
#include "util/error.h"

namespace zerospof::apply {

struct Step {
  std::string id;                 // unique in its graph, e.g. "etcd/start@cloudserver1"
  std::string host;               // the plan node it acts on; "" for the operator's machine
  std::string summary;            // what run() does, in a few words, for progress and --dry-run
  std::vector<std::string> deps;  // ids of steps that must have succeeded first
  // True when nothing needs doing. Never changes the host.
  std::function<util::Result<bool>(transport::Transport& observe)> check;
  std::function<util::Status(transport::Transport& act)> run;
};

}  // namespace zerospof::apply
