#!/usr/bin/env python3
"""Writes issue 12's check shape as YAML a user would give: DIR/plan.yaml (1,000 nodes, 3
control-plane/etcd, the rest workers with storage, the built-in plan's addons) and
DIR/manifests/all.yaml (5,000 Deployments of 10 replicas with only a preferred anti-affinity,
a PodDisruptionBudget on one in ten). Usage: scripts/check-shape.py ZEROSPOF DIR
(docs/performance.md, "The report too, and another workload shape")."""
import os
import subprocess
import sys

zerospof, out = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "manifests"), exist_ok=True)
plan_path = os.path.join(out, "plan.yaml")
subprocess.run([zerospof, "init", "--force", plan_path], check=True, stdout=subprocess.DEVNULL)
plan = open(plan_path).read()
head, tail = plan[:plan.index("  nodes:")], plan[plan.index("  kubernetes:"):]
nodes = ["  nodes:"]
for i in range(1000):
    roles = "[control-plane, etcd]" if i < 3 else "[worker, storage]"
    nodes.append(f"    - name: node-{i:04}\n      host: node-{i:04}.example.org\n      roles: {roles}")
open(plan_path, "w").write(head + "\n".join(nodes) + "\n" + tail)

documents = []
for i in range(5000):
    namespace = f"team-{i % 50}"
    documents.append(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: web-{i}, namespace: {namespace}}}
spec:
  replicas: 10
  selector: {{matchLabels: {{app: web-{i}}}}}
  template:
    metadata: {{labels: {{app: web-{i}}}}}
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector: {{matchLabels: {{app: web-{i}}}}}
      containers:
      - name: web
        resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}
        readinessProbe: {{httpGet: {{path: /, port: 80}}}}
        livenessProbe: {{httpGet: {{path: /, port: 80}}}}
""")
    if i % 10 == 0:
        documents.append(f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: web-{i}, namespace: {namespace}}}
spec:
  minAvailable: 8
  selector: {{matchLabels: {{app: web-{i}}}}}
""")
open(os.path.join(out, "manifests", "all.yaml"), "w").write("---\n".join(documents))
