#!/usr/bin/env bash
# Every test, on a fresh Debian 12 machine as root: installs what is missing, builds the fuzz
# targets with clang 14 (libFuzzer), builds everything with g++ 12 under AddressSanitizer and
# UndefinedBehaviorSanitizer, checks module dependencies, then runs every test through ctest:
# unit, property, fuzz (bounded time) and the lab end-to-end tests (which need root and the
# lab binaries, built here from Go modules when run as root).
# Extra arguments go to ctest instead (e.g. `scripts/test.sh -L plan` or `-E e2e`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/install-deps.sh

echo "== module dependencies"
python3 scripts/check-includes.py

echo "== fuzz targets (clang 14, libFuzzer)"
CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DZEROSPOF_FUZZ=ON -DZEROSPOF_TESTS=OFF -DZEROSPOF_BENCH=OFF >/dev/null
cmake --build build/fuzz

# The tests that run the real control plane (render's etcd and apiserver, every apply
# end-to-end test) need the pinned upstream binaries; as root they are built into the binary
# cache (cold: about 20 minutes of Go; warm: seconds). Without root those tests skip.
if [[ $(id -u) -eq 0 ]]; then
  echo "== lab binaries (Kubernetes, etcd and kwok from Go modules; cached)"
  ZEROSPOF_GO_JOBS=${ZEROSPOF_GO_JOBS:-2} lab/binaries/build.sh >/dev/null
fi

echo "== Debian package (g++ 12, Release, build/package; tests/e2e/package_test.cpp installs it)"
cmake -S . -B build/package -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEROSPOF_TESTS=OFF \
  -DZEROSPOF_BENCH=OFF >/dev/null
cmake --build build/package
(cd build/package && rm -f zerospof_*.deb && cpack -G DEB >/dev/null)

echo "== tests (g++ 12, ASan + UBSan)"
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DZEROSPOF_SANITIZE=ON \
  -DZEROSPOF_FUZZ_DIR="$root/build/fuzz/fuzz" >/dev/null
cmake --build build/test
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
cd build/test
if [[ $# -gt 0 ]]; then
  exec ctest --output-on-failure --timeout 1800 "$@"
fi
# Everything but the lab's suites two at a time (the machines are 2 cores), then the lab's
# suites one after another (they share the lab, and they time sub-second outages: nothing else
# may run beside them). Both halves run even when the first fails; either failing fails this.
status=0
ctest --output-on-failure --timeout 1800 -LE e2e -j2 || status=$?
ctest --output-on-failure --timeout 3600 -L e2e || status=$?
exit "$status"
