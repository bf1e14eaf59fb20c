#!/usr/bin/env bash
# The `apply` benchmark (issue 4), on the lab, as root: fresh lab hosts (a new lab, nothing
# installed) to a verified cluster, then a no-op re-apply, each timed end to end (the zerospof
# process, render included when BUNDLE=render). Repeats RUNS times (default 3), a new lab each
# time, and prints one line per run; figures go to docs/performance.md ("## apply").
#   scripts/bench-apply.sh [RUNS]
#   BUNDLE=render (default): the whole rendered bundle, as `zerospof apply PLAN --lab` would;
#   BUNDLE=control-plane: without the firewall, the node agents and the addon manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
bundle=${BUNDLE:-render}
binary=${ZEROSPOF:-build/release/src/cli/zerospof}
# shellcheck source=../versions.env
source versions.env
binaries=${ZEROSPOF_BINARY_CACHE:-/var/cache/zerospof/binaries}/$KUBERNETES_VERSION
if [[ -z "${ZEROSPOF:-}" ]]; then
  # The same configuration as the other scripts that share build/release.
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEROSPOF_TESTS=OFF >/dev/null
  cmake --build build/release --target zerospof -j1 >/dev/null
fi
work=$(mktemp -d /var/tmp/zerospof-bench-apply.XXXXXX)
state=$work/lab
trap '"$binary" lab down --state-dir "$state" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

seconds() { date +%s.%N; }
for run in $(seq "$runs"); do
  "$binary" lab down --state-dir "$state" >/dev/null 2>&1 || true
  rm -rf "$work/render" "$work/state" "$work/pki"
  "$binary" lab up --state-dir "$state" >/dev/null 2>&1
  plan=$state/lab.yaml
  "$binary" render "$plan" --lab --output-dir "$work/render" --pki-dir "$work/pki" >/dev/null
  if [[ "$bundle" == control-plane ]]; then
    rm -f "$work"/render/*/etc/nftables.conf "$work"/render/*/etc/systemd/system/zerospof-kwok.service
    rm -rf "$work"/render/operator/etc/zerospof/manifests
  fi
  args=(apply "$plan" --render-dir "$work/render" --binaries "$binaries" --state-dir "$work/state"
        --lab --wait 180)
  start=$(seconds)
  status=0
  "$binary" "${args[@]}" >"$work/first.log" 2>&1 || status=$?
  first=$(awk "BEGIN {print $(seconds) - $start}")
  start=$(seconds)
  "$binary" "${args[@]}" >"$work/second.log" 2>&1 || true
  second=$(awk "BEGIN {print $(seconds) - $start}")
  printf 'run %d (%s): fresh -> verified %.1f s (exit %d: %s); no-op re-apply %.1f s (%s)\n' \
    "$run" "$bundle" "$first" "$status" "$(tail -1 "$work/first.log")" "$second" \
    "$(tail -1 "$work/second.log")"
done
