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

stage "ASan + UBSan build (clang), unit tests"
bash scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build/asan --output-on-failure -j "$(nproc)" --output-junit "$results/ctest-asan.xml"

stage "integration tests against the sanitizer-built programs"
FHC_BUILD_DIR="$root/build/asan" "$py" -m pytest -q -p no:cacheprovider \
  --junitxml="$results/pytest-asan.xml" tests/integration/test_exporter_faults.py \
  tests/integration/test_remediator_webhook.py \
  --deselect tests/integration/test_exporter_faults.py::test_a_50_mb_stats_body_is_capped_and_memory_stays_small
# (that test's memory bound is for the optimised build; ASan's shadow memory is not the program's)

stage "fuzz targets (${fuzz_seconds} s each, built in the sanitizer tree)"
for bin in build/asan/tests/*_fuzz; do
  name=$(basename "$bin")
  work="$root/build/asan/corpus/$name"
  mkdir -p "$work"
  seeds=()
  [ -d "tests/fuzz/corpus/${name%_fuzz}" ] && seeds=("tests/fuzz/corpus/${name%_fuzz}")
  case "$name" in
    stats_parser_fuzz) seeds+=(tests/fixtures/stats) ;;
  esac
  echo "fuzz: $name"
  "$bin" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$results/$name-" \
    "$work" "${seeds[@]}" >"$results/$name.log" 2>&1 || { tail -50 "$results/$name.log"; exit 1; }
  grep -E '^stat::number_of_executed_units' "$results/$name.log" || true
done

stage "benchmarks (short mode)"
for bin in build/default/tests/*_bench; do
  echo "bench: $(basename "$bin")"
  FHC_BENCH_LOG_MB=10 "$bin" --benchmark_min_time=0.05 >"$results/$(basename "$bin").txt" 2>&1 \
    || { cat "$results/$(basename "$bin").txt"; exit 1; }
  tail -n +4 "$results/$(basename "$bin").txt"
done

stage "summary"
"$py" scripts/summarize-results.py "$results"
