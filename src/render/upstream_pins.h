// The upstream release manifests render builds the big addons from, pinned: for each, the
// release it comes from, where that release publishes it, and the SHA-256 of its bytes.
//
// zerospof carries these files inside its binary (third_party/upstream, embedded at build time),
// so a clone or an installed binary renders with no network and no path outside itself.
// `--upstream DIR` replaces the carried copies with a directory's (an air-gapped mirror, a
// reviewed copy); either way, bytes that are not the pinned release are refused before use,
// naming the file, both digests and what to do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace zerospof::render {

struct UpstreamPin {
  std::string_view file;     // the name render asks for, e.g. "calico.yaml"
  std::string_view project;  // e.g. "Calico"
  std::string_view version;  // the release, e.g. "v3.32.1"
  std::string_view source;   // where the release publishes the file
  std::string_view sha256;   // of the file's bytes, 64 lower-case hexadecimal digits
};

// Every pinned file, in a fixed order.
const std::vector<UpstreamPin>& upstream_pins();

// The pinned file's bytes: from `directory` when it is not empty, else the copy this binary
// carries. An unknown name, a missing or unreadable file and bytes whose digest is not the pin's
// are errors written for the user.
util::Result<std::string> pinned_upstream_file(std::string_view file, const std::string& directory);

}  // namespace zerospof::render
