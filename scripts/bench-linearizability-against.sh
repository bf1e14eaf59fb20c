#!/usr/bin/env bash
# The linearizability checker of another commit, today's and Porcupine side by side on the same
# files, alternating ROUNDS times (a shared machine drifts between runs), then per-file and
# per-set medians and ratios. Figures go to docs/performance.md.
#   scripts/bench-linearizability-against.sh REV [ROUNDS] [FILE...]
# Default files: ../shared's key-value and Jepsen histories and tests/history/regressions.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: $0 REV [ROUNDS] [FILE...]}
rounds=${2:-3}
shift $(($# < 2 ? $# : 2))
shared=${ZEROSPOF_SHARED_DIR:-$(pwd)/../shared}
files=("$@")
[[ ${#files[@]} -gt 0 ]] ||
  files=("$shared"/testdata/kv/*.txt "$shared"/testdata/jepsen/*.log tests/history/regressions/*.jsonl)
build=build/history-release
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "== building today's checker, $rev's and the Porcupine harness (Release, -j1)" >&2
# -Wno-error=restrict: g++ 12's -O3 false positive in std::string (GCC bug 105329).
flags=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DZEROSPOF_TESTS=OFF -DCMAKE_CXX_FLAGS="-Wno-error=restrict")
cmake -S . -B "$build" "${flags[@]}" >/dev/null
cmake --build "$build" --target linearizability_bench -j1 >/dev/null
git worktree add -q --detach "$work/tree" "$rev"
cmake -S "$work/tree" -B "$work/build" "${flags[@]}" >/dev/null
cmake --build "$work/build" --target linearizability_bench -j1 >/dev/null
(cd bench/porcupine && "$go" build -o "$work/porcupine-bench" .)

echo "== ${#files[@]} files, $rounds rounds" >&2
for ((round = 1; round <= rounds; round++)); do
  for who in before after; do
    binary=$build/bench/linearizability_bench
    [[ $who == before ]] && binary=$work/build/bench/linearizability_bench
    "$binary" --benchmark_filter='^file/' --benchmark_repetitions=3 \
      --benchmark_report_aggregates_only=true --benchmark_format=json "${files[@]}" \
      2>/dev/null >"$work/$who.$round.json"
  done
  # Bounded: a history Porcupine cannot decide (some of the regressions) would grow its memory
  # until the kernel kills it. Undecided at the timeout, its time is a lower bound, marked so.
  "$work/porcupine-bench" -runs 3 -timeout "${PORCUPINE_TIMEOUT:-10s}" "${files[@]}" \
    >"$work/porcupine.$round.tsv"
done

python3 - "$work" "$rounds" <<'PY'
import collections, json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
times = collections.defaultdict(lambda: collections.defaultdict(list))
scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}
undecided = set()  # files Porcupine did not decide before its timeout
for round in range(1, rounds + 1):
    for who in ("before", "after"):
        for b in json.load(open(f"{work}/{who}.{round}.json"))["benchmarks"]:
            if b.get("aggregate_name") == "median":
                name = b["run_name"].removeprefix("file/")
                times[who][name].append(b["real_time"] * scale[b["time_unit"]])
    for line in open(f"{work}/porcupine.{round}.tsv"):
        name, verdict, nanoseconds = line.split()
        times["porcupine"][name].append(int(nanoseconds) / 1e3)
        if verdict == "unknown":
            undecided.add(name)
sets = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
worst = collections.defaultdict(lambda: (float("inf"), ""))
print(f"{'file':22} {'before us':>10} {'after us':>10} {'porcupine us':>13} {'ratio':>7} {'before':>7}")
for name in sorted(times["after"]):
    b, a, p = (statistics.median(times[w][name]) for w in ("before", "after", "porcupine"))
    group = "jepsen" if name.endswith(".log") else "kv" if name.endswith(".txt") else "other"
    total = sets[group]
    total[0] += b; total[1] += a; total[2] += p
    worst[group] = min(worst[group], (p / a, name))
    mark = ">" if name in undecided else " "
    print(f"{name:22} {b:10.1f} {a:10.1f} {mark}{p:12.1f} {p / a:6.1f}x {p / b:6.1f}x")
for group, (b, a, p) in sorted(sets.items()):
    print(f"total {group:16} {b:10.1f} {a:10.1f} {p:13.1f} {p / a:6.1f}x {p / b:6.1f}x"
          f"   worst file {worst[group][0]:.1f}x ({worst[group][1]})")
if undecided:
    print("> Porcupine undecided at its timeout: its time, and the ratio, are lower bounds")
PY
echo "== $(date -u +%F), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
