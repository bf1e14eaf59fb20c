// The pinned upstream manifests' bytes, carried inside the binary (third_party/upstream, included
// by the assembler at build time). Unverified here: upstream_pins checks them against their pins
// before render uses them.
#pragma once

#include <string_view>

namespace zerospof::render {

// The carried copy of `file` ("calico.yaml", ...); empty for a name not carried.
std::string_view embedded_upstream_file(std::string_view file);

}  // namespace zerospof::render
