#!/usr/bin/env bash
# Configures and builds one CMake preset: default (release + tests + benchmarks), asan, fuzz.
# Further arguments go to the configure step (the Dockerfile: -DFHC_TESTS=OFF -DFHC_BENCH=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
shift || true
cmake --preset "$preset" "$@" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
