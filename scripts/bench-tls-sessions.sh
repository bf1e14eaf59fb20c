#!/usr/bin/env bash
# What a resumed TLS session saves each of the drill's fresh connections, side by side in one run
# (docs/performance.md, "Where the drill's own CPU goes"): observe::CurlHttpClient against
# openssl s_server on loopback, mutual TLS with EC P-256 keys, a full handshake per request
# against a resumed session per request; client CPU per request, 5 repetitions, medians.
# Usage: scripts/bench-tls-sessions.sh [Google Benchmark flags]
# Writes only into a temporary directory of its own (removed at the end); the server listens on
# 127.0.0.1 only and is ended by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ZEROSPOF_LAB_PACKAGES=0 scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEROSPOF_TESTS=OFF \
  -DZEROSPOF_BENCH=ON >/dev/null
cmake --build build/release --target tls_session_bench
build/release/bench/tls_session_bench --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true "$@"
