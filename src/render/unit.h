// systemd service units as text: one function so that every unit zerospof writes has the same
// shape (network-online ordering, restart always with a short delay, generous file limits) and
// an ExecStart with one flag per line, easy to review and to diff between renders. A oneshot
// unit (settings applied once per boot) is the exception to "restart always": systemd refuses
// Restart=always on it.
#pragma once

#include <string>
#include <vector>

#include "render/render.h"

namespace zerospof::render {

enum class StartType {
  kSimple,
  kNotify,   // the program reports readiness (etcd, containerd)
  kOneshot,  // runs to completion and counts as active after (RemainAfterExit)
};

struct Unit {
  std::string description;
  std::vector<std::string> command;  // argv: the binary's absolute path, then one flag each
  std::vector<std::string> after;    // units to start after, besides network-online.target
  StartType type = StartType::kSimple;
  // ExecStartPre= lines, each an argv; a first word starting with '-' may fail.
  std::vector<std::vector<std::string>> before_start;
  // A container runtime: its containers live in cgroups below its own (Delegate=yes) and outlive
  // a restart of the runtime (KillMode=process kills only the daemon): without these a restart
  // of containerd kills every pod of the node.
  bool keeps_children = false;
  // Below 0, the kernel's OOM killer takes other processes first (containerd: -999, as
  // upstream's unit).
  int oom_score_adjust = 0;
  // Units started with this one (and, being in `after` too, before it): what it cannot work
  // without, whatever order apply starts the units in.
  std::vector<std::string> wants;
  // What the node's CPUs serve first when they are saturated (an apiserver starting, a compaction):
  // a consensus member that misses its heartbeats for half a second loses its leadership. Both
  // knobs, because each reaches only part of the competition: CPUWeight= between this unit and its
  // sibling units on a cgroup v2 host, Nice= between processes in one cgroup (a cgroup v1 host, or
  // a container without a delegated cpu controller, such as the lab's). 0: the defaults.
  int nice = 0;
  int cpu_weight = 0;
  // Environment= lines, each "NAME=VALUE" (no spaces or quotes: render's own values only).
  std::vector<std::string> environment;
};

std::string unit_text(const Unit& unit);

// The index entry of `unit` installed as `name`: the program of its command's first word when
// that is below layout::kBinDir, and its --NAME=VALUE flags (a bare --NAME maps to "").
UnitEntry unit_entry(const std::string& name, const Unit& unit);

}  // namespace zerospof::render
