#!/usr/bin/env bash
# zerospof's linearizability checker against Porcupine on generated adversarial histories
# (bench/history_differential.cpp: 10-100 clients, 1-100 keys, get/put/append/compare-and-set,
# unknown outcomes, crashed clients, failover stalls, a planted violation or none). Every
# verdict both decide must agree (exit 1 otherwise); prints the worst and median time ratio
# (Porcupine / zerospof, above 1 means zerospof is faster) and how many each left undecided.
#   scripts/differential-linearizability.sh [COUNT] [MAX_OPERATIONS] [TIMEOUT_SECONDS] [--keep]
# Defaults: 1000 histories of up to 100,000 operations, 10 s each side. --keep copies the five
# histories with the worst ratio to tests/history/regressions/ with their verdicts.
# ZEROSPOF_DIFFERENTIAL_SEED picks the histories (default 1); ZEROSPOF_BUILD_DIR the build.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000} max_operations=${2:-100000} timeout=${3:-10} keep=${4:-}
seed=${ZEROSPOF_DIFFERENTIAL_SEED:-1}
build=${ZEROSPOF_BUILD_DIR:-build/history-release}
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== building (Release, -j1) and the Porcupine harness" >&2
if [[ -z ${ZEROSPOF_BUILD_DIR:-} ]]; then
  # -Wno-error=restrict: g++ 12's -O3 false positive in std::string (GCC bug 105329).
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEROSPOF_TESTS=OFF \
    -DCMAKE_CXX_FLAGS="-Wno-error=restrict" >/dev/null
fi
cmake --build "$build" --target history_differential -j1 >/dev/null
(cd bench/porcupine && "$go" build -o "$work/porcupine-bench" .)

echo "== $count histories (seed $seed, up to $max_operations operations, ${timeout} s each)" >&2
"$build/bench/history_differential" "$work/histories" --count "$count" --seed "$seed" \
  --max-operations "$max_operations" --timeout "$timeout" >"$work/ours.tsv"
(cd "$work/histories" && ls) | sed "s|^|$work/histories/|" |
  xargs "$work/porcupine-bench" -runs 3 -min-time 20ms -timeout "${timeout}s" >"$work/theirs.tsv"

python3 - "$work" "$keep" "$timeout" <<'PY'
import os, shutil, statistics, sys
work, keep, timeout = sys.argv[1], sys.argv[2] == "--keep", float(sys.argv[3])
ours = {}
for line in open(os.path.join(work, "ours.tsv")):
    name, verdict, micros, methods, shape = line.rstrip("\n").split("\t")
    ours[name] = (verdict, float(micros), methods, shape)
theirs = {}
for line in open(os.path.join(work, "theirs.tsv")):
    name, verdict, nanos = line.split()
    theirs[name] = (verdict, int(nanos) / 1e3)
disagree, rows = [], []
undecided = {"zerospof": 0, "porcupine": 0, "both": 0}
for name, (verdict, micros, methods, shape) in sorted(ours.items()):
    their_verdict, their_micros = theirs[name]
    if verdict == "unknown" and their_verdict == "unknown":
        undecided["both"] += 1
        continue
    if verdict == "unknown":
        undecided["zerospof"] += 1
        their_micros = max(their_micros, 1.0)
        rows.append((their_micros / (timeout * 1e6), name, micros, their_micros, verdict, their_verdict, methods, shape))
        continue
    if their_verdict == "unknown":
        undecided["porcupine"] += 1
        their_micros = timeout * 1e6  # a lower bound: Porcupine gave up
    elif verdict != their_verdict:
        disagree.append((name, verdict, their_verdict, shape))
    rows.append((their_micros / micros, name, micros, their_micros, verdict, their_verdict, methods, shape))
rows.sort()
ratios = [row[0] for row in rows]
print(f"histories: {len(ours)}; undecided by zerospof only: {undecided['zerospof']}, "
      f"by Porcupine only: {undecided['porcupine']}, by both: {undecided['both']}")
print(f"verdicts that differ: {len(disagree)}")
for name, a, b, shape in disagree:
    print(f"  DIFFERENT {name}: zerospof {a}, porcupine {b} ({shape})")
if ratios:
    print(f"ratio Porcupine/zerospof: worst {ratios[0]:.2f}x, median {statistics.median(ratios):.1f}x, "
          f"total {sum(r[3] for r in rows) / sum(r[2] for r in rows):.1f}x")
    print("worst five:")
    for ratio, name, micros, their, verdict, their_verdict, methods, shape in rows[:5]:
        print(f"  {ratio:8.2f}x {name}: zerospof {micros:.0f} us ({verdict}, {methods}), "
              f"porcupine {their:.0f} us ({their_verdict}); {shape}")
if keep:
    target = "tests/history/regressions"
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "verdicts.tsv"), "a") as verdicts:
        for ratio, name, micros, their, verdict, their_verdict, methods, shape in rows[:5]:
            if verdict == "unknown" or os.path.getsize(os.path.join(work, "histories", name)) > 2_000_000:
                continue
            shutil.copy(os.path.join(work, "histories", name), target)
            verdicts.write(f"{name}\t{verdict}\t{shape}\n")
sys.exit(1 if disagree else 0)
PY
echo "== $(date -u +%F), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
