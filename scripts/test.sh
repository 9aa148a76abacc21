#!/usr/bin/env bash
# Runs every test: format check, build, unit tests, integration and stack tests against real
# Prometheus/Alertmanager/promtool/SMTP/Helm, the ASan+UBSan build running the unit tests, each
# fuzz target, and the benchmarks in a short mode. Exits non-zero on the first failing stage.
# FHC_FUZZ_SECONDS (default 30) sets each fuzz target's run time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
py=/usr/bin/python3
fuzz_seconds=${FHC_FUZZ_SECONDS:-30}
results="$root/build/test-results"
rm -rf "$results"
mkdir -p "$results"
stage() { printf '\n=== %s ===\n' "$*"; }

stage "format (clang-format --dry-run --Werror)"
mapfile -t cxx < <(git ls-files '*.cc' '*.h')
clang-format --dry-run --Werror "${cxx[@]}"
echo "format: ${#cxx[@]} files clean"

stage "build (default preset)"
bash scripts/build.sh default

stage "unit tests (ctest)"
ctest --test-dir build/default --output-on-failure -j "$(nproc)" --output-junit "$results/ctest.xml"

stage "integration, stack and end-to-end tests (pytest)"
FHC_BUILD_DIR="$root/build/default" "$py" -m pytest -q -p no:cacheprovider \
  --junitxml="$results/pytest.xml" tests/

stage "ASan + UBSan build, unit tests"
bash scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "$(nproc)" --output-junit "$results/ctest-asan.xml"

stage "fuzz targets (${fuzz_seconds} s each)"
bash scripts/build.sh fuzz
for bin in build/fuzz/tests/*_fuzz; do
  name=$(basename "$bin")
  corpus="$root/build/fuzz/corpus/$name"
  mkdir -p "$corpus"
  seeds="$root/tests/fuzz/seeds/${name%_fuzz}"
  [ -d "$seeds" ] || seeds=""
  echo "fuzz: $name"
  "$bin" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=0 \
    "$corpus" $seeds 2>"$results/$name.log" || { tail -50 "$results/$name.log"; exit 1; }
  grep -E '^(#[0-9]+ +DONE|Done)' "$results/$name.log" | tail -1 || true
done

stage "benchmarks (short mode)"
for bin in build/default/tests/*_bench; do
  echo "bench: $(basename "$bin")"
  FHC_BENCH_SHORT=1 "$bin" --benchmark_min_time=0.05 >"$results/$(basename "$bin").txt" 2>&1 \
    || { cat "$results/$(basename "$bin").txt"; exit 1; }
  tail -n +4 "$results/$(basename "$bin").txt"
done

stage "summary"
"$py" scripts/summarize-results.py "$results"
