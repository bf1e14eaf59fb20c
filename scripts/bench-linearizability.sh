#!/usr/bin/env bash
# zerospof's linearizability checker beside Porcupine (github.com/anishathalye/porcupine, built
# from bench/porcupine with the Go toolchain) on the same history files, in one run: per-file
# median time of one check (parsing excluded on both sides), totals, ratios; then the peak RSS
# of checking generated 100,000-operation histories. Figures go to docs/performance.md.
#   scripts/bench-linearizability.sh [RUNS]     (default 5 runs per file; medians are printed)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shared=${ZEROSPOF_SHARED_DIR:-$(pwd)/../shared}
build=build/history-release
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}

echo "== building (Release, -j1) and the Porcupine harness" >&2
# -Wno-error=restrict: g++ 12's -O3 false positive in std::string (GCC bug 105329).
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEROSPOF_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-Wno-error=restrict" >/dev/null
cmake --build "$build" --target linearizability_bench -j1 >/dev/null
(cd bench/porcupine && "$go" build -o "../../$build/porcupine-bench" .)

files=("$shared"/testdata/jepsen/*.log "$shared"/testdata/kv/*.txt)
ours=$(mktemp) theirs=$(mktemp)
trap 'rm -f "$ours" "$theirs"' EXIT
echo "== timing ${#files[@]} files, $runs runs each" >&2
"$build/bench/linearizability_bench" --benchmark_filter='^file/' \
  --benchmark_repetitions="$runs" --benchmark_report_aggregates_only=true \
  --benchmark_format=json "${files[@]}" >"$ours" 2>/dev/null
"$build/porcupine-bench" -runs "$runs" "${files[@]}" >"$theirs"

python3 - "$ours" "$theirs" "$shared/testdata/kv" <<'PY'
import json, os, sys
ours = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]]
        ours[b["run_name"].removeprefix("file/")] = (b["real_time"] * scale, b["linearizable"])
theirs = {}
for line in open(sys.argv[2]):
    name, verdict, nanoseconds = line.split()
    theirs[name] = (int(nanoseconds) / 1e3, verdict == "true")
print(f"{'file':16} {'verdict':>8} {'zerospof us':>12} {'porcupine us':>13} {'ratio':>7}")
totals = {}
for name in sorted(ours):
    us, linearizable = ours[name]
    them, verdict = theirs[name]
    assert bool(linearizable) == verdict, f"{name}: the checkers disagree"
    group = "jepsen" if name.endswith(".log") else "kv"
    a, b = totals.get(group, (0.0, 0.0))
    totals[group] = (a + us, b + them)
    print(f"{name:16} {str(verdict).lower():>8} {us:12.1f} {them:13.1f} {them / us:6.1f}x")
for group, (a, b) in sorted(totals.items()):
    print(f"{'total ' + group:25} {a:12.1f} {b:13.1f} {b / a:6.1f}x")
kv_dir = sys.argv[3]
largest = max((n for n in ours if not n.endswith(".log")),
              key=lambda n: os.path.getsize(os.path.join(kv_dir, n)))
us, them = ours[largest][0], theirs[largest][0]
print(f"{'largest kv: ' + largest:25} {us:12.1f} {them:13.1f} {them / us:6.1f}x")
PY

echo "== peak memory on generated 100,000-operation histories (one process each)"
for name in register-100000-operations-8-clients kv-100000-operations-100-keys \
  kv-100000-operations-50-clients-2-keys-stalls register-100000-operations-50-clients-2-keys-stalls; do
  /usr/bin/time -f "%M" -o /tmp/zerospof-bench-rss "$build/bench/linearizability_bench" \
    --benchmark_filter="^generated/$name" --benchmark_format=json 2>/dev/null |
    python3 -c "
import json, sys
b = json.load(sys.stdin)['benchmarks'][0]
rss = int(open('/tmp/zerospof-bench-rss').read().split()[-1]) / 1024
print(f\"$name: {b['real_time']:.0f} {b['time_unit']}, {int(b['states'])} states, \"
      f\"memo table {b['cache_MiB']:.1f} MiB, max RSS {rss:.1f} MiB\")"
done
echo "== $(date -u +%F), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
