#!/usr/bin/env bash
# Memory of frigate-exporter over a long run: it follows a growing log (LOG_SOURCE=file on the
# Frigate simulator's --log-file, a line every 0.1 s plus a recording-backlog event every 10 s)
# and is scraped every second for MINUTES minutes; then VmRSS/VmHWM from /proc. Target: <= 10 MB.
# (The Python exporter this replaces used 27 MB.)
#   MINUTES         run length (default 10)
#   FHC_BUILD_DIR   build directory holding exporter/frigate-exporter (default build/default)
# Not part of the test suite. Prints the commands it ran and the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${FHC_BUILD_DIR:-$root/build/default}
exporter="$build/exporter/frigate-exporter"
minutes=${MINUTES:-10}
py=/usr/bin/python3
[[ -x $exporter ]] || { echo "bench-exporter-memory: $exporter is not built" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_line() {
  for _ in $(seq 100); do
    if m=$(grep -oE "$2" "$1" | head -1) && [[ -n $m ]]; then echo "$m"; return 0; fi
    sleep 0.1
  done
  echo "bench-exporter-memory: no \"$2\" in $1:" >&2; cat "$1" >&2; return 1
}
mem() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

log_file="$work/logs/frigate/current"
sim_cmd=("$py" tests/doubles/frigate_sim.py --port 0 --control-port 0 --version 0.16 --cameras 10
         --log-file "$log_file" --log-interval 0.1 --log-rotate-bytes 1000000)
echo "+ ${sim_cmd[*]}"
"${sim_cmd[@]}" >"$work/sim.log" 2>&1 &
pids+=($!)
sim_url=$(wait_line "$work/sim.log" 'listening on http://[0-9.:]+' | sed 's/listening on //')
control=$(wait_line "$work/sim.log" 'control on http://[0-9.:]+' | sed 's/control on //')

echo "+ FRIGATE_HC_FRIGATE_URL=$sim_url FRIGATE_HC_LISTEN=127.0.0.1:0 FRIGATE_HC_LOG_SOURCE=file" \
  "FRIGATE_HC_LOG_FILE=$log_file $exporter"
FRIGATE_HC_FRIGATE_URL=$sim_url FRIGATE_HC_LISTEN=127.0.0.1:0 FRIGATE_HC_LOG_SOURCE=file \
  FRIGATE_HC_LOG_FILE=$log_file "$exporter" >"$work/exporter.log" 2>&1 &
exporter_pid=$!
pids+=($exporter_pid)
base=$(wait_line "$work/exporter.log" 'listening on http://[0-9.:]+' | sed 's/listening on //')
echo "scraping $base/metrics every second for $minutes min; exporter pid $exporter_pid"
echo "start: VmRSS $(mem $exporter_pid VmRSS) kB"

events=0
end=$((SECONDS + minutes * 60))
next_report=$((SECONDS + 60))
next_event=$((SECONDS + 10))
scrapes=0
failed=0
while ((SECONDS < end)); do
  if curl -sf -o /dev/null "$base/metrics"; then scrapes=$((scrapes + 1)); else failed=$((failed + 1)); fi
  if ((SECONDS >= next_event)); then
    curl -sf -o /dev/null -X POST "$control/_sim/log" -d '{"event":"backlog","camera":"cam3"}'
    events=$((events + 1))
    next_event=$((SECONDS + 10))
  fi
  if ((SECONDS >= next_report)); then
    echo "t=$(((SECONDS - end) / 60 + minutes)) min: VmRSS $(mem $exporter_pid VmRSS) kB," \
      "VmHWM $(mem $exporter_pid VmHWM) kB, log lines $(wc -l <"$log_file")"
    next_report=$((SECONDS + 60))
  fi
  sleep 1
done

sleep 1  # the file source polls every 0.5 s
counted=$(curl -sf "$base/metrics" | awk -F' ' '/^frigate_log_events_total\{event="recording_backlog"\}/ {print $2}')
rss=$(mem $exporter_pid VmRSS)
hwm=$(mem $exporter_pid VmHWM)
echo "smaps_rollup of the exporter:"
grep -E '^(Rss|Pss|Shared_Clean|Private_Clean|Private_Dirty|Anonymous):' "/proc/$exporter_pid/smaps_rollup" | sed 's/^/  /'
echo
echo "RESULT minutes=$minutes scrapes=$scrapes failed=$failed VmRSS=${rss} kB VmHWM=${hwm} kB" \
  "backlog events written=$events counted=$counted"
echo "TARGET VmRSS<=10240 kB"
