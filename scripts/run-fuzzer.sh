#!/usr/bin/env bash
# run-fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS: runs a libFuzzer target for a bounded time.
# New inputs go to WORK_DIR (in the build tree), never into the seed corpus in the source tree;
# crashes, leaks, timeouts and out-of-memory inputs fail the run and are kept in WORK_DIR.
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
if [[ ! -x "$fuzzer" ]]; then
  echo "run-fuzzer: $fuzzer is not built (scripts/test.sh builds it with clang 14)" >&2
  exit 1
fi
mkdir -p "$work/corpus"
export LSAN_OPTIONS="suppressions=$(dirname "$0")/../fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$seeds"
