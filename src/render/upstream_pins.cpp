#include "render/upstream_pins.h"

#include <fmt/format.h>

#include <algorithm>

#include "render/upstream_embedded.h"
#include "util/digest.h"
#include "util/files.h"

namespace zerospof::render {

using util::Error;

const std::vector<UpstreamPin>& upstream_pins() {
  static const std::vector<UpstreamPin> pins{
      {"calico.yaml", "Calico", "v3.32.1",
       "https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/calico.yaml",
       "a1df919d9721cf667accdc3e72848911b0cb25cfab7d2478ad0c996302c95744"},
      {"longhorn.yaml", "Longhorn", "v1.12.1",
       "https://raw.githubusercontent.com/longhorn/longhorn/v1.12.1/deploy/longhorn.yaml",
       "41648963af867ac1d0c85755fb53cf61cacd57c9bb22e1942e3fb0439eeb04fd"},
      {"ingress-nginx-baremetal.yaml", "ingress-nginx", "controller-v1.15.1",
       "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/"
       "static/provider/baremetal/deploy.yaml",
       "16b9b62df45b8ed8f1ecaed0341d583b3360e4b63c41fe00413f6a1fa2f95bec"},
  };
  return pins;
}

util::Result<std::string> pinned_upstream_file(std::string_view file,
                                               const std::string& directory) {
  const auto& pins = upstream_pins();
  auto pin = std::find_if(pins.begin(), pins.end(),
                          [&](const UpstreamPin& candidate) { return candidate.file == file; });
  if (pin == pins.end())
    return util::fail(Error::internal(fmt::format("no upstream file {} is pinned", file)));

  std::string bytes, origin;
  if (directory.empty()) {
    bytes = std::string(embedded_upstream_file(file));
    origin = fmt::format("the copy of {} this zerospof carries", file);
  } else {
    origin = directory + "/" + std::string(file);
    // Bounded: a directory is user input (a /dev/zero there is an error, not the memory).
    auto read = util::read_input_file(origin, std::size_t{16} << 20);
    if (!read)
      return util::fail(Error::failed_precondition(
          read.error().message,
          fmt::format("put {} {} ({}) there, or leave --upstream out to use the copy zerospof "
                      "carries",
                      pin->project, pin->version, pin->source)));
    bytes = std::move(*read);
  }
  std::string digest = util::sha256_hex(bytes);
  if (digest != pin->sha256)
    return util::fail(Error::failed_precondition(
        fmt::format("{} is not {} {}: its sha256 is {}, the pinned release's is {}", origin,
                    pin->project, pin->version, digest, pin->sha256),
        fmt::format("use the file the release publishes ({}) unmodified; zerospof patches its "
                    "own rendered copy",
                    pin->source)));
  return bytes;
}

}  // namespace zerospof::render
