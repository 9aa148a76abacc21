#!/usr/bin/env bash
# Scrape throughput and latency of frigate-exporter's /metrics: the Frigate simulator (0.16,
# 10 cameras) behind the real exporter, loaded with wrk. Target: >= 5,000 req/s, p99 <= 5 ms.
# (The Python exporter this replaces served 244 scrapes/s with p99 264 ms.)
#   BENCH_SECONDS   wrk duration (default 10; e.g. 3 for a short run)
#   FHC_BUILD_DIR   build directory holding exporter/frigate-exporter (default build/default)
# Not part of the test suite. Prints the commands it ran and the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${FHC_BUILD_DIR:-$root/build/default}
exporter="$build/exporter/frigate-exporter"
seconds=${BENCH_SECONDS:-10}
py=/usr/bin/python3
[[ -x $exporter ]] || { echo "bench-exporter-http: $exporter is not built" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench-exporter-http: wrk is not installed" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Waits until $1 holds a line matching $2; prints the first capture group of that match.
wait_line() {
  for _ in $(seq 100); do
    if m=$(grep -oE "$2" "$1" | head -1) && [[ -n $m ]]; then echo "$m"; return 0; fi
    sleep 0.1
  done
  echo "bench-exporter-http: no \"$2\" in $1:" >&2; cat "$1" >&2; return 1
}

"$py" tests/doubles/frigate_sim.py --port 0 --control-port 0 --version 0.16 --cameras 10 \
  >"$work/sim.log" 2>&1 &
pids+=($!)
sim_url=$(wait_line "$work/sim.log" 'listening on http://[0-9.:]+' | sed 's/listening on //')

FRIGATE_HC_FRIGATE_URL=$sim_url FRIGATE_HC_LISTEN=127.0.0.1:0 "$exporter" >"$work/exporter.log" 2>&1 &
exporter_pid=$!
pids+=($exporter_pid)
base=$(wait_line "$work/exporter.log" 'listening on http://[0-9.:]+' | sed 's/listening on //')
url="$base/metrics"

curl -sf "$url" >"$work/metrics.txt"
echo "exporter: $exporter (pid $exporter_pid), Frigate simulator 0.16 with 10 cameras at $sim_url"
echo "one scrape: $(wc -c <"$work/metrics.txt") bytes, $(grep -vc '^#' "$work/metrics.txt") series"
echo "settings: defaults (STATS_MAX_AGE_SECONDS=1, LOG_SOURCE=frigate-api every 10 s)"

cmd=(wrk -t2 -c16 -d"${seconds}s" --latency "$url")
echo "+ ${cmd[*]}"
"${cmd[@]}" | tee "$work/wrk.txt"

rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
errors=$(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" || true)
rss=$(awk '/^VmRSS/ {print $2 " " $3}' "/proc/$exporter_pid/status")
hwm=$(awk '/^VmHWM/ {print $2 " " $3}' "/proc/$exporter_pid/status")
echo
echo "RESULT requests/s=$rps p99=$p99 exporter VmRSS=$rss VmHWM=$hwm ${errors:+errors: $errors}"
echo "TARGET requests/s>=5000 p99<=5ms"
