#include "render/upstream.h"

#include <fmt/format.h>

#include <cstdlib>
#include <memory>
#include <regex>

#include "plan/yaml.h"
#include "render/context.h"
#include "render/layout.h"
#include "render/manifests.h"
#include "render/upstream_pins.h"
#include "util/files.h"

namespace zerospof::render {

namespace {

using util::Error;
using util::Result;

// Upstream files separate documents by lines of exactly "---".
std::vector<std::string> split_documents(const std::string& text) {
  std::vector<std::string> documents(1);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string line = text.substr(start, end - start);
    if (line == "---\n")
      documents.emplace_back();
    else
      documents.back() += line;
    start = end;
  }
  return documents;
}

// Whether `document` is the object `kind`/`name` (read as YAML; the text test first is only a
// shortcut past the hundreds of documents that cannot be it).
bool is_object(const std::string& document, const std::string& kind, const std::string& name) {
  if (document.find(kind) == std::string::npos || document.find(name) == std::string::npos)
    return false;
  auto identity = plan::object_identity(document);
  return identity && identity->kind == kind && identity->name == name;
}

Result<std::string> merge_into(const std::string& document,
                               const std::vector<std::pair<std::string, std::string>>& patches,
                               const std::string& what) {
  return plan::merge_yaml(document, patches, "upstream " + what);
}

// Applies `patch` to the one document of `kind`/`name`; an absent target is an error.
template <class Patch>
Result<std::string> patch_object(const std::string& text, const std::string& kind,
                                 const std::string& name, const std::string& file, Patch patch) {
  std::vector<std::string> documents = split_documents(text);
  bool found = false;
  std::string out;
  for (std::string& document : documents) {
    if (is_object(document, kind, name)) {
      ZEROSPOF_ASSIGN_OR_RETURN(document, patch(document));
      found = true;
    }
    if (!document.empty()) out += document + (document.back() == '\n' ? "" : "\n") + "---\n";
  }
  if (!found)
    return util::fail(Error::failed_precondition(
        fmt::format("{} has no {} {} to patch", file, kind, name),
        "the upstream manifest changed: update zerospof's patches for it"));
  return out;
}

Result<std::string> replace_text(std::string document, const std::string& from,
                                 const std::string& to, const std::string& what) {
  size_t at = document.find(from);
  if (at == std::string::npos)
    return util::fail(Error::failed_precondition(
        fmt::format("the upstream {} has no '{}' to patch", what, from),
        "the upstream manifest changed: update zerospof's patches for it"));
  return document.replace(at, from.size(), to);
}

std::string replicas_patch(int replicas) { return fmt::format("replicas: {}", replicas); }

std::string affinity_patch(const std::string& labels) {
  return "affinity:\n" + anti_affinity(labels, 2);
}

Result<std::string> read_upstream(const RenderOptions& options, const std::string& file) {
  return pinned_upstream_file(file, options.upstream_dir);
}

const char* kIngressLabels =
    "app.kubernetes.io/component: controller, app.kubernetes.io/instance: ingress-nginx, "
    "app.kubernetes.io/name: ingress-nginx";

Result<std::string> ingress_nginx(const model::Cluster& cluster, const RenderOptions& options) {
  const std::string file = "ingress-nginx-baremetal.yaml";
  ZEROSPOF_ASSIGN_OR_RETURN(std::string text, read_upstream(options, file));
  ZEROSPOF_ASSIGN_OR_RETURN(
      text, patch_object(text, "Deployment", "ingress-nginx-controller", file,
                         [&](const std::string& document) {
                           return merge_into(
                               document,
                               {{"/spec", replicas_patch(cluster.addons.ingress_replicas)},
                                {"/spec/template/spec", affinity_patch(kIngressLabels)}},
                               "ingress-nginx-controller");
                         }));
  // The admission certificate Jobs delete themselves once finished (ttlSecondsAfterFinished:
  // 0), so every later apply would find them missing and run them again: kept, as a record.
  for (const char* job : {"ingress-nginx-admission-create", "ingress-nginx-admission-patch"}) {
    ZEROSPOF_ASSIGN_OR_RETURN(text, patch_object(text, "Job", job, file, [&](std::string document) {
                                return replace_text(std::move(document),
                                                    "  ttlSecondsAfterFinished: 0\n", "", file);
                              }));
  }
  return text + budget("ingress-nginx", "ingress-nginx-controller", kIngressLabels);
}

// Volumes keep `replicas` copies on distinct nodes, pods of a dead node are deleted so that
// their volumes can attach elsewhere (Longhorn's default leaves them stuck), and a hung manager
// is restarted.
Result<std::string> longhorn(const model::Cluster& cluster, const RenderOptions& options) {
  const std::string file = "longhorn.yaml";
  const int replicas = cluster.storage.replicas;
  ZEROSPOF_ASSIGN_OR_RETURN(std::string text, read_upstream(options, file));
  ZEROSPOF_ASSIGN_OR_RETURN(
      text, patch_object(text, "Deployment", "longhorn-ui", file, [&](const std::string& doc) {
        return merge_into(doc, {{"/spec/template/spec", affinity_patch("app: longhorn-ui")}},
                          "longhorn-ui");
      }));
  ZEROSPOF_ASSIGN_OR_RETURN(
      text, patch_object(text, "ConfigMap", "longhorn-storageclass", file, [&](std::string doc) {
        return replace_text(std::move(doc), "numberOfReplicas: \"3\"",
                            fmt::format("numberOfReplicas: \"{}\"", replicas), file);
      }));
  ZEROSPOF_ASSIGN_OR_RETURN(
      text, patch_object(text, "ConfigMap", "longhorn-default-setting", file, [&](std::string doc) {
        return replace_text(
            std::move(doc), "  default-setting.yaml: |-\n",
            fmt::format(
                "  default-setting.yaml: |-\n"
                "    default-replica-count: \"{{\\\"v1\\\":\\\"{0}\\\",\\\"v2\\\":\\\"{0}\\\"}}\"\n"
                "    replica-soft-anti-affinity: \"false\"\n"
                "    node-down-pod-deletion-policy: "
                "\"delete-both-statefulset-and-deployment-pod\"\n",
                replicas),
            file);
      }));
  // Upstream's manager has a readiness probe and no liveness probe, so a manager whose API hangs
  // stays hung. The liveness probe is lenient on purpose (a minute without accepting connections
  // on its API port): a restart of the manager leaves the volumes' engines and replicas running
  // (they live in the instance managers), while a needless one costs a few seconds of control.
  ZEROSPOF_ASSIGN_OR_RETURN(
      text, patch_object(text, "DaemonSet", "longhorn-manager", file, [&](std::string doc) {
        return replace_text(std::move(doc),
                            "        readinessProbe:\n"
                            "          httpGet:\n"
                            "            path: /v1/healthz\n",
                            "        livenessProbe:\n"
                            "          tcpSocket:\n"
                            "            port: 9500\n"
                            "          initialDelaySeconds: 60\n"
                            "          periodSeconds: 10\n"
                            "          failureThreshold: 6\n"
                            "        readinessProbe:\n"
                            "          httpGet:\n"
                            "            path: /v1/healthz\n",
                            file);
      }));
  return text + budget("longhorn-system", "longhorn-ui", "app: longhorn-ui");
}

// calico-kube-controllers runs as one instance by design (upstream ships its PDB); calico-node
// is a DaemonSet. The only patch: the IP pool is the plan's pod subnet.
Result<std::string> calico(const model::Cluster& cluster, const RenderOptions& options) {
  const std::string file = "calico.yaml";
  ZEROSPOF_ASSIGN_OR_RETURN(std::string text, read_upstream(options, file));
  return patch_object(text, "DaemonSet", "calico-node", file, [&](std::string doc) {
    return replace_text(std::move(doc),
                        "            # - name: CALICO_IPV4POOL_CIDR\n"
                        "            #   value: \"192.168.0.0/16\"\n",
                        fmt::format("            - name: CALICO_IPV4POOL_CIDR\n"
                                    "              value: \"{}\"\n",
                                    cluster.kubernetes.pod_subnet.to_string()),
                        file);
  });
}

}  // namespace

Result<std::vector<File>> upstream_manifests(const model::Cluster& cluster,
                                             const RenderOptions& options) {
  const std::string dir = layout::kManifestDir;
  std::vector<File> files;
  if (cluster.network.cni == model::Cni::kCalico) {
    ZEROSPOF_ASSIGN_OR_RETURN(std::string text, calico(cluster, options));
    files.push_back(public_file("", dir + "/20-calico.yaml", text));
  }
  if (cluster.addons.ingress_replicas > 0 && cluster.addons.ingress_provider == "ingress-nginx") {
    ZEROSPOF_ASSIGN_OR_RETURN(std::string text, ingress_nginx(cluster, options));
    files.push_back(public_file("", dir + "/30-ingress-nginx.yaml", text));
  }
  if (cluster.storage.provider == model::StorageProvider::kLonghorn) {
    ZEROSPOF_ASSIGN_OR_RETURN(std::string text, longhorn(cluster, options));
    files.push_back(public_file("", dir + "/40-longhorn.yaml", text));
  }
  return files;
}

}  // namespace zerospof::render
