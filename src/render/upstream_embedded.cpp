#include "render/upstream_embedded.h"

// ZEROSPOF_UPSTREAM_SOURCE_DIR (set by CMake) is the repository's third_party/upstream; each file
// is included byte for byte between a start and an end symbol, in read-only data. The build
// reads the source tree; the binary never does.
#define ZEROSPOF_EMBED(symbol, file)                     \
  __asm__(                                               \
      ".section .rodata\n"                               \
      ".balign 16\n"                                     \
      ".global " #symbol "_start\n" #symbol              \
      "_start:\n"                                        \
      ".incbin \"" ZEROSPOF_UPSTREAM_SOURCE_DIR "/" file \
      "\"\n"                                             \
      ".global " #symbol "_end\n" #symbol                \
      "_end:\n"                                          \
      ".previous\n");                                    \
  extern "C" const char symbol##_start[];                \
  extern "C" const char symbol##_end[];

ZEROSPOF_EMBED(zerospof_upstream_calico, "calico.yaml")
ZEROSPOF_EMBED(zerospof_upstream_longhorn, "longhorn.yaml")
ZEROSPOF_EMBED(zerospof_upstream_ingress_nginx, "ingress-nginx-baremetal.yaml")

namespace zerospof::render {

std::string_view embedded_upstream_file(std::string_view file) {
  auto view = [](const char* start, const char* end) {
    return std::string_view(start, static_cast<std::size_t>(end - start));
  };
  if (file == "calico.yaml")
    return view(zerospof_upstream_calico_start, zerospof_upstream_calico_end);
  if (file == "longhorn.yaml")
    return view(zerospof_upstream_longhorn_start, zerospof_upstream_longhorn_end);
  if (file == "ingress-nginx-baremetal.yaml")
    return view(zerospof_upstream_ingress_nginx_start, zerospof_upstream_ingress_nginx_end);
  return {};
}

}  // namespace zerospof::render
