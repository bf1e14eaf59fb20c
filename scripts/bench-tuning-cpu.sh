#!/usr/bin/env bash
# What each tuning costs in CPU at rest (issue 10: "say what each tuning costs"), on the lab, as
# root: for each profile (fast, then kubeadm-guide) a new lab, the whole rendered bundle applied,
# a settling pause, then the CPU time each service used over a window, summed over the five
# hosts: utime + stime + cutime + cstime of every process in the unit's cgroup, from /proc (the
# lab hosts run systemd without CPU accounting), so the VIP fitness loop's short-lived children
# and HAProxy's and keepalived's workers count too.
# Prints one line per profile and service; figures go to docs/performance.md.
#   scripts/bench-tuning-cpu.sh [WINDOW_SECONDS]   (default 60)
# shellcheck source=../versions.env
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/lab-profile.sh
source scripts/lib/lab-profile.sh
window=${1:-60}
binary=${ZEROSPOF:-build/package/src/cli/zerospof}
source versions.env
binaries=${ZEROSPOF_BINARY_CACHE:-/var/cache/zerospof/binaries}/$KUBERNETES_VERSION
work=$(mktemp -d /var/tmp/zerospof-bench-tuning.XXXXXX)
state=$work/lab
trap '"$binary" lab down --state-dir "$state" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
hosts=(micklethefickle cloudserver1 cloudserver2 cloudserver3 blackboar)
units=(zerospof-etcd zerospof-kube-apiserver zerospof-kube-controller-manager
       zerospof-kube-scheduler haproxy keepalived zerospof-vip-fitness zerospof-kwok)
ticks=$(getconf CLK_TCK)

# Clock ticks used by every process of each unit's cgroup and by the children they reaped (HAProxy
# and keepalived work in child processes), one "unit ticks" line per unit that runs on the host.
sample() {
  "$binary" lab ssh "$1" --state-dir "$state" -- "
    for u in ${units[*]}; do
      [ \"\$(systemctl is-active \$u.service)\" = active ] || continue
      cg=\$(systemctl show -p ControlGroup --value \$u.service)
      procs=/sys/fs/cgroup/systemd\$cg/cgroup.procs
      [ -f \$procs ] || procs=/sys/fs/cgroup\$cg/cgroup.procs
      for pid in \$(cat \$procs); do cat /proc/\$pid/stat 2>/dev/null; done |
        awk -v u=\$u '{sum += \$14 + \$15 + \$16 + \$17} END {print u, sum + 0}'
    done"
}

for profile in fast kubeadm-guide; do
  lab_apply_profile "$profile"
  sleep 30  # the addons' first reconciliations settle
  for host in "${hosts[@]}"; do sample "$host" | sed "s/^/$host /"; done >"$work/before"
  sleep "$window"
  for host in "${hosts[@]}"; do sample "$host" | sed "s/^/$host /"; done >"$work/after"
  # Per unit: CPU seconds over the window summed over the hosts, and as a share of one core.
  awk -v profile="$profile" -v window="$window" -v ticks="$ticks" '
    NR == FNR { before[$1 " " $2] = $3; next }
    ($1 " " $2) in before { used[$2] += ($3 - before[$1 " " $2]) / ticks }
    END {
      for (unit in used) {
        total += used[unit]
        printf "%s %-34s %7.2f s  %5.1f%% of a core\n", profile, unit, used[unit], 100 * used[unit] / window
      }
      printf "%s %-34s %7.2f s  %5.1f%% of a core\n", profile, "all", total, 100 * total / window
    }' "$work/before" "$work/after" | sort
done
