// The plan module: turns a plan file (YAML, apiVersion zerospof.io/v1alpha1, kind Cluster, see
// docs/plan.md) into a validated model::Cluster, and back into YAML; and reads the Kubernetes
// manifests `check` and `audit` analyse into model::Manifests. Every error points at the
// user's bytes (file:line:col, the line and a caret) and says what to do; unknown fields,
// duplicate keys and invalid values are rejected, never defaulted silently. Pure functions of
// their input; safe to call from any thread.
#pragma once

#include <string>
#include <vector>

#include "model/cluster.h"
#include "model/workload.h"
#include "util/error.h"

namespace zerospof::plan {

// Reads and validates the plan at `path`.
util::Result<model::Cluster> load(const std::string& path);

// Validates plan text; `file_name` is only used in error messages and Cluster::source_file.
util::Result<model::Cluster> load_from_string(const std::string& text,
                                              const std::string& file_name);

// The built-in plan: the 5 nodes of cluster-plan.md. builtin_plan() == load of builtin_plan_yaml().
const std::string& builtin_plan_yaml();
model::Cluster builtin_plan();

// A plan file that load_from_string() reads back into an equal Cluster (locations aside).
std::string to_yaml(const model::Cluster& cluster);

// Loads every *.yaml / *.yml / *.yaml.sed file under each of `paths` (a file or a directory,
// recursively, in sorted order; "-" is standard input, once, named "stdin" in errors): the
// Deployments, StatefulSets, DaemonSets, PodDisruptionBudgets, Services, admission webhook
// configurations, PersistentVolumes, claims and StorageClasses, with their positions, also from
// inside a List (`kubectl get -A -o yaml`); every other kind is counted by kind with where it
// first appears (Manifests::unmodelled), for the report to name.
// Fields are read leniently (they are Kubernetes objects, not plans) but a field of the wrong
// type is an error with file:line:col.
util::Result<model::Manifests> load_manifests(const std::vector<std::string>& paths);
util::Result<model::Manifests> load_manifests_from_string(const std::string& text,
                                                          const std::string& file_name);
// Several texts, each under its own name and within the input limits on its own (a live
// cluster's objects, one each), analysed as one set: a Service in one selects a workload in
// another.
struct NamedText {
  std::string name;
  std::string text;
};
util::Result<model::Manifests> load_manifests_from_strings(const std::vector<NamedText>& texts);

}  // namespace zerospof::plan
