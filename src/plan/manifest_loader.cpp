// Reads Kubernetes manifests into model::Manifests. Only the fields that decide availability
// are read: replicas, pod labels, node selection, tolerations, anti-affinity, topology spread,
// requests, probes and volumes; PDB budgets; Service selectors and traffic policy; admission
// webhooks; PersistentVolumes, claims, StorageClasses and PriorityClasses; the nodes that
// announce LoadBalancer addresses (MetalLB advertisements and peers, Calico BGP peers). Unknown
// fields are Kubernetes' business, so they are skipped, but a field we read must have the type
// Kubernetes gives it.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "plan/fields.h"
#include "plan/plan.h"
#include "plan/quantity.h"
#include "plan/yaml.h"
#include "util/files.h"
#include "util/terminal.h"

namespace zerospof::plan {

namespace {

using model::LabelRequirement;
using util::Result;
using util::Status;

const YamlNode* at(const YamlNode* node, std::initializer_list<std::string_view> path) {
  for (std::string_view key : path) {
    if (node == nullptr || !node->is_mapping()) return nullptr;
    node = node->find(key);
  }
  return node != nullptr && node->is_null() ? nullptr : node;
}

class ManifestReader {
 public:
  ManifestReader(const SourceText& source, model::Manifests& out) : source_(source), out_(out) {}

  Status read_object(const YamlNode& object);

 private:
  Status read_workload(const YamlNode& object, model::WorkloadKind kind);
  Status read_pod_spec(const YamlNode& pod_spec, model::Workload& workload);
  Status read_affinity(const YamlNode& affinity, model::Workload& workload);
  Status read_spread(const YamlNode& constraints, model::Workload& workload);
  Status read_containers(const YamlNode& containers, model::Workload& workload);
  Status read_volumes(const YamlNode& pod_spec, model::Workload& workload);
  Status read_claim_templates(const YamlNode& templates, model::Workload& workload);
  Status read_budget(const YamlNode& object);
  Status read_service(const YamlNode& object);
  Status read_webhooks(const YamlNode& object, bool mutating);
  Status read_persistent_volume(const YamlNode& object);
  Status read_claim(const YamlNode& object);
  Status read_storage_class(const YamlNode& object);
  Status read_priority_class(const YamlNode& object);
  // Adds the container's CPU and memory requests to the workload's.
  Status read_requests(const YamlNode& container, model::Workload& workload);
  Status read_announcement(const YamlNode& object, model::Announcement::Kind kind);

  Result<model::Labels> labels(const YamlNode* node) const;
  Result<model::LabelSelector> selector(const YamlNode* node) const;
  Result<std::vector<LabelRequirement>> requirements(const YamlNode* node) const;
  Result<std::string> text(const YamlNode* node, std::string_view what) const;
  Result<std::vector<std::string>> words(const YamlNode* node, std::string_view what) const;
  Result<int> integer(const YamlNode* node, std::string_view what) const;
  Status expect(const YamlNode* node, YamlNode::Kind kind, std::string_view what) const;
  // Sets the object's namespace (default "default"), name and position.
  template <class Object>
  Status identify(const YamlNode& object, Object& out) const;
  // The same for an object without a namespace (volumes, storage and priority classes).
  template <class Object>
  Status identify_cluster_scoped(const YamlNode& object, Object& out) const;

  const SourceText& source_;
  model::Manifests& out_;
};

Status ManifestReader::expect(const YamlNode* node, YamlNode::Kind kind,
                              std::string_view what) const {
  if (node == nullptr || node->kind == kind) return {};
  YamlNode expected;
  expected.kind = kind;
  return util::fail(source_.error_at(
      node->where,
      fmt::format("{} must be {}, not {}", what, expected.kind_name(), node->kind_name())));
}

Result<std::string> ManifestReader::text(const YamlNode* node, std::string_view what) const {
  if (node == nullptr) return std::string();
  ZEROSPOF_RETURN_IF_ERROR(expect(node, YamlNode::Kind::kScalar, what));
  return node->scalar;
}

Result<std::vector<std::string>> ManifestReader::words(const YamlNode* node,
                                                       std::string_view what) const {
  std::vector<std::string> result;
  if (node == nullptr) return result;
  ZEROSPOF_RETURN_IF_ERROR(expect(node, YamlNode::Kind::kSequence, what));
  for (const YamlNode& item : node->values) {
    ZEROSPOF_ASSIGN_OR_RETURN(std::string word, text(&item, what));
    result.push_back(util::printable(word, 253));
  }
  return result;
}

Result<int> ManifestReader::integer(const YamlNode* node, std::string_view what) const {
  if (node == nullptr)
    return util::fail(util::Error::invalid_input(fmt::format("{} is required", what),
                                                 {source_.file_name(), 0, 0}));
  ZEROSPOF_RETURN_IF_ERROR(expect(node, YamlNode::Kind::kScalar, what));
  auto value = node->plain ? parse_integer(node->scalar) : std::nullopt;
  if (!value || *value < 0 || *value > 1'000'000)
    return util::fail(source_.error_at(
        node->where, fmt::format("{} must be a whole number, not '{}'", what, node->scalar)));
  return static_cast<int>(*value);
}

Result<model::Labels> ManifestReader::labels(const YamlNode* node) const {
  model::Labels result;
  if (node == nullptr) return result;
  ZEROSPOF_RETURN_IF_ERROR(expect(node, YamlNode::Kind::kMapping, "labels"));
  for (size_t i = 0; i < node->keys.size(); ++i) {
    ZEROSPOF_ASSIGN_OR_RETURN(std::string value, text(&node->values[i], "a label value"));
    result[node->keys[i].scalar] = value;
  }
  return result;
}

Result<std::vector<LabelRequirement>> ManifestReader::requirements(const YamlNode* node) const {
  std::vector<LabelRequirement> result;
  if (node == nullptr) return result;
  ZEROSPOF_RETURN_IF_ERROR(expect(node, YamlNode::Kind::kSequence, "matchExpressions"));
  for (const YamlNode& item : node->values) {
    LabelRequirement requirement;
    ZEROSPOF_ASSIGN_OR_RETURN(requirement.key, text(at(&item, {"key"}), "key"));
    ZEROSPOF_ASSIGN_OR_RETURN(std::string op, text(at(&item, {"operator"}), "operator"));
    if (op == "In")
      requirement.op = LabelRequirement::Operator::kIn;
    else if (op == "NotIn")
      requirement.op = LabelRequirement::Operator::kNotIn;
    else if (op == "Exists")
      requirement.op = LabelRequirement::Operator::kExists;
    else if (op == "DoesNotExist")
      requirement.op = LabelRequirement::Operator::kDoesNotExist;
    else
      return util::fail(source_.error_at(item.where, fmt::format("unsupported operator '{}'", op),
                                         "zerospof reads In, NotIn, Exists and DoesNotExist"));
    if (const YamlNode* values = at(&item, {"values"})) {
      ZEROSPOF_RETURN_IF_ERROR(expect(values, YamlNode::Kind::kSequence, "values"));
      for (const YamlNode& value : values->values) requirement.values.push_back(value.scalar);
    }
    result.push_back(std::move(requirement));
  }
  return result;
}

Result<model::LabelSelector> ManifestReader::selector(const YamlNode* node) const {
  model::LabelSelector result;
  if (node == nullptr) return result;
  ZEROSPOF_ASSIGN_OR_RETURN(result.match_labels, labels(at(node, {"matchLabels"})));
  ZEROSPOF_ASSIGN_OR_RETURN(result.match_expressions, requirements(at(node, {"matchExpressions"})));
  return result;
}

template <class Object>
Status ManifestReader::identify(const YamlNode& object, Object& out) const {
  ZEROSPOF_ASSIGN_OR_RETURN(out.name, text(at(&object, {"metadata", "name"}), "metadata.name"));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string space,
                            text(at(&object, {"metadata", "namespace"}), "metadata.namespace"));
  if (out.name.empty())
    return util::fail(source_.error_at(object.where, "the object has no metadata.name"));
  // Reports echo these names to a terminal: no control character of a file gets through.
  out.name = util::printable(out.name, 253);
  space = util::printable(space, 63);
  out.namespace_name = space.empty() ? std::string("default") : space;
  out.where = object.where;
  return {};
}

template <class Object>
Status ManifestReader::identify_cluster_scoped(const YamlNode& object, Object& out) const {
  ZEROSPOF_ASSIGN_OR_RETURN(out.name, text(at(&object, {"metadata", "name"}), "metadata.name"));
  out.name = util::printable(out.name, 253);
  out.where = object.where;
  return {};
}

Status ManifestReader::read_object(const YamlNode& object) {
  if (!object.is_mapping())
    return util::fail(source_.error_at(object.where, "a manifest document must be a mapping"));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string kind, text(at(&object, {"kind"}), "kind"));
  if (kind == "List") {
    const YamlNode* items = at(&object, {"items"});
    ZEROSPOF_RETURN_IF_ERROR(expect(items, YamlNode::Kind::kSequence, "items"));
    if (items != nullptr)
      for (const YamlNode& item : items->values) ZEROSPOF_RETURN_IF_ERROR(read_object(item));
    return {};
  }
  if (kind == "Deployment") return read_workload(object, model::WorkloadKind::kDeployment);
  if (kind == "StatefulSet") return read_workload(object, model::WorkloadKind::kStatefulSet);
  if (kind == "DaemonSet") return read_workload(object, model::WorkloadKind::kDaemonSet);
  if (kind == "PodDisruptionBudget") return read_budget(object);
  if (kind == "Service") return read_service(object);
  if (kind == "ValidatingWebhookConfiguration") return read_webhooks(object, false);
  if (kind == "MutatingWebhookConfiguration") return read_webhooks(object, true);
  if (kind == "PersistentVolume") return read_persistent_volume(object);
  if (kind == "PersistentVolumeClaim") return read_claim(object);
  if (kind == "StorageClass") return read_storage_class(object);
  if (kind == "PriorityClass") return read_priority_class(object);
  // Skipping it like any other kind would leave the user believing their plan was checked.
  ZEROSPOF_ASSIGN_OR_RETURN(std::string api_version,
                            text(at(&object, {"apiVersion"}), "apiVersion"));
  using Announcement = model::Announcement;
  if (api_version.starts_with("metallb.io/")) {
    if (kind == "L2Advertisement")
      return read_announcement(object, Announcement::Kind::kL2Advertisement);
    if (kind == "BGPAdvertisement")
      return read_announcement(object, Announcement::Kind::kBgpAdvertisement);
    if (kind == "BGPPeer") return read_announcement(object, Announcement::Kind::kMetallbBgpPeer);
  }
  if (kind == "BGPPeer" && (api_version.starts_with("projectcalico.org/") ||
                            api_version.starts_with("crd.projectcalico.org/")))
    return read_announcement(object, Announcement::Kind::kCalicoBgpPeer);
  if (kind == "Cluster" && api_version.starts_with("zerospof.io/"))
    return util::fail(source_.error_at(
        object.where,
        fmt::format("{} is a zerospof plan, not a Kubernetes manifest", source_.file_name()),
        "give the plan as the first argument, before --manifests: zerospof check PLAN "
        "--manifests DIR"));
  out_.count_unmodelled(util::printable(kind, 63), util::printable(api_version, 253), object.where);
  return {};
}

Status ManifestReader::read_workload(const YamlNode& object, model::WorkloadKind kind) {
  model::Workload workload;
  workload.kind = kind;
  ZEROSPOF_RETURN_IF_ERROR(identify(object, workload));
  if (const YamlNode* replicas = at(&object, {"spec", "replicas"})) {
    ZEROSPOF_ASSIGN_OR_RETURN(workload.replicas, integer(replicas, "spec.replicas"));
  } else {
    workload.replicas_defaulted = kind != model::WorkloadKind::kDaemonSet;
  }
  ZEROSPOF_ASSIGN_OR_RETURN(workload.pod_labels,
                            labels(at(&object, {"spec", "template", "metadata", "labels"})));
  ZEROSPOF_ASSIGN_OR_RETURN(
      std::string service_class,
      text(at(&object, {"metadata", "annotations", "zerospof.io/service-class"}), "service class"));
  if (service_class == "controller") workload.service_class = model::ServiceClass::kController;
  if (service_class == "observability")
    workload.service_class = model::ServiceClass::kObservability;
  if (const YamlNode* pod_spec = at(&object, {"spec", "template", "spec"}))
    ZEROSPOF_RETURN_IF_ERROR(read_pod_spec(*pod_spec, workload));
  if (const YamlNode* templates = at(&object, {"spec", "volumeClaimTemplates"}))
    ZEROSPOF_RETURN_IF_ERROR(read_claim_templates(*templates, workload));
  out_.workloads.push_back(std::move(workload));
  return {};
}

Status ManifestReader::read_pod_spec(const YamlNode& pod_spec, model::Workload& workload) {
  ZEROSPOF_ASSIGN_OR_RETURN(workload.node_selector, labels(at(&pod_spec, {"nodeSelector"})));
  ZEROSPOF_ASSIGN_OR_RETURN(workload.priority_class,
                            text(at(&pod_spec, {"priorityClassName"}), "priorityClassName"));
  workload.priority_class = util::printable(workload.priority_class, 253);
  if (const YamlNode* tolerations = at(&pod_spec, {"tolerations"})) {
    ZEROSPOF_RETURN_IF_ERROR(expect(tolerations, YamlNode::Kind::kSequence, "tolerations"));
    for (const YamlNode& item : tolerations->values) {
      model::Toleration toleration;
      ZEROSPOF_ASSIGN_OR_RETURN(toleration.key, text(at(&item, {"key"}), "key"));
      ZEROSPOF_ASSIGN_OR_RETURN(std::string op, text(at(&item, {"operator"}), "operator"));
      toleration.exists = op == "Exists";
      ZEROSPOF_ASSIGN_OR_RETURN(toleration.value, text(at(&item, {"value"}), "value"));
      ZEROSPOF_ASSIGN_OR_RETURN(toleration.effect, text(at(&item, {"effect"}), "effect"));
      workload.tolerations.push_back(std::move(toleration));
    }
  }
  if (const YamlNode* affinity = at(&pod_spec, {"affinity"}))
    ZEROSPOF_RETURN_IF_ERROR(read_affinity(*affinity, workload));
  if (const YamlNode* constraints = at(&pod_spec, {"topologySpreadConstraints"}))
    ZEROSPOF_RETURN_IF_ERROR(read_spread(*constraints, workload));
  ZEROSPOF_RETURN_IF_ERROR(read_volumes(pod_spec, workload));
  const YamlNode* containers = at(&pod_spec, {"containers"});
  if (containers == nullptr)
    return util::fail(source_.error_at(pod_spec.where, "the pod template has no containers"));
  return read_containers(*containers, workload);
}

// True when no container of the pod mounts volume `name` writable: a host path read only for
// the node's own state (as operators read /var/lib/calico) keeps no data of the pod.
bool mounted_read_only(const YamlNode& pod_spec, const std::string& name) {
  for (std::string_view list : {"containers", "initContainers"}) {
    const YamlNode* containers = at(&pod_spec, {list});
    if (containers == nullptr || !containers->is_sequence()) continue;
    for (const YamlNode& container : containers->values) {
      const YamlNode* mounts = at(&container, {"volumeMounts"});
      if (mounts == nullptr || !mounts->is_sequence()) continue;
      for (const YamlNode& mount : mounts->values) {
        const YamlNode* mount_name = at(&mount, {"name"});
        const YamlNode* read_only = at(&mount, {"readOnly"});
        if (mount_name != nullptr && mount_name->scalar == name &&
            (read_only == nullptr || read_only->scalar != "true"))
          return false;
      }
    }
  }
  return true;
}

Status ManifestReader::read_volumes(const YamlNode& pod_spec, model::Workload& workload) {
  const YamlNode* volumes = at(&pod_spec, {"volumes"});
  if (volumes == nullptr) return {};
  ZEROSPOF_RETURN_IF_ERROR(expect(volumes, YamlNode::Kind::kSequence, "volumes"));
  for (const YamlNode& item : volumes->values) {
    model::PodVolume volume;
    ZEROSPOF_ASSIGN_OR_RETURN(volume.name, text(at(&item, {"name"}), "volumes[].name"));
    volume.where = item.where;
    if (const YamlNode* host_path = at(&item, {"hostPath"})) {
      volume.source = model::PodVolume::Source::kHostPath;
      ZEROSPOF_ASSIGN_OR_RETURN(volume.path_or_claim,
                                text(at(host_path, {"path"}), "hostPath.path"));
      volume.read_only = mounted_read_only(pod_spec, volume.name);
    } else if (const YamlNode* claim = at(&item, {"persistentVolumeClaim"})) {
      volume.source = model::PodVolume::Source::kClaim;
      ZEROSPOF_ASSIGN_OR_RETURN(volume.path_or_claim,
                                text(at(claim, {"claimName"}), "persistentVolumeClaim.claimName"));
    } else {
      continue;
    }
    volume.name = util::printable(volume.name, 253);
    volume.path_or_claim = util::printable(volume.path_or_claim, 253);
    workload.volumes.push_back(std::move(volume));
  }
  return {};
}

Status ManifestReader::read_claim_templates(const YamlNode& templates, model::Workload& workload) {
  ZEROSPOF_RETURN_IF_ERROR(expect(&templates, YamlNode::Kind::kSequence, "volumeClaimTemplates"));
  for (const YamlNode& item : templates.values) {
    model::PodVolume volume;
    volume.source = model::PodVolume::Source::kClaimTemplate;
    volume.where = item.where;
    ZEROSPOF_ASSIGN_OR_RETURN(volume.name, text(at(&item, {"metadata", "name"}), "metadata.name"));
    ZEROSPOF_ASSIGN_OR_RETURN(volume.storage_class,
                              text(at(&item, {"spec", "storageClassName"}), "storageClassName"));
    volume.name = util::printable(volume.name, 253);
    volume.storage_class = util::printable(volume.storage_class, 253);
    workload.volumes.push_back(std::move(volume));
  }
  return {};
}

model::SpreadKey spread_key(const std::string& topology_key) {
  if (topology_key == "kubernetes.io/hostname") return model::SpreadKey::kHostname;
  if (topology_key == "topology.kubernetes.io/zone") return model::SpreadKey::kZone;
  return model::SpreadKey::kNone;
}

// Anti-affinity spreads replicas only when its selector matches the pods' own labels.
Status ManifestReader::read_affinity(const YamlNode& affinity, model::Workload& workload) {
  if (const YamlNode* terms =
          at(&affinity, {"nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                         "nodeSelectorTerms"})) {
    ZEROSPOF_RETURN_IF_ERROR(expect(terms, YamlNode::Kind::kSequence, "nodeSelectorTerms"));
    for (const YamlNode& term : terms->values) {
      ZEROSPOF_ASSIGN_OR_RETURN(auto term_requirements,
                                requirements(at(&term, {"matchExpressions"})));
      workload.node_affinity_terms.push_back(std::move(term_requirements));
    }
  }
  const YamlNode* anti = at(&affinity, {"podAntiAffinity"});
  if (anti == nullptr) return {};
  if (const YamlNode* required = at(anti, {"requiredDuringSchedulingIgnoredDuringExecution"})) {
    ZEROSPOF_RETURN_IF_ERROR(expect(required, YamlNode::Kind::kSequence, "podAntiAffinity terms"));
    for (const YamlNode& term : required->values) {
      ZEROSPOF_ASSIGN_OR_RETURN(auto term_selector, selector(at(&term, {"labelSelector"})));
      ZEROSPOF_ASSIGN_OR_RETURN(std::string key, text(at(&term, {"topologyKey"}), "topologyKey"));
      model::SpreadKey parsed = spread_key(key);
      if (parsed == model::SpreadKey::kNone || !term_selector.matches(workload.pod_labels))
        continue;
      if (workload.spread.required_key != model::SpreadKey::kHostname) {
        workload.spread.required_key = parsed;
        workload.spread.max_skew = 0;
      }
    }
  }
  if (at(anti, {"preferredDuringSchedulingIgnoredDuringExecution"}) != nullptr)
    workload.spread.preferred = true;
  return {};
}

Status ManifestReader::read_spread(const YamlNode& constraints, model::Workload& workload) {
  ZEROSPOF_RETURN_IF_ERROR(
      expect(&constraints, YamlNode::Kind::kSequence, "topologySpreadConstraints"));
  for (const YamlNode& item : constraints.values) {
    ZEROSPOF_ASSIGN_OR_RETURN(std::string key, text(at(&item, {"topologyKey"}), "topologyKey"));
    ZEROSPOF_ASSIGN_OR_RETURN(std::string when,
                              text(at(&item, {"whenUnsatisfiable"}), "whenUnsatisfiable"));
    const YamlNode* skew_node = at(&item, {"maxSkew"});
    if (skew_node == nullptr)
      return util::fail(source_.error_at(item.where, "a topology spread constraint needs maxSkew"));
    ZEROSPOF_ASSIGN_OR_RETURN(int skew, integer(skew_node, "maxSkew"));
    ZEROSPOF_ASSIGN_OR_RETURN(auto item_selector, selector(at(&item, {"labelSelector"})));
    model::SpreadKey parsed = spread_key(key);
    bool own = item_selector.matches(workload.pod_labels);
    if (when != "DoNotSchedule" || parsed == model::SpreadKey::kNone || !own || skew < 1) {
      workload.spread.preferred = true;
      continue;
    }
    if (workload.spread.required_key == model::SpreadKey::kNone ||
        (parsed == model::SpreadKey::kHostname && workload.spread.max_skew != 0)) {
      workload.spread.required_key = parsed;
      workload.spread.max_skew = skew;
    }
  }
  return {};
}

Status ManifestReader::read_containers(const YamlNode& containers, model::Workload& workload) {
  ZEROSPOF_RETURN_IF_ERROR(expect(&containers, YamlNode::Kind::kSequence, "containers"));
  // Probes are judged on the containers that serve (declare a port): a sidecar that only sleeps
  // or ships logs takes no traffic, and a probe on it would test nothing. A pod whose containers
  // declare no port is judged on all of them.
  auto serves = [&](const YamlNode& container) {
    const YamlNode* ports = at(&container, {"ports"});
    return ports != nullptr && ports->kind == YamlNode::Kind::kSequence && !ports->values.empty();
  };
  const bool any_serves = std::any_of(containers.values.begin(), containers.values.end(), serves);
  workload.has_readiness_probe = workload.has_liveness_probe = !containers.values.empty();
  for (const YamlNode& container : containers.values) {
    if (!any_serves || serves(container)) {
      workload.has_readiness_probe &= at(&container, {"readinessProbe"}) != nullptr;
      workload.has_liveness_probe &= at(&container, {"livenessProbe"}) != nullptr;
    }
    ZEROSPOF_RETURN_IF_ERROR(read_requests(container, workload));
  }
  return {};
}

Status ManifestReader::read_requests(const YamlNode& container, model::Workload& workload) {
  ZEROSPOF_ASSIGN_OR_RETURN(std::string cpu,
                            text(at(&container, {"resources", "requests", "cpu"}), "cpu"));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string memory,
                            text(at(&container, {"resources", "requests", "memory"}), "memory"));
  auto millicores = cpu.empty() ? std::optional<std::int64_t>(0) : parse_cpu_millicores(cpu);
  auto bytes = memory.empty() ? std::optional<std::int64_t>(0) : parse_memory_bytes(memory);
  if (!millicores || !bytes)
    return util::fail(source_.error_at(at(&container, {"resources", "requests"})->where,
                                       "invalid resource request quantity",
                                       "for example: cpu: 250m, memory: 128Mi"));
  workload.cpu_request_millicores += *millicores;
  workload.memory_request_bytes += *bytes;
  return {};
}

Status ManifestReader::read_budget(const YamlNode& object) {
  model::DisruptionBudget budget;
  ZEROSPOF_RETURN_IF_ERROR(identify(object, budget));
  ZEROSPOF_ASSIGN_OR_RETURN(budget.selector, selector(at(&object, {"spec", "selector"})));
  auto read_bound = [&](std::string_view field, std::optional<int>& absolute,
                        std::optional<int>& percent) -> Status {
    const YamlNode* node = at(&object, {"spec", field});
    if (node == nullptr) return {};
    ZEROSPOF_RETURN_IF_ERROR(expect(node, YamlNode::Kind::kScalar, field));
    if (!node->scalar.empty() && node->scalar.back() == '%') {
      auto value = parse_integer(std::string_view(node->scalar).substr(0, node->scalar.size() - 1));
      if (!value || *value < 0 || *value > 100)
        return util::fail(
            source_.error_at(node->where, fmt::format("invalid {} '{}'", field, node->scalar)));
      percent = static_cast<int>(*value);
      return {};
    }
    ZEROSPOF_ASSIGN_OR_RETURN(int value, integer(node, field));
    absolute = value;
    return {};
  };
  ZEROSPOF_RETURN_IF_ERROR(
      read_bound("minAvailable", budget.min_available, budget.min_available_percent));
  ZEROSPOF_RETURN_IF_ERROR(
      read_bound("maxUnavailable", budget.max_unavailable, budget.max_unavailable_percent));
  out_.budgets.push_back(std::move(budget));
  return {};
}

Status ManifestReader::read_service(const YamlNode& object) {
  model::KubeService service;
  ZEROSPOF_RETURN_IF_ERROR(identify(object, service));
  ZEROSPOF_ASSIGN_OR_RETURN(service.selector, labels(at(&object, {"spec", "selector"})));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string type, text(at(&object, {"spec", "type"}), "spec.type"));
  if (!type.empty()) service.type = util::printable(type, 63);
  ZEROSPOF_ASSIGN_OR_RETURN(std::string policy, text(at(&object, {"spec", "externalTrafficPolicy"}),
                                                     "spec.externalTrafficPolicy"));
  service.external_traffic_local = policy == "Local";
  out_.services.push_back(std::move(service));
  return {};
}

Status ManifestReader::read_announcement(const YamlNode& object, model::Announcement::Kind kind) {
  model::Announcement announcement;
  announcement.kind = kind;
  ZEROSPOF_RETURN_IF_ERROR(identify(object, announcement));
  ZEROSPOF_ASSIGN_OR_RETURN(announcement.pools,
                            words(at(&object, {"spec", "ipAddressPools"}), "spec.ipAddressPools"));
  ZEROSPOF_ASSIGN_OR_RETURN(announcement.peer_address,
                            text(at(&object, {"spec", "peerAddress"}), "spec.peerAddress"));
  announcement.peer_address = util::printable(announcement.peer_address, 253);
  if (kind == model::Announcement::Kind::kCalicoBgpPeer) {
    // Calico names one node, or selects nodes with an expression of its own syntax.
    ZEROSPOF_ASSIGN_OR_RETURN(announcement.node, text(at(&object, {"spec", "node"}), "spec.node"));
    announcement.node = util::printable(announcement.node, 253);
    ZEROSPOF_ASSIGN_OR_RETURN(std::string expression,
                              text(at(&object, {"spec", "nodeSelector"}), "spec.nodeSelector"));
    announcement.selector_expression = !expression.empty();
  } else if (const YamlNode* selectors = at(&object, {"spec", "nodeSelectors"})) {
    ZEROSPOF_RETURN_IF_ERROR(expect(selectors, YamlNode::Kind::kSequence, "spec.nodeSelectors"));
    for (const YamlNode& item : selectors->values) {
      ZEROSPOF_ASSIGN_OR_RETURN(model::LabelSelector nodes, selector(&item));
      announcement.node_selectors.push_back(std::move(nodes));
    }
  }
  out_.announcements.push_back(std::move(announcement));
  return {};
}

Status ManifestReader::read_webhooks(const YamlNode& object, bool mutating) {
  ZEROSPOF_ASSIGN_OR_RETURN(std::string configuration,
                            text(at(&object, {"metadata", "name"}), "metadata.name"));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string api_version,
                            text(at(&object, {"apiVersion"}), "apiVersion"));
  const YamlNode* webhooks = at(&object, {"webhooks"});
  if (webhooks == nullptr) return {};
  ZEROSPOF_RETURN_IF_ERROR(expect(webhooks, YamlNode::Kind::kSequence, "webhooks"));
  for (const YamlNode& item : webhooks->values) {
    model::AdmissionWebhook webhook;
    webhook.configuration = util::printable(configuration, 253);
    webhook.mutating = mutating;
    webhook.where = item.where;
    ZEROSPOF_ASSIGN_OR_RETURN(webhook.name, text(at(&item, {"name"}), "webhooks[].name"));
    webhook.name = util::printable(webhook.name, 253);
    const YamlNode* policy_node = at(&item, {"failurePolicy"});
    ZEROSPOF_ASSIGN_OR_RETURN(std::string policy, text(policy_node, "failurePolicy"));
    if (policy.empty()) {
      // admissionregistration.k8s.io/v1 defaults to Fail; the removed v1beta1 to Ignore.
      webhook.fails_closed = !api_version.ends_with("/v1beta1");
    } else if (policy == "Fail" || policy == "Ignore") {
      webhook.fails_closed = policy == "Fail";
    } else {
      return util::fail(source_.error_at(
          policy_node->where, fmt::format("failurePolicy must be Fail or Ignore, not '{}'",
                                          util::printable(policy, 40))));
    }
    const YamlNode* service = at(&item, {"clientConfig", "service"});
    ZEROSPOF_ASSIGN_OR_RETURN(webhook.service_namespace,
                              text(at(service, {"namespace"}), "clientConfig.service.namespace"));
    ZEROSPOF_ASSIGN_OR_RETURN(webhook.service_name,
                              text(at(service, {"name"}), "clientConfig.service.name"));
    webhook.service_namespace = util::printable(webhook.service_namespace, 63);
    webhook.service_name = util::printable(webhook.service_name, 253);
    if (const YamlNode* rules = at(&item, {"rules"})) {
      ZEROSPOF_RETURN_IF_ERROR(expect(rules, YamlNode::Kind::kSequence, "rules"));
      for (const YamlNode& rule_node : rules->values) {
        model::WebhookRule rule;
        ZEROSPOF_ASSIGN_OR_RETURN(rule.operations,
                                  words(at(&rule_node, {"operations"}), "operations"));
        ZEROSPOF_ASSIGN_OR_RETURN(rule.api_groups,
                                  words(at(&rule_node, {"apiGroups"}), "apiGroups"));
        ZEROSPOF_ASSIGN_OR_RETURN(rule.resources,
                                  words(at(&rule_node, {"resources"}), "resources"));
        webhook.rules.push_back(std::move(rule));
      }
    }
    out_.webhooks.push_back(std::move(webhook));
  }
  return {};
}

Status ManifestReader::read_persistent_volume(const YamlNode& object) {
  model::PersistentVolume volume;
  ZEROSPOF_RETURN_IF_ERROR(identify_cluster_scoped(object, volume));
  volume.local =
      at(&object, {"spec", "local"}) != nullptr || at(&object, {"spec", "hostPath"}) != nullptr;
  if (const YamlNode* terms =
          at(&object, {"spec", "nodeAffinity", "required", "nodeSelectorTerms"})) {
    ZEROSPOF_RETURN_IF_ERROR(expect(terms, YamlNode::Kind::kSequence, "nodeSelectorTerms"));
    for (const YamlNode& term : terms->values) {
      ZEROSPOF_ASSIGN_OR_RETURN(auto term_requirements,
                                requirements(at(&term, {"matchExpressions"})));
      for (const LabelRequirement& requirement : term_requirements)
        if (requirement.key == "kubernetes.io/hostname" &&
            requirement.op == LabelRequirement::Operator::kIn)
          for (const std::string& node : requirement.values)
            volume.nodes.push_back(util::printable(node, 253));
    }
  }
  const YamlNode* claim = at(&object, {"spec", "claimRef"});
  ZEROSPOF_ASSIGN_OR_RETURN(volume.claim_namespace,
                            text(at(claim, {"namespace"}), "claimRef.namespace"));
  ZEROSPOF_ASSIGN_OR_RETURN(volume.claim_name, text(at(claim, {"name"}), "claimRef.name"));
  out_.volumes.push_back(std::move(volume));
  return {};
}

Status ManifestReader::read_claim(const YamlNode& object) {
  model::PersistentVolumeClaim claim;
  ZEROSPOF_RETURN_IF_ERROR(identify(object, claim));
  ZEROSPOF_ASSIGN_OR_RETURN(claim.volume_name,
                            text(at(&object, {"spec", "volumeName"}), "spec.volumeName"));
  ZEROSPOF_ASSIGN_OR_RETURN(claim.storage_class,
                            text(at(&object, {"spec", "storageClassName"}), "storageClassName"));
  out_.claims.push_back(std::move(claim));
  return {};
}

Status ManifestReader::read_storage_class(const YamlNode& object) {
  model::StorageClass storage_class;
  ZEROSPOF_RETURN_IF_ERROR(identify_cluster_scoped(object, storage_class));
  ZEROSPOF_ASSIGN_OR_RETURN(storage_class.provisioner,
                            text(at(&object, {"provisioner"}), "provisioner"));
  ZEROSPOF_ASSIGN_OR_RETURN(
      std::string is_default,
      text(at(&object, {"metadata", "annotations", "storageclass.kubernetes.io/is-default-class"}),
           "is-default-class"));
  storage_class.is_default = is_default == "true";
  out_.storage_classes.push_back(std::move(storage_class));
  return {};
}

Status ManifestReader::read_priority_class(const YamlNode& object) {
  model::PriorityClass priority_class;
  ZEROSPOF_RETURN_IF_ERROR(identify_cluster_scoped(object, priority_class));
  const YamlNode* value = at(&object, {"value"});
  if (value == nullptr)
    return util::fail(source_.error_at(object.where, "a PriorityClass needs a value",
                                       "give it `value: <integer>` as Kubernetes requires"));
  ZEROSPOF_RETURN_IF_ERROR(expect(value, YamlNode::Kind::kScalar, "value"));
  // Kubernetes takes any 32-bit integer (user classes up to one billion; negative is allowed).
  const auto number = value->plain ? parse_integer(value->scalar) : std::nullopt;
  if (!number || *number < std::numeric_limits<std::int32_t>::min() ||
      *number > std::numeric_limits<std::int32_t>::max())
    return util::fail(source_.error_at(
        value->where,
        fmt::format("a PriorityClass's value must be a 32-bit integer, not '{}'", value->scalar)));
  priority_class.value = static_cast<std::int32_t>(*number);
  ZEROSPOF_ASSIGN_OR_RETURN(std::string global_default,
                            text(at(&object, {"globalDefault"}), "globalDefault"));
  priority_class.global_default = global_default == "true";
  ZEROSPOF_ASSIGN_OR_RETURN(std::string policy,
                            text(at(&object, {"preemptionPolicy"}), "preemptionPolicy"));
  priority_class.preempts = policy != "Never";
  out_.priority_classes.push_back(std::move(priority_class));
  return {};
}

bool is_manifest_file(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  return name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".yaml.sed");
}

// Each workload's priority from its class: a class of the objects read, a built-in one, or for
// none the global default's (0 without one). A class that is not among them (a live cluster's
// objects list no PriorityClasses; a chart may rely on one made elsewhere) leaves the priority
// unknown, judged as 0, and the report names it rather than refusing the whole check.
void resolve_priorities(model::Manifests& manifests) {
  std::int32_t default_priority = 0;
  bool default_preempts = true;
  for (const model::PriorityClass& priority_class : manifests.priority_classes)
    if (priority_class.global_default) {
      default_priority = priority_class.value;
      default_preempts = priority_class.preempts;
    }
  for (model::Workload& workload : manifests.workloads) {
    workload.priority_known = true;
    workload.preempts = true;  // the built-in classes, and unknown ones as the API defaults
    if (workload.priority_class.empty()) {
      workload.priority = default_priority;
      workload.preempts = default_preempts;
      continue;
    }
    auto named = std::find_if(manifests.priority_classes.begin(), manifests.priority_classes.end(),
                              [&](const model::PriorityClass& candidate) {
                                return candidate.name == workload.priority_class;
                              });
    if (named != manifests.priority_classes.end()) {
      workload.priority = named->value;
      workload.preempts = named->preempts;
    } else if (auto builtin = model::builtin_priority(workload.priority_class)) {
      workload.priority = *builtin;
    } else {
      workload.priority = 0;
      workload.priority_known = false;
    }
  }
}

// Workloads that no Service selects serve no traffic: they are controllers and operators
// unless an annotation says otherwise.
void classify(model::Manifests& manifests) {
  for (model::Workload& workload : manifests.workloads) {
    if (workload.service_class != model::ServiceClass::kDataPath) continue;
    bool served =
        std::any_of(manifests.services.begin(), manifests.services.end(),
                    [&](const model::KubeService& service) { return service.selects(workload); });
    if (!served) workload.service_class = model::ServiceClass::kController;
  }
}

util::Result<model::Manifests> parse_manifests(const std::string& text,
                                               const std::string& file_name) {
  SourceText source(file_name, text);
  ZEROSPOF_ASSIGN_OR_RETURN(std::vector<YamlNode> documents, parse_yaml(text, source));
  model::Manifests manifests;
  ManifestReader reader(source, manifests);
  for (const YamlNode& document : documents) ZEROSPOF_RETURN_IF_ERROR(reader.read_object(document));
  return manifests;
}

}  // namespace

util::Result<model::Manifests> load_manifests_from_string(const std::string& text,
                                                          const std::string& file_name) {
  ZEROSPOF_ASSIGN_OR_RETURN(model::Manifests manifests, parse_manifests(text, file_name));
  classify(manifests);
  resolve_priorities(manifests);
  return manifests;
}

util::Result<model::Manifests> load_manifests(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  std::vector<NamedText> texts;
  bool standard_input = false;
  for (const std::string& path : paths) {
    std::error_code error;
    if (path == "-") {
      // `kubectl get -A -o yaml | zerospof check PLAN --manifests -`, `helm template ... | ...`
      if (standard_input)
        return util::fail(util::Error::invalid_input("--manifests - is given twice", {"-", 0, 0},
                                                     "standard input can be read only once"));
      standard_input = true;
      auto text = util::read_input_file("/dev/stdin");
      if (!text)
        return util::fail(util::Error::invalid_input(text.error().message, {"stdin", 0, 0}));
      texts.push_back({"stdin", std::move(*text)});
      continue;
    }
    if (std::filesystem::is_regular_file(path, error)) {
      files.push_back(path);
      continue;
    }
    if (!std::filesystem::is_directory(path, error))
      return util::fail(util::Error::invalid_input(
          fmt::format("--manifests {}: no such file or directory", path), {path, 0, 0}));
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path, error))
      if (entry.is_regular_file() && is_manifest_file(entry.path())) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) {
    auto text = util::read_input_file(file);
    if (!text) return util::fail(util::Error::invalid_input(text.error().message, {file, 0, 0}));
    texts.push_back({file, std::move(*text)});
  }
  return load_manifests_from_strings(texts);
}

util::Result<model::Manifests> load_manifests_from_strings(const std::vector<NamedText>& texts) {
  model::Manifests all;
  for (const auto& [file, text] : texts) {
    ZEROSPOF_ASSIGN_OR_RETURN(model::Manifests one, parse_manifests(text, file));
    std::move(one.workloads.begin(), one.workloads.end(), std::back_inserter(all.workloads));
    std::move(one.budgets.begin(), one.budgets.end(), std::back_inserter(all.budgets));
    std::move(one.services.begin(), one.services.end(), std::back_inserter(all.services));
    std::move(one.webhooks.begin(), one.webhooks.end(), std::back_inserter(all.webhooks));
    std::move(one.volumes.begin(), one.volumes.end(), std::back_inserter(all.volumes));
    std::move(one.claims.begin(), one.claims.end(), std::back_inserter(all.claims));
    std::move(one.storage_classes.begin(), one.storage_classes.end(),
              std::back_inserter(all.storage_classes));
    std::move(one.priority_classes.begin(), one.priority_classes.end(),
              std::back_inserter(all.priority_classes));
    std::move(one.announcements.begin(), one.announcements.end(),
              std::back_inserter(all.announcements));
    for (const model::UnmodelledKind& kind : one.unmodelled)
      all.count_unmodelled(kind.kind, kind.api_version, kind.first, kind.count);
  }
  classify(all);
  resolve_priorities(all);
  return all;
}

}  // namespace zerospof::plan
