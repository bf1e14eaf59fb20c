#!/usr/bin/env bash
# The status and audit benchmark (issue 13): a generated API of 1,000 nodes and 10,000 pods in
# three placement shapes, read (observe_api), judged (status::assess) and audited (check's engine
# on every single failure), on one core (taskset), 5 repetitions, medians reported.
set -euo pipefail
cd "$(dirname "$0")/.."
ZEROSPOF_LAB_PACKAGES=0 scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEROSPOF_TESTS=OFF \
  -DZEROSPOF_BENCH=ON >/dev/null
cmake --build build/release --target live_bench
taskset -c 0 build/release/bench/live_bench --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true "$@"
