#include "observe/host_state.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "render/haproxy_stats.h"
#include "render/layout.h"
#include "util/base64.h"
#include "util/strings.h"

namespace zerospof::observe {

namespace {

namespace layout = render::layout;

// Section markers: lines no section's own output can hold.
constexpr const char* kUnits = "@zerospof units";
constexpr const char* kVip = "@zerospof vip";
constexpr const char* kHaproxy = "@zerospof haproxy";
constexpr const char* kCertificates = "@zerospof certificates";
// Within the certificates section: the file whose text (PEM) or base64 field follows.
constexpr const char* kFile = "@file ";

// `systemctl show` prints one block of KEY=VALUE lines per unit, blocks apart by a blank line.
std::vector<UnitState> parse_units(const std::vector<std::string>& lines) {
  std::vector<UnitState> units;
  std::map<std::string, std::string> block;
  auto flush = [&] {
    if (!block.empty() && block["LoadState"] == "loaded" && !block["Id"].empty()) {
      std::int64_t restarts = 0;
      try {
        restarts = block["NRestarts"].empty() ? 0 : std::stoll(block["NRestarts"]);
      } catch (const std::exception&) {
      }
      units.push_back({.unit = block["Id"],
                       .active = block["ActiveState"],
                       .enabled = block["UnitFileState"] == "enabled",
                       .restarts = restarts});
    }
    block.clear();
  };
  for (const auto& line : lines) {
    if (line.empty()) {
      flush();
      continue;
    }
    auto equals = line.find('=');
    if (equals != std::string::npos) block[line.substr(0, equals)] = line.substr(equals + 1);
  }
  flush();
  return units;
}

// HAProxy's CSV: a header "# pxname,svname,...", then a row per proxy and server; the HTTP
// response's own headers come first and are skipped.
std::vector<BackendState> parse_backends(const std::vector<std::string>& lines, bool& answered) {
  std::vector<BackendState> backends;
  std::map<std::string, std::size_t> column;
  for (const auto& line : lines) {
    if (line.rfind("# ", 0) == 0) {
      auto names = util::split(line.substr(2), ',');
      for (std::size_t i = 0; i < names.size(); ++i) column[names[i]] = i;
      answered = column.count("pxname") && column.count("svname") && column.count("status");
      continue;
    }
    if (!answered) continue;
    auto fields = util::split(line, ',');
    auto field = [&](const char* name) {
      auto found = column.find(name);
      return found != column.end() && found->second < fields.size() ? fields[found->second]
                                                                    : std::string();
    };
    if (field("pxname") != "kube-apiservers") continue;
    std::string server = field("svname");
    if (server.empty() || server == "FRONTEND" || server == "BACKEND") continue;
    backends.push_back(
        {.server = server, .status = field("status"), .check = field("check_status")});
  }
  return backends;
}

// When the first certificate in `pem` expires, in seconds since the epoch; nullopt when `pem`
// holds none OpenSSL can read.
std::optional<std::int64_t> certificate_not_after(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr, &X509_free);
  std::tm expiry{};
  if (!certificate || ASN1_TIME_to_tm(X509_get0_notAfter(certificate.get()), &expiry) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return static_cast<std::int64_t>(timegm(&expiry));
}

// Each file's text follows a "@file PATH" line: a certificate's PEM, or a kubeconfig's
// client-certificate-data (base64 of the PEM). What holds no readable certificate is skipped, and
// a file named twice counts once (a kubeconfig's first user, as kubectl reads it).
std::vector<CertificateExpiry> parse_certificates(const std::vector<std::string>& lines) {
  std::vector<CertificateExpiry> certificates;
  std::set<std::string> seen;
  std::string path, text;
  auto flush = [&] {
    if (path.empty() || !seen.insert(path).second) return;
    std::string pem = text;
    if (text.find("-----BEGIN") == std::string::npos) pem = util::decode_base64(text).value_or("");
    if (auto not_after = certificate_not_after(pem))
      certificates.push_back({.path = path, .not_after = *not_after});
  };
  for (const auto& line : lines) {
    if (line.rfind(kFile, 0) == 0) {
      flush();
      path = line.substr(std::string_view(kFile).size());
      text.clear();
    } else {
      text += line + "\n";
    }
  }
  flush();
  return certificates;
}

}  // namespace

const std::vector<std::string>& observed_units() {
  static const std::vector<std::string> units{
      layout::kEtcdUnit,       layout::kApiserverUnit,  layout::kControllerManagerUnit,
      layout::kSchedulerUnit,  layout::kKubeletUnit,    layout::kContainerdUnit,
      layout::kKwokUnit,       layout::kVipFitnessUnit, layout::kHaproxyUnit,
      layout::kKeepalivedUnit, layout::kNftablesUnit,   layout::kKubeProxyUnit,
      layout::kNodeKernelUnit, layout::kLabImagesUnit,  layout::kLabPodRoutesUnit};
  return units;
}

std::string holds_vip_script(const std::string& vip) {
  // `ip -o addr` prints "2: eth0    inet 198.18.0.2/24 ...": the VIP with its prefix.
  return fmt::format("ip -o addr show | grep -qF {}", transport::shell_quote(" " + vip + "/"));
}

std::string host_state_script(const std::string& vip) {
  std::string vip_check = vip.empty() ? ":" : holds_vip_script(vip) + " && echo yes";
  return fmt::format(
      "echo '{units}'; systemctl show -p Id -p LoadState -p ActiveState -p UnitFileState "
      "-p NRestarts {unit_list} 2>/dev/null; echo; "
      "echo '{vip}'; {vip_check}; "
      "echo '{haproxy}'; {{ {stats}; }} 2>/dev/null | tr -d '\\r'; "
      // Every certificate's text, each after a line naming its file; their dates are read here,
      // not by an openssl per file: under a drill's load those forks took seconds per host.
      "echo '{certificates}'; find {pki} -name '*.crt' -type f -print0 2>/dev/null | sort -z | "
      "xargs -0 -r awk 'FNR==1{{print \"{file}\" FILENAME}} {{print}}' 2>/dev/null; "
      // The client certificates embedded in the kubeconfigs render wrote expire too; only that
      // field is printed, never the key beside it.
      "awk '$1==\"client-certificate-data:\"{{print \"{file}\" FILENAME; print $2}}' "
      "{kubeconfigs}/*.conf 2>/dev/null; true",
      fmt::arg("units", kUnits), fmt::arg("unit_list", fmt::join(observed_units(), " ")),
      fmt::arg("vip", kVip), fmt::arg("vip_check", vip_check), fmt::arg("haproxy", kHaproxy),
      fmt::arg("stats", render::haproxy_stats_csv_command()),
      fmt::arg("certificates", kCertificates), fmt::arg("file", kFile),
      fmt::arg("pki", layout::kPkiDir), fmt::arg("kubeconfigs", layout::kKubeconfigDir));
}

HostState parse_host_state(const std::string& printed) {
  std::map<std::string, std::vector<std::string>> sections;
  std::string current;
  for (const auto& line : util::split(printed, '\n')) {
    if (line == kUnits || line == kVip || line == kHaproxy || line == kCertificates) {
      current = line;
      sections[current];
      continue;
    }
    if (!current.empty()) sections[current].push_back(line);
  }
  HostState state;
  state.reachable = sections.count(kUnits) != 0;
  if (!state.reachable) state.error = "the host's answer had no unit states";
  state.units = parse_units(sections[kUnits]);
  for (const auto& line : sections[kVip]) state.holds_vip |= line == "yes";
  state.backends = parse_backends(sections[kHaproxy], state.haproxy_answered);
  state.certificates = parse_certificates(sections[kCertificates]);
  return state;
}

std::vector<HostState> observe_hosts(const model::Cluster& cluster, transport::Transport& transport,
                                     std::chrono::milliseconds timeout) {
  std::string vip = cluster.endpoint.mode == model::EndpointMode::kVip && cluster.endpoint.address
                        ? cluster.endpoint.address->to_string()
                        : std::string();
  std::string script = host_state_script(vip);
  auto ask = [&](const std::string& name) {
    auto result = transport.run(name, {.script = script, .timeout = timeout});
    HostState state;
    if (!result) {
      state.error = result.error().message;
    } else if (result->exit_code != 0) {
      state.error = fmt::format("the status script exited {}", result->exit_code);
    } else {
      state = parse_host_state(result->out);
    }
    state.node = name;
    return state;
  };
  // Asked kHostsAtOnce at a time: a dead host costs one timeout, not one per host, and a large
  // cluster does not run out of processes and file descriptors (an ssh and its pipes per host).
  std::vector<HostState> states(cluster.nodes.size());
  for (std::size_t start = 0; start < cluster.nodes.size(); start += kHostsAtOnce) {
    std::size_t end = std::min(cluster.nodes.size(), start + kHostsAtOnce);
    std::vector<std::future<HostState>> asked;
    for (std::size_t i = start; i < end; ++i)
      asked.push_back(std::async(std::launch::async, ask, cluster.nodes[i].name));
    for (std::size_t i = start; i < end; ++i) states[i] = asked[i - start].get();
  }
  return states;
}

}  // namespace zerospof::observe
