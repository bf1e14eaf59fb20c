#!/usr/bin/env bash
# False failovers: what a tuning costs when nothing fails but the machine is busy (issue 10: "say
# what each tuning costs (false failovers under load, CPU)"). On the lab, as root: for each
# profile (fast, then kubeadm-guide) a new lab with the whole bundle applied, then two windows
# with no fault injected: at rest, then under load (a busy loop on each control-plane host: more
# loops than the machine has cores, and a client writing ConfigMaps through the VIP as fast as
# kubectl goes). Over each window it counts what a failover leaves behind: etcd elections (raft
# term), scheduler and controller-manager lease transitions, keepalived taking the VIP
# (MASTER transitions), HAProxy marking a backend DOWN, nodes turned NotReady (fast's node lease
# is 6 s, its grace 8 s: a node agent starved of CPU would be declared dead), and failed writes.
# Every one of them in these windows is a false failover. Every loop is bounded in time and count.
#   scripts/bench-false-failovers.sh [WINDOW_SECONDS]   (default 120)
#   ZEROSPOF_PROFILES=fast scripts/bench-false-failovers.sh   (one profile only)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/lab-profile.sh
source scripts/lib/lab-profile.sh
# shellcheck source=../versions.env
source versions.env
window=${1:-120}
binary=${ZEROSPOF:-build/package/src/cli/zerospof}
binaries=${ZEROSPOF_BINARY_CACHE:-/var/cache/zerospof/binaries}/$KUBERNETES_VERSION
work=$(mktemp -d /var/tmp/zerospof-bench-false-failovers.XXXXXX)
state=$work/lab
trap '"$binary" lab down --state-dir "$state" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
control=(micklethefickle cloudserver1 cloudserver2)
etcdctl_flags="--endpoints https://127.0.0.1:2379 --cacert /etc/zerospof/pki/etcd/ca.crt \
--cert /etc/zerospof/pki/apiserver-etcd-client.crt --key /etc/zerospof/pki/apiserver-etcd-client.key"
# The operator's kubeconfig (render keeps it off the hosts), copied to the first host for the run.
kubectl="/usr/local/bin/kubectl --kubeconfig /root/zerospof-bench-admin.conf --request-timeout 5s"

on() { "$binary" lab ssh "$1" --state-dir "$state" -- "$2"; }

# "term scheduler-transitions controller-manager-transitions", read on the first host.
counters() {
  on "${control[0]}" "
    term=\$(/usr/local/bin/etcdctl $etcdctl_flags endpoint status -w json |
            grep -o '\"raft_term\":[0-9]*' | cut -d: -f2)
    leases=\$($kubectl -n kube-system get lease kube-scheduler kube-controller-manager \
              -o jsonpath='{range .items[*]}{.spec.leaseTransitions}{\" \"}{end}')
    echo \$term \$leases"
}

# Journal lines matching $2 in unit $1 since epoch second $3, summed over the control plane.
journal_count() {
  local total=0 count host
  for host in "${control[@]}"; do
    count=$(on "$host" "journalctl -u $1 --since @$3 --no-pager -o cat | grep -c '$2' || true")
    total=$((total + count))
  done
  echo "$total"
}

# Nodes the node controller turned NotReady since epoch second $1: its NodeNotReady events on
# Node objects last seen in the window (an event repeated for one node counts once).
nodes_not_ready() {
  local since
  since=$(date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ)
  on "${control[0]}" "$kubectl get events -A \
      --field-selector reason=NodeNotReady,involvedObject.kind=Node \
      -o jsonpath='{range .items[*]}{.lastTimestamp}{\"\\n\"}{end}'" |
    awk -v since="$since" '$1 >= since { n++ } END { print n + 0 }'
}

# One window: counters before and after, journal events in between, and with `load` the busy
# loops and the writer. Prints one line.
measure() {
  local profile=$1 phase=$2 start before after writes=""
  start=$(date +%s)
  before=$(counters)
  # A term and two lease counts, or the figures would be made up.
  [ "$(wc -w <<<"$before")" -eq 3 ] || { echo "counters unreadable: '$before'" >&2; exit 1; }
  if [ "$phase" = load ]; then
    for host in "${control[@]}"; do
      on "$host" "timeout $window sh -c 'while :; do :; done'" >/dev/null 2>&1 &
    done
    # At most 100,000 writes, for at most the window, in a namespace of this script's own.
    writes=$(on "${control[0]}" "
      $kubectl create namespace false-failover >/dev/null
      ok=0 failed=0 i=0 end=\$((SECONDS + $window))
      while [ \$SECONDS -lt \$end ] && [ \$i -lt 100000 ]; do
        i=\$((i + 1))
        if $kubectl -n false-failover create configmap write-\$i --from-literal=n=\$i \
             >/dev/null 2>&1; then ok=\$((ok + 1)); else failed=\$((failed + 1)); fi
      done
      $kubectl delete namespace false-failover --wait=false >/dev/null 2>&1 || true
      echo \$ok \$failed")
    wait
  else
    sleep "$window"
  fi
  after=$(counters)
  read -r term_before sched_before cm_before <<<"$before"
  read -r term_after sched_after cm_after <<<"$after"
  # fitness-unfit: the fast tuning's fitness loop calling its node unfit, and of those, how many
  # because the stats page did not answer within its timeout (the rest: too few apiserver hosts
  # reached); the guide has no loop.
  printf '%-13s %-4s etcd-elections %d  scheduler-lease %d  controller-manager-lease %d  vip-taken %d  haproxy-backend-down %d  fitness-unfit %d (stats unanswered %d)  nodes-not-ready %d  writes ok/failed %s\n' \
    "$profile" "$phase" $((term_after - term_before)) $((sched_after - sched_before)) \
    $((cm_after - cm_before)) "$(journal_count keepalived 'Entering MASTER STATE' "$start")" \
    "$(journal_count haproxy ' is DOWN' "$start")" \
    "$(journal_count zerospof-vip-fitness '^unfit' "$start")" \
    "$(journal_count zerospof-vip-fitness 'stats page did not answer' "$start")" \
    "$(nodes_not_ready "$start")" "${writes:-"-"}"
}

for profile in ${ZEROSPOF_PROFILES:-fast kubeadm-guide}; do
  lab_apply_profile "$profile"
  on "${control[0]}" "umask 077; cat > /root/zerospof-bench-admin.conf" \
    <"$work/render/operator/etc/zerospof/kubeconfig/admin.conf"
  sleep 30  # the addons' first reconciliations settle
  measure "$profile" rest
  measure "$profile" load
done
