#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is missing, build zerospof (release),
# and run `zerospof check` on the built-in plan (or on the arguments given).
set -euo pipefail
cd "$(dirname "$0")/.."
ZEROSPOF_LAB_PACKAGES=0 scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DZEROSPOF_TESTS=OFF >/dev/null
cmake --build build/release --target zerospof
exec build/release/src/cli/zerospof check "$@"
