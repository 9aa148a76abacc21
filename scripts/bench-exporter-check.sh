#!/usr/bin/env bash
# Cost of one `frigate-exporter check` against the Frigate simulator (0.16, 10 cameras, log
# source frigate-api): wall time and maximum RSS from /usr/bin/time -v, mean from hyperfine.
# Target: <= 100 ms and <= 10 MB. (The CronJob's check took 3.2-3.7 s and 100 MB.)
#   RUNS            hyperfine runs (default 30)
#   FHC_BUILD_DIR   build directory holding exporter/frigate-exporter (default build/default)
# Not part of the test suite. Prints the commands it ran and the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${FHC_BUILD_DIR:-$root/build/default}
exporter="$build/exporter/frigate-exporter"
runs=${RUNS:-30}
py=/usr/bin/python3
[[ -x $exporter ]] || { echo "bench-exporter-check: $exporter is not built" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$py" tests/doubles/frigate_sim.py --port 0 --control-port 0 --version 0.16 --cameras 10 \
  --log-interval 0 >"$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q 'listening on' "$work/sim.log" && break; sleep 0.1; done
sim_url=$(grep -oE 'listening on http://[0-9.:]+' "$work/sim.log" | sed 's/listening on //')
[[ -n $sim_url ]] || { echo "bench-exporter-check: simulator did not start" >&2; exit 1; }
export FRIGATE_HC_FRIGATE_URL=$sim_url

echo "+ FRIGATE_HC_FRIGATE_URL=$sim_url /usr/bin/time -v $exporter check"
set +e
/usr/bin/time -v "$exporter" check >"$work/check.out" 2>"$work/time.txt"
rc=$?
set -e
cat "$work/check.out"
echo "exit code: $rc"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
maxrss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
echo "/usr/bin/time: wall $wall, max RSS $maxrss kB"

if command -v hyperfine >/dev/null; then
  cmd=(hyperfine --warmup 3 --runs "$runs" -N --export-json "$work/hf.json" "$exporter check")
  echo "+ ${cmd[*]}"
  "${cmd[@]}"
  mean=$("$py" -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f ms (stddev %.1f, min %.1f, max %.1f)" % (r["mean"]*1e3, r["stddev"]*1e3, r["min"]*1e3, r["max"]*1e3))' "$work/hf.json")
else
  mean="(hyperfine not installed)"
fi
echo
echo "RESULT check exit=$rc wall=$wall maxRSS=${maxrss} kB hyperfine mean=$mean"
echo "TARGET wall<=100 ms maxRSS<=10240 kB"
