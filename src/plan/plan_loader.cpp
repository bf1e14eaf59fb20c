// Reads a plan document into model::Cluster, one section at a time. Each reader checks the
// field names of its mapping (FieldReader::open) and the type and range of each value; checks
// that need the whole plan (duplicates, overlaps, the VIP's subnet) are in validate.cpp.

#include <fmt/format.h>

#include <array>
#include <regex>

#include "model/enum_names.h"
#include "model/versions.h"
#include "plan/fields.h"
#include "plan/plan.h"
#include "plan/quantity.h"
#include "plan/validate.h"
#include "plan/yaml.h"
#include "util/files.h"

namespace zerospof::plan {

namespace {

using util::Result;
using util::Status;

constexpr std::array<std::string_view, 4> kRootFields{"apiVersion", "kind", "metadata", "spec"};
constexpr std::array<std::string_view, 1> kMetadataFields{"name"};
constexpr std::array<std::string_view, 7> kSpecFields{
    "nodes", "kubernetes", "endpoint", "network", "storage", "addons", "tuning"};
constexpr std::array<std::string_view, 8> kNodeFields{"name", "host",      "address", "roles",
                                                      "zone", "powerFeed", "ssh",     "capacity"};
constexpr std::array<std::string_view, 3> kSshFields{"user", "port", "identityFile"};
constexpr std::array<std::string_view, 2> kCapacityFields{"cpu", "memory"};
constexpr std::array<std::string_view, 3> kKubernetesFields{"version", "podSubnet",
                                                            "serviceSubnet"};
constexpr std::array<std::string_view, 3> kEndpointFields{"mode", "address", "port"};
constexpr std::array<std::string_view, 2> kNetworkFields{"cni", "bgp"};
constexpr std::array<std::string_view, 3> kBgpFields{"asn", "peering", "routeReflectors"};
constexpr std::array<std::string_view, 2> kStorageFields{"provider", "replicas"};
constexpr std::array<std::string_view, 4> kAddonsFields{"coredns", "ingress", "monitoring",
                                                        "serviceMesh"};
constexpr std::array<std::string_view, 1> kReplicasFields{"replicas"};
constexpr std::array<std::string_view, 2> kIngressFields{"provider", "replicas"};
constexpr std::array<std::string_view, 1> kMonitoringFields{"enabled"};
constexpr std::array<std::string_view, 12> kTuningFields{"profile",
                                                         "vrrpAdvertInterval",
                                                         "lbCheckInterval",
                                                         "etcdHeartbeatInterval",
                                                         "etcdElectionTimeout",
                                                         "leaseDuration",
                                                         "renewDeadline",
                                                         "retryPeriod",
                                                         "nodeLeaseDuration",
                                                         "nodeMonitorPeriod",
                                                         "nodeMonitorGracePeriod",
                                                         "evictionToleration"};
constexpr auto kRoles = model::names_in(model::kRoleNames);

// Every field read records where it was written, so later stages can point at it too.
class Loader {
 public:
  Loader(const SourceText& source, model::Cluster& cluster) : source_(source), cluster_(cluster) {}

  Status load_root(const YamlNode& root);

 private:
  Status load_spec(const YamlNode& spec);
  Status load_node(const YamlNode& item, size_t index);
  Status load_node_address(const FieldReader& fields, model::Node& node);
  Status load_ssh(const YamlNode& item, const std::string& path, model::SshSettings& ssh);
  Status load_capacity(const YamlNode& item, const std::string& path, model::Node& node);
  Status load_kubernetes(const YamlNode& item);
  Status load_endpoint(const YamlNode& item);
  Status load_network(const YamlNode& item);
  Status load_bgp(const YamlNode& item);
  Status load_storage(const YamlNode& item);
  Status load_addons(const YamlNode& item);
  Status load_tuning(const YamlNode& item);
  Status check_tuning(const FieldReader& fields) const;
  Result<std::optional<std::int64_t>> duration_field(const FieldReader& fields,
                                                     std::string_view key, std::int64_t minimum,
                                                     std::int64_t maximum) const;
  Result<std::optional<model::Cidr>> cidr_field(const FieldReader& fields, std::string_view key);

  Result<FieldReader> open(const YamlNode& node, const std::string& path,
                           std::span<const std::string_view> known) {
    remember(path, node);
    return FieldReader::open(node, path, known, source_);
  }
  void remember(const std::string& path, const YamlNode& node) {
    cluster_.locations[path] = node.where;
  }
  void remember_fields(const FieldReader& fields) {
    for (size_t i = 0; i < fields.node().keys.size(); ++i)
      remember(fields.path_of(fields.node().keys[i].scalar), fields.node().values[i]);
  }

  const SourceText& source_;
  model::Cluster& cluster_;
};

Status Loader::load_root(const YamlNode& root) {
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(root, "plan", kRootFields));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string api_version, fields.string("apiVersion"));
  if (api_version != "zerospof.io/v1alpha1")
    return util::fail(fields.error_at(*fields.find("apiVersion"),
                                      fmt::format("unsupported apiVersion '{}'", api_version),
                                      "this zerospof reads apiVersion: zerospof.io/v1alpha1"));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string kind, fields.string("kind"));
  if (kind != "Cluster")
    return util::fail(fields.error_at(*fields.find("kind"),
                                      fmt::format("unsupported kind '{}'", kind),
                                      "a plan is of kind: Cluster"));
  ZEROSPOF_ASSIGN_OR_RETURN(const YamlNode* metadata_node, fields.required("metadata"));
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader metadata,
                            open(*metadata_node, "metadata", kMetadataFields));
  ZEROSPOF_ASSIGN_OR_RETURN(cluster_.name, metadata.string("name"));
  remember_fields(metadata);
  ZEROSPOF_ASSIGN_OR_RETURN(const YamlNode* spec, fields.required("spec"));
  return load_spec(*spec);
}

Status Loader::load_spec(const YamlNode& spec) {
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(spec, "spec", kSpecFields));
  ZEROSPOF_ASSIGN_OR_RETURN(const YamlNode* nodes, fields.required("nodes"));
  if (!nodes->is_sequence() || nodes->values.empty())
    return util::fail(fields.error_at(*nodes, "spec.nodes must be a non-empty list of nodes"));
  remember("spec.nodes", *nodes);
  for (size_t i = 0; i < nodes->values.size(); ++i)
    ZEROSPOF_RETURN_IF_ERROR(load_node(nodes->values[i], i));
  if (const YamlNode* item = fields.find("kubernetes"); item && !item->is_null())
    ZEROSPOF_RETURN_IF_ERROR(load_kubernetes(*item));
  if (const YamlNode* item = fields.find("endpoint"); item && !item->is_null())
    ZEROSPOF_RETURN_IF_ERROR(load_endpoint(*item));
  if (const YamlNode* item = fields.find("network"); item && !item->is_null())
    ZEROSPOF_RETURN_IF_ERROR(load_network(*item));
  if (const YamlNode* item = fields.find("storage"); item && !item->is_null())
    ZEROSPOF_RETURN_IF_ERROR(load_storage(*item));
  if (const YamlNode* item = fields.find("addons"); item && !item->is_null())
    ZEROSPOF_RETURN_IF_ERROR(load_addons(*item));
  if (const YamlNode* item = fields.find("tuning"); item && !item->is_null())
    ZEROSPOF_RETURN_IF_ERROR(load_tuning(*item));
  return {};
}

Status Loader::load_node(const YamlNode& item, size_t index) {
  std::string path = fmt::format("spec.nodes[{}]", index);
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(item, path, kNodeFields));
  remember_fields(fields);
  model::Node node;
  // Names, hosts and every other free-form string are checked for where they end up in
  // validate() (plan_strings.h), once the whole plan is read.
  ZEROSPOF_ASSIGN_OR_RETURN(node.name, fields.string("name"));
  ZEROSPOF_ASSIGN_OR_RETURN(node.host, fields.string("host"));
  ZEROSPOF_RETURN_IF_ERROR(load_node_address(fields, node));
  ZEROSPOF_ASSIGN_OR_RETURN(const YamlNode* roles, fields.required("roles"));
  if (!roles->is_sequence() || roles->values.empty())
    return util::fail(fields.error_at(*roles,
                                      fmt::format("{}.roles must be a non-empty list", path),
                                      "for example: roles: [control-plane, etcd, worker]"));
  for (const YamlNode& role_node : roles->values) {
    auto role =
        role_node.is_scalar() ? model::value_in(model::kRoleNames, role_node.scalar) : std::nullopt;
    if (!role) {
      std::string suggestion = role_node.is_scalar() ? did_you_mean(role_node.scalar, kRoles) : "";
      return util::fail(
          fields.error_at(role_node, fmt::format("unknown role '{}'", role_node.scalar),
                          suggestion.empty() ? "roles are control-plane, etcd, worker and storage"
                                             : fmt::format("did you mean '{}'?", suggestion)));
    }
    if (node.has_role(*role))
      return util::fail(
          fields.error_at(role_node, fmt::format("role '{}' is listed twice", role_node.scalar)));
    node.roles.push_back(*role);
  }
  ZEROSPOF_ASSIGN_OR_RETURN(auto zone, fields.optional_string("zone"));
  node.zone = zone.value_or("");
  ZEROSPOF_ASSIGN_OR_RETURN(auto power_feed, fields.optional_string("powerFeed"));
  node.power_feed = power_feed.value_or("");
  if (const YamlNode* ssh = fields.find("ssh"); ssh && !ssh->is_null())
    ZEROSPOF_RETURN_IF_ERROR(load_ssh(*ssh, path + ".ssh", node.ssh));
  if (const YamlNode* capacity = fields.find("capacity"); capacity && !capacity->is_null())
    ZEROSPOF_RETURN_IF_ERROR(load_capacity(*capacity, path + ".capacity", node));
  cluster_.nodes.push_back(std::move(node));
  return {};
}

// An address may come with a prefix (198.18.7.11/24) or without; without one, the node's subnet
// is assumed to be /24 (IPv4) or /64 (IPv6), and the analysis says so where it matters.
Status Loader::load_node_address(const FieldReader& fields, model::Node& node) {
  ZEROSPOF_ASSIGN_OR_RETURN(auto text, fields.optional_string("address"));
  if (!text) return {};
  if (auto cidr = model::Cidr::parse(*text, /*allow_host_bits=*/true)) {
    if (cidr->base == cidr->network() && cidr->prefix_length < cidr->base.bit_count())
      return util::fail(fields.error_at(*fields.find("address"),
                                        fmt::format("'{}' is a network, not a node address", *text),
                                        "give the node's own address, for example 198.18.7.11/24"));
    node.address = cidr;
    node.address_prefix_given = true;
    return {};
  }
  auto address = model::IpAddress::parse(*text);
  if (!address)
    return util::fail(fields.error_at(*fields.find("address"),
                                      fmt::format("'{}' is not an IPv4 or IPv6 address", *text),
                                      "for example: address: 198.18.7.11/24"));
  node.address = model::Cidr{*address, address->family == 4 ? 24 : 64};
  return {};
}

Status Loader::load_ssh(const YamlNode& item, const std::string& path, model::SshSettings& ssh) {
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(item, path, kSshFields));
  remember_fields(fields);
  ZEROSPOF_ASSIGN_OR_RETURN(auto user, fields.optional_string("user"));
  ZEROSPOF_ASSIGN_OR_RETURN(auto port, fields.optional_integer("port", 1, 65535));
  ZEROSPOF_ASSIGN_OR_RETURN(auto identity, fields.optional_string("identityFile"));
  if (user) ssh.user = *user;
  if (port) ssh.port = static_cast<int>(*port);
  if (identity) ssh.identity_file = *identity;
  return {};
}

Status Loader::load_capacity(const YamlNode& item, const std::string& path, model::Node& node) {
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(item, path, kCapacityFields));
  remember_fields(fields);
  ZEROSPOF_ASSIGN_OR_RETURN(std::string cpu, fields.string("cpu"));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string memory, fields.string("memory"));
  auto millicores = parse_cpu_millicores(cpu);
  if (!millicores || *millicores == 0)
    return util::fail(fields.error_at(*fields.find("cpu"),
                                      fmt::format("invalid CPU count '{}'", cpu),
                                      "for example: cpu: 8 or cpu: 3500m"));
  auto bytes = parse_memory_bytes(memory);
  if (!bytes || *bytes == 0)
    return util::fail(fields.error_at(*fields.find("memory"),
                                      fmt::format("invalid memory size '{}'", memory),
                                      "for example: memory: 16Gi"));
  node.capacity = model::Capacity{*millicores, *bytes};
  return {};
}

Result<std::optional<model::Cidr>> Loader::cidr_field(const FieldReader& fields,
                                                      std::string_view key) {
  ZEROSPOF_ASSIGN_OR_RETURN(auto text, fields.optional_string(key));
  if (!text) return std::nullopt;
  auto cidr = model::Cidr::parse(*text);
  if (cidr) return cidr;
  auto loose = model::Cidr::parse(*text, /*allow_host_bits=*/true);
  return util::fail(fields.error_at(
      *fields.find(key), fmt::format("{} '{}' is not a valid CIDR", fields.path_of(key), *text),
      loose ? fmt::format("host bits are set; did you mean {}?",
                          model::Cidr{loose->network(), loose->prefix_length}.to_string())
            : "for example: 10.244.0.0/16"));
}

Status Loader::load_kubernetes(const YamlNode& item) {
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(item, "spec.kubernetes", kKubernetesFields));
  remember_fields(fields);
  ZEROSPOF_ASSIGN_OR_RETURN(auto version, fields.optional_string("version"));
  if (version) {
    std::string normalized = version->starts_with('v') ? *version : "v" + *version;
    if (!model::is_kubernetes_version(normalized))
      return util::fail(fields.error_at(
          *fields.find("version"), fmt::format("invalid Kubernetes version '{}'", *version),
          fmt::format("for example: version: {}", model::pinned::kKubernetesVersion)));
    cluster_.kubernetes.version = std::move(normalized);
  }
  ZEROSPOF_ASSIGN_OR_RETURN(auto pods, cidr_field(fields, "podSubnet"));
  ZEROSPOF_ASSIGN_OR_RETURN(auto services, cidr_field(fields, "serviceSubnet"));
  if (pods) cluster_.kubernetes.pod_subnet = *pods;
  if (services) cluster_.kubernetes.service_subnet = *services;
  return {};
}

Status Loader::load_endpoint(const YamlNode& item) {
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(item, "spec.endpoint", kEndpointFields));
  remember_fields(fields);
  ZEROSPOF_ASSIGN_OR_RETURN(
      auto mode, fields.optional_choice("mode", model::names_in(model::kEndpointModeNames)));
  if (mode) cluster_.endpoint.mode = *model::value_in(model::kEndpointModeNames, *mode);
  ZEROSPOF_ASSIGN_OR_RETURN(auto port, fields.optional_integer("port", 1, 65535));
  if (port) cluster_.endpoint.port = static_cast<int>(*port);
  ZEROSPOF_ASSIGN_OR_RETURN(auto address, fields.optional_string("address"));
  if (!address) return {};
  auto parsed = model::IpAddress::parse(*address);
  if (!parsed)
    return util::fail(
        fields.error_at(*fields.find("address"), fmt::format("'{}' is not an IP address", *address),
                        "the VIP is a single address without a prefix, e.g. 198.18.7.10"));
  cluster_.endpoint.address = parsed;
  return {};
}

Status Loader::load_network(const YamlNode& item) {
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(item, "spec.network", kNetworkFields));
  remember_fields(fields);
  ZEROSPOF_ASSIGN_OR_RETURN(auto cni,
                            fields.optional_choice("cni", model::names_in(model::kCniNames)));
  if (cni) cluster_.network.cni = *model::value_in(model::kCniNames, *cni);
  if (const YamlNode* bgp = fields.find("bgp"); bgp && !bgp->is_null()) return load_bgp(*bgp);
  return {};
}

Status Loader::load_bgp(const YamlNode& item) {
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(item, "spec.network.bgp", kBgpFields));
  remember_fields(fields);
  model::Bgp bgp;
  ZEROSPOF_ASSIGN_OR_RETURN(auto asn, fields.optional_integer("asn", 1, 4294967295LL));
  if (asn) bgp.asn = *asn;
  ZEROSPOF_ASSIGN_OR_RETURN(
      auto peering, fields.optional_choice("peering", model::names_in(model::kBgpPeeringNames)));
  if (peering) bgp.peering = *model::value_in(model::kBgpPeeringNames, *peering);
  if (const YamlNode* reflectors = fields.find("routeReflectors");
      reflectors && !reflectors->is_null()) {
    if (!reflectors->is_sequence())
      return util::fail(fields.error_at(
          *reflectors, "spec.network.bgp.routeReflectors must be a list of node names"));
    for (size_t i = 0; i < reflectors->values.size(); ++i) {
      const YamlNode& name = reflectors->values[i];
      remember(fmt::format("spec.network.bgp.routeReflectors[{}]", i), name);
      if (!name.is_scalar())
        return util::fail(fields.error_at(name, "a route reflector is named by its node name"));
      bgp.route_reflectors.push_back(name.scalar);
    }
  }
  cluster_.network.bgp = std::move(bgp);
  return {};
}

Status Loader::load_storage(const YamlNode& item) {
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(item, "spec.storage", kStorageFields));
  remember_fields(fields);
  ZEROSPOF_ASSIGN_OR_RETURN(
      auto provider,
      fields.optional_choice("provider", model::names_in(model::kStorageProviderNames)));
  if (provider)
    cluster_.storage.provider = *model::value_in(model::kStorageProviderNames, *provider);
  ZEROSPOF_ASSIGN_OR_RETURN(auto replicas, fields.optional_integer("replicas", 1, 20));
  if (replicas) cluster_.storage.replicas = static_cast<int>(*replicas);
  return {};
}

Status Loader::load_addons(const YamlNode& item) {
  static constexpr std::array<std::string_view, 3> kIngresses{"ingress-nginx", "traefik",
                                                              "haproxy"};
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(item, "spec.addons", kAddonsFields));
  remember_fields(fields);
  model::Addons& addons = cluster_.addons;
  if (const YamlNode* coredns = fields.find("coredns"); coredns && !coredns->is_null()) {
    ZEROSPOF_ASSIGN_OR_RETURN(FieldReader sub,
                              open(*coredns, "spec.addons.coredns", kReplicasFields));
    remember_fields(sub);
    ZEROSPOF_ASSIGN_OR_RETURN(auto replicas, sub.optional_integer("replicas", 1, 100));
    if (replicas) addons.coredns_replicas = static_cast<int>(*replicas);
  }
  if (const YamlNode* ingress = fields.find("ingress"); ingress && !ingress->is_null()) {
    ZEROSPOF_ASSIGN_OR_RETURN(FieldReader sub,
                              open(*ingress, "spec.addons.ingress", kIngressFields));
    remember_fields(sub);
    ZEROSPOF_ASSIGN_OR_RETURN(auto provider, sub.optional_choice("provider", kIngresses));
    ZEROSPOF_ASSIGN_OR_RETURN(auto replicas, sub.optional_integer("replicas", 0, 100));
    if (provider) addons.ingress_provider = *provider;
    if (replicas) addons.ingress_replicas = static_cast<int>(*replicas);
  }
  if (const YamlNode* monitoring = fields.find("monitoring");
      monitoring && !monitoring->is_null()) {
    ZEROSPOF_ASSIGN_OR_RETURN(FieldReader sub,
                              open(*monitoring, "spec.addons.monitoring", kMonitoringFields));
    remember_fields(sub);
    ZEROSPOF_ASSIGN_OR_RETURN(auto enabled, sub.optional_bool("enabled"));
    if (enabled) addons.monitoring_enabled = *enabled;
  }
  ZEROSPOF_ASSIGN_OR_RETURN(
      auto mesh, fields.optional_choice("serviceMesh", model::names_in(model::kServiceMeshNames)));
  if (mesh) addons.service_mesh = *model::value_in(model::kServiceMeshNames, *mesh);
  return {};
}

// "100ms", "1s", "5m": a whole number and a unit, so that no value is ambiguous.
std::optional<std::int64_t> parse_duration_ms(const std::string& text) {
  static const std::regex pattern("([0-9]{1,9})(ms|s|m)");
  std::smatch match;
  if (text.size() > 11 || !std::regex_match(text, match, pattern)) return std::nullopt;
  std::int64_t value = std::stoll(match[1].str());
  std::string unit = match[2].str();
  return unit == "ms" ? value : unit == "s" ? value * 1000 : value * 60000;
}

std::string duration_text(std::int64_t ms) {
  return ms % 1000 == 0 ? fmt::format("{}s", ms / 1000) : fmt::format("{}ms", ms);
}

Result<std::optional<std::int64_t>> Loader::duration_field(const FieldReader& fields,
                                                           std::string_view key,
                                                           std::int64_t minimum,
                                                           std::int64_t maximum) const {
  ZEROSPOF_ASSIGN_OR_RETURN(auto text, fields.optional_string(key));
  if (!text) return std::nullopt;
  std::optional<std::int64_t> ms = parse_duration_ms(*text);
  if (!ms || *ms < minimum || *ms > maximum)
    return util::fail(
        fields.error_at(*fields.find(key),
                        fmt::format("{} must be a duration between {} and {}", fields.path_of(key),
                                    duration_text(minimum), duration_text(maximum)),
                        "write a whole number and a unit: 100ms, 2s or 5m"));
  return ms;
}

Status Loader::load_tuning(const YamlNode& item) {
  ZEROSPOF_ASSIGN_OR_RETURN(FieldReader fields, open(item, "spec.tuning", kTuningFields));
  remember_fields(fields);
  // The profile sets every timing; the fields written beside it override single ones.
  ZEROSPOF_ASSIGN_OR_RETURN(
      auto profile, fields.optional_choice("profile", model::names_in(model::kTuningProfileNames)));
  if (profile)
    cluster_.tuning = model::Tuning::of(*model::value_in(model::kTuningProfileNames, *profile));
  struct Range {
    std::string_view key;
    std::int64_t minimum, maximum;
    std::int64_t model::Tuning::*field;
  };
  using T = model::Tuning;
  // Bounds are what the programs accept (etcd caps the election timeout at 50 s, keepalived's
  // advert_int at 255 s) narrowed to what still makes sense for failure detection.
  static constexpr Range kRanges[] = {
      {"vrrpAdvertInterval", 100, 25000, &T::vrrp_advert_interval_ms},
      {"lbCheckInterval", 100, 60000, &T::lb_check_interval_ms},
      {"etcdHeartbeatInterval", 10, 10000, &T::etcd_heartbeat_interval_ms},
      {"etcdElectionTimeout", 50, 50000, &T::etcd_election_timeout_ms},
      {"leaseDuration", 1000, 600000, &T::lease_duration_ms},
      {"renewDeadline", 1000, 600000, &T::renew_deadline_ms},
      {"retryPeriod", 100, 600000, &T::retry_period_ms},
      {"nodeLeaseDuration", 1000, 3600000, &T::node_lease_duration_ms},
      {"nodeMonitorPeriod", 100, 60000, &T::node_monitor_period_ms},
      {"nodeMonitorGracePeriod", 2000, 3600000, &T::node_monitor_grace_period_ms},
      {"evictionToleration", 0, 86400000, &T::eviction_toleration_ms},
  };
  for (const Range& range : kRanges) {
    ZEROSPOF_ASSIGN_OR_RETURN(auto value,
                              duration_field(fields, range.key, range.minimum, range.maximum));
    if (value) cluster_.tuning.*range.field = *value;
  }
  return check_tuning(fields);
}

// Relations between the timings; each error points at the field that breaks the relation, or
// at spec.tuning when only defaults are involved.
Status Loader::check_tuning(const FieldReader& fields) const {
  const model::Tuning& t = cluster_.tuning;
  auto at = [&](std::string_view key) -> const YamlNode& {
    const YamlNode* node = fields.find(key);
    return node ? *node : fields.node();
  };
  if (t.etcd_election_timeout_ms < 5 * t.etcd_heartbeat_interval_ms)
    return util::fail(fields.error_at(
        at("etcdElectionTimeout"),
        fmt::format("etcdElectionTimeout ({}) must be at least 5 x etcdHeartbeatInterval ({})",
                    duration_text(t.etcd_election_timeout_ms),
                    duration_text(t.etcd_heartbeat_interval_ms)),
        "a shorter timeout makes etcd elect new leaders on every slow heartbeat"));
  if (t.renew_deadline_ms >= t.lease_duration_ms)
    return util::fail(fields.error_at(
        at("renewDeadline"),
        fmt::format("renewDeadline ({}) must be shorter than leaseDuration ({})",
                    duration_text(t.renew_deadline_ms), duration_text(t.lease_duration_ms)),
        "a leader must give up before its lease can be taken over, or two leaders overlap"));
  // client-go rejects a renew deadline within 1.2 x the retry period (its jitter factor).
  if (t.retry_period_ms * 12 >= t.renew_deadline_ms * 10)
    return util::fail(fields.error_at(
        at("retryPeriod"),
        fmt::format("retryPeriod ({}) x 1.2 must be shorter than renewDeadline ({})",
                    duration_text(t.retry_period_ms), duration_text(t.renew_deadline_ms)),
        "Kubernetes' leader election refuses to start otherwise"));
  // The kubelet and kwok renew the node's Lease every quarter of its duration: a node must have
  // missed two renewals before it is declared NotReady, or one slow renewal evicts its pods.
  if (t.node_monitor_grace_period_ms * 4 < t.node_lease_duration_ms * 2)
    return util::fail(fields.error_at(
        // The field the user wrote: the grace period, or else the lease that outgrew it.
        at(fields.find("nodeMonitorGracePeriod") ? "nodeMonitorGracePeriod" : "nodeLeaseDuration"),
        fmt::format("nodeMonitorGracePeriod ({}) must be at least 2 renewals of the node lease "
                    "(nodeLeaseDuration ({}) / 2)",
                    duration_text(t.node_monitor_grace_period_ms),
                    duration_text(t.node_lease_duration_ms)),
        "a node that missed fewer renewals would be declared NotReady, and its pods evicted"));
  if (t.node_monitor_period_ms >= t.node_monitor_grace_period_ms)
    return util::fail(fields.error_at(
        at("nodeMonitorPeriod"),
        fmt::format("nodeMonitorPeriod ({}) must be shorter than nodeMonitorGracePeriod ({})",
                    duration_text(t.node_monitor_period_ms),
                    duration_text(t.node_monitor_grace_period_ms)),
        "the node controller must look at a node more often than it waits for it"));
  // A write in flight when the etcd leader dies fails only after etcd's request timeout (5 s
  // plus two election timeouts: etcd's ServerConfig.ReqTimeout); a node's lease renewal stuck
  // that long, after a renewal interval, must not make the node NotReady. Measured in the lab:
  // with a 6 s grace period, SIGKILL of the etcd leader turned a healthy node NotReady (its
  // kwok's renewal failed "etcdserver: request timed out" after 6.3 s).
  const std::int64_t etcd_request_timeout_ms = 5000 + 2 * t.etcd_election_timeout_ms;
  if (t.node_monitor_grace_period_ms <= etcd_request_timeout_ms + t.node_lease_duration_ms / 4)
    return util::fail(fields.error_at(
        at(fields.find("nodeMonitorGracePeriod") ? "nodeMonitorGracePeriod"
           : fields.find("etcdElectionTimeout")  ? "etcdElectionTimeout"
                                                 : "nodeLeaseDuration"),
        fmt::format("nodeMonitorGracePeriod ({}) must be longer than etcd's request timeout "
                    "(5s + 2 x etcdElectionTimeout ({}) = {}) plus one renewal of the node lease "
                    "(nodeLeaseDuration ({}) / 4)",
                    duration_text(t.node_monitor_grace_period_ms),
                    duration_text(t.etcd_election_timeout_ms),
                    duration_text(etcd_request_timeout_ms),
                    duration_text(t.node_lease_duration_ms)),
        "a node's lease renewal in flight when the etcd leader dies fails only after etcd's "
        "request timeout; a shorter grace period turns healthy nodes NotReady and evicts their "
        "pods"));
  struct Unit {
    std::string_view key;
    std::int64_t ms, unit;
    std::string_view why;
  };
  for (const Unit& each : {Unit{"vrrpAdvertInterval", t.vrrp_advert_interval_ms, 10,
                                "VRRP counts adverts in centiseconds"},
                           Unit{"evictionToleration", t.eviction_toleration_ms, 1000,
                                "tolerations count whole seconds"},
                           Unit{"nodeLeaseDuration", t.node_lease_duration_ms, 1000,
                                "the kubelet's nodeLeaseDurationSeconds counts whole seconds"}}) {
    if (each.ms % each.unit != 0)
      return util::fail(fields.error_at(
          at(each.key),
          fmt::format("{} must be a multiple of {}", each.key, duration_text(each.unit)),
          std::string(each.why)));
  }
  return {};
}

}  // namespace

util::Result<model::Cluster> load_from_string(const std::string& text,
                                              const std::string& file_name) {
  SourceText source(file_name, text);
  ZEROSPOF_ASSIGN_OR_RETURN(std::vector<YamlNode> documents, parse_yaml(text, source));
  if (documents.empty())
    return util::fail(source.error_at({file_name, 1, 1}, "the plan is empty",
                                      "run 'zerospof init' to write the built-in plan as a start"));
  if (documents.size() > 1)
    return util::fail(source.error_at(documents[1].where, "a plan holds exactly one document",
                                      "remove the second document or split it into its own file"));
  model::Cluster cluster;
  cluster.source_file = file_name;
  Loader loader(source, cluster);
  ZEROSPOF_RETURN_IF_ERROR(loader.load_root(documents.front()));
  ZEROSPOF_RETURN_IF_ERROR(validate(cluster, source));
  return cluster;
}

util::Result<model::Cluster> load(const std::string& path) {
  auto text = util::read_input_file(path);
  if (!text)
    return util::fail(util::Error::invalid_input(
        text.error().message, {path, 0, 0},
        "give the path of a plan file, or run 'zerospof init' to write the built-in plan"));
  return load_from_string(*text, path);
}

}  // namespace zerospof::plan
