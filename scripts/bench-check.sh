#!/usr/bin/env bash
# The `check` benchmark (issue 2): generated plans of 5, 100 and 1,000 nodes with up to 50,000
# pods, single and double failures, on one core (taskset), 5 repetitions, medians reported.
set -euo pipefail
cd "$(dirname "$0")/.."
ZEROSPOF_LAB_PACKAGES=0 scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEROSPOF_TESTS=OFF \
  -DZEROSPOF_BENCH=ON >/dev/null
cmake --build build/release --target check_bench
taskset -c 0 build/release/bench/check_bench --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true "$@"
