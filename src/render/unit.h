// systemd service units as text: one function so that every unit zerospof writes has the same
// shape (network-online ordering, restart always with a short delay, generous file limits) and
// an ExecStart with one flag per line, easy to review and to diff between renders.
#pragma once

#include <string>
#include <vector>

#include "render/render.h"

namespace zerospof::render {

struct Unit {
  std::string description;
  std::vector<std::string> command;  // argv: the binary's absolute path, then one flag each
  std::vector<std::string> after;    // units to start after, besides network-online.target
  bool notify = false;               // Type=notify: the program reports readiness (etcd)
};

std::string unit_text(const Unit& unit);

// The index entry of `unit` installed as `name`: the program of its command's first word when
// that is below layout::kBinDir, and its --NAME=VALUE flags (a bare --NAME maps to "").
UnitEntry unit_entry(const std::string& name, const Unit& unit);

}  // namespace zerospof::render
