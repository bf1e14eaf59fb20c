#include "render/snapshots.h"

#include <fmt/format.h>

#include "render/manifests.h"

namespace zerospof::render {

namespace {

const char* kControllerImage = "registry.k8s.io/sig-storage/snapshot-controller:v8.2.0";
const char* kControllerLabels = "app.kubernetes.io/name: snapshot-controller";

struct Resource {
  const char* kind;
  const char* singular;
  const char* plural;
  const char* scope;        // Cluster or Namespaced
  const char* short_names;  // a YAML flow sequence
  const char* schema;       // the properties beside apiVersion, kind and metadata, at 12 spaces
  bool status;              // whether status is a subresource
};

// One CRD of the snapshot.storage.k8s.io group, served and stored at v1.
std::string crd(const Resource& resource) {
  return fmt::format(
      R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.snapshot.storage.k8s.io
  # The group is Kubernetes' own: the API review that approved it.
  annotations: {{api-approved.kubernetes.io: "https://github.com/kubernetes-csi/external-snapshotter/pull/814"}}
spec:
  group: snapshot.storage.k8s.io
  scope: {scope}
  names: {{kind: {kind}, listKind: {kind}List, plural: {plural}, singular: {singular}, shortNames: {short_names}}}
  versions:
    - name: v1
      served: true
      storage: true
{subresources}      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion: {{type: string}}
            kind: {{type: string}}
            metadata: {{type: object}}
{schema}---
)",
      fmt::arg("plural", resource.plural), fmt::arg("kind", resource.kind),
      fmt::arg("scope", resource.scope), fmt::arg("singular", resource.singular),
      fmt::arg("short_names", resource.short_names), fmt::arg("schema", resource.schema),
      fmt::arg("subresources", resource.status ? "      subresources: {status: {}}\n" : ""));
}

const char* kClassSchema = R"(            driver: {type: string}
            deletionPolicy: {type: string, enum: [Delete, Retain]}
            parameters: {type: object, additionalProperties: {type: string}}
          required: [deletionPolicy, driver]
)";

const char* kSnapshotSchema = R"(            spec:
              type: object
              required: [source]
              properties:
                source:
                  type: object
                  # Exactly one: a volume to snapshot, or a pre-provisioned snapshot content.
                  oneOf:
                    - required: [persistentVolumeClaimName]
                    - required: [volumeSnapshotContentName]
                  properties:
                    persistentVolumeClaimName: {type: string}
                    volumeSnapshotContentName: {type: string}
                volumeSnapshotClassName: {type: string}
            status:
              type: object
              properties:
                boundVolumeSnapshotContentName: {type: string}
                creationTime: {type: string, format: date-time}
                readyToUse: {type: boolean}
                restoreSize: {type: string}
                volumeGroupSnapshotName: {type: string}
                error:
                  type: object
                  properties: {message: {type: string}, time: {type: string, format: date-time}}
          required: [spec]
)";

const char* kContentSchema = R"(            spec:
              type: object
              required: [deletionPolicy, driver, source, volumeSnapshotRef]
              properties:
                deletionPolicy: {type: string, enum: [Delete, Retain]}
                driver: {type: string}
                source:
                  type: object
                  oneOf:
                    - required: [snapshotHandle]
                    - required: [volumeHandle]
                  properties:
                    snapshotHandle: {type: string}
                    volumeHandle: {type: string}
                sourceVolumeMode: {type: string}
                volumeSnapshotClassName: {type: string}
                volumeSnapshotRef:
                  type: object
                  x-kubernetes-map-type: atomic
                  properties:
                    apiVersion: {type: string}
                    fieldPath: {type: string}
                    kind: {type: string}
                    name: {type: string}
                    namespace: {type: string}
                    resourceVersion: {type: string}
                    uid: {type: string}
            status:
              type: object
              properties:
                creationTime: {type: integer, format: int64}
                readyToUse: {type: boolean}
                restoreSize: {type: integer, format: int64, minimum: 0}
                snapshotHandle: {type: string}
                volumeGroupSnapshotHandle: {type: string}
                error:
                  type: object
                  properties: {message: {type: string}, time: {type: string, format: date-time}}
          required: [spec]
)";

const char* kControllerRules = R"(  - apiGroups: [""]
    resources: [persistentvolumes]
    verbs: [get, list, watch]
  - apiGroups: [""]
    resources: [persistentvolumeclaims]
    verbs: [get, list, watch, update]
  - apiGroups: [""]
    resources: [events]
    verbs: [list, watch, create, update, patch]
  - apiGroups: [snapshot.storage.k8s.io]
    resources: [volumesnapshotclasses]
    verbs: [get, list, watch]
  - apiGroups: [snapshot.storage.k8s.io]
    resources: [volumesnapshotcontents, volumesnapshots]
    verbs: [create, get, list, watch, update, delete, patch]
  - apiGroups: [snapshot.storage.k8s.io]
    resources: [volumesnapshotcontents/status, volumesnapshots/status]
    verbs: [update, patch]
)";

const char* kLeaderElectionRbac = R"(# Its leader election lease.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "zerospof:snapshot-controller-leader-election", namespace: kube-system}
rules:
  - apiGroups: [coordination.k8s.io]
    resources: [leases]
    verbs: [get, watch, list, delete, update, create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "zerospof:snapshot-controller-leader-election", namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "zerospof:snapshot-controller-leader-election"}
subjects: [{kind: ServiceAccount, name: snapshot-controller, namespace: kube-system}]
---
)";

}  // namespace

std::string snapshot_crds_manifest(const model::Cluster& cluster) {
  if (cluster.storage.provider == model::StorageProvider::kNone) return "";
  return crd({"VolumeSnapshotClass", "volumesnapshotclass", "volumesnapshotclasses", "Cluster",
              "[vsclass, vsclasses]", kClassSchema, false}) +
         crd({"VolumeSnapshot", "volumesnapshot", "volumesnapshots", "Namespaced", "[vs]",
              kSnapshotSchema, true}) +
         crd({"VolumeSnapshotContent", "volumesnapshotcontent", "volumesnapshotcontents", "Cluster",
              "[vsc, vscs]", kContentSchema, true});
}

std::string snapshot_controller_manifest(const model::Cluster& cluster) {
  if (cluster.storage.provider == model::StorageProvider::kNone) return "";
  return service_account_with_role("kube-system", "snapshot-controller",
                                   "zerospof:snapshot-controller", kControllerRules) +
         kLeaderElectionRbac +
         fmt::format(
             R"(apiVersion: apps/v1
kind: Deployment
metadata: {{name: snapshot-controller, namespace: kube-system, labels: {{{labels}}}}}
spec:
  replicas: 2
  strategy: {{type: RollingUpdate, rollingUpdate: {{maxUnavailable: 1, maxSurge: 0}}}}
  selector: {{matchLabels: {{{labels}}}}}
  template:
    metadata: {{labels: {{{labels}}}}}
    spec:
      serviceAccountName: snapshot-controller
      priorityClassName: system-cluster-critical
      affinity:
{affinity}      containers:
        - name: snapshot-controller
          image: {image}
          args: [--v=2, --leader-election=true, --leader-election-namespace=kube-system, --http-endpoint=:8080]
          ports: [{{name: http, containerPort: 8080}}]
          resources: {{requests: {{cpu: 10m, memory: 32Mi}}, limits: {{memory: 256Mi}}}}
          livenessProbe: {{httpGet: {{path: /healthz/leader-election, port: http}}, periodSeconds: 20, failureThreshold: 3}}
          # Ready while it answers: a standby passes (only a leader that lost its lease fails), so
          # a rollout waits for each new replica to serve before it ends an old one.
          readinessProbe: {{httpGet: {{path: /healthz/leader-election, port: http}}, periodSeconds: 10}}
---
)",
             fmt::arg("labels", kControllerLabels), fmt::arg("image", kControllerImage),
             fmt::arg("affinity", anti_affinity(kControllerLabels, 8))) +
         budget("kube-system", "snapshot-controller", kControllerLabels);
}

}  // namespace zerospof::render
