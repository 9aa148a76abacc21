#!/usr/bin/env bash
# Throughput, latency and memory of frigate-remediator's webhook with the file state store
# (every state write is fsync'd, file and directory), driven by wrk with a realistic Alertmanager
# body and the Bearer header; then the decision path without I/O (tests/bench/decision_bench).
# Targets: >= 1,000 webhooks/s for 10 s with no errors and p99 <= 20 ms; VmRSS <= 10 MB after
# 100,000 webhooks.
#   1. default settings: one alert keeps firing, Alertmanager repeats and an HA pair delivers
#      twice, so nearly every notification is a duplicate within OBSERVATION_INTERVAL_SECONDS;
#   2. worst case: OBSERVATION_INTERVAL_SECONDS=0, every notification is an observation that
#      changes the state (one fsync'd write each) - a load no Alertmanager produces;
#   3. memory after >= 100,000 webhooks (VmRSS, VmHWM, and the anonymous part RssAnon);
#   4. decision_bench (parse + observe + decide, no I/O).
#   DURATION        seconds per wrk run (default 10)
#   FHC_BUILD_DIR   build directory (default build/default)
# Not part of the test suite. Prints the commands it ran and the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${FHC_BUILD_DIR:-$root/build/default}
remediator="$build/remediator/frigate-remediator"
bench="$build/tests/decision_bench"
duration=${DURATION:-10}
[[ -x $remediator ]] || { echo "bench-remediator: $remediator is not built" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench-remediator: wrk is not installed" >&2; exit 1; }

work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/body.json" <<'EOF'
{"receiver":"frigate-remediator","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"FrigateDetectionStuck","deployment":"frigate","namespace":"nvr","reason":"detection_stuck","remediate":"restart","severity":"critical"},"annotations":{"summary":"Frigate detection appears stuck","description":"5 stuck lines in 10 minutes (threshold 2)"},"startsAt":"2026-11-28T06:40:44.425Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph?g0.expr=frigate_unhealthy%7Breason%3D%22detection_stuck%22%7D+%3D%3D+1&g0.tab=1","fingerprint":"864f93fb887d6ba5"}],"groupLabels":{"alertname":"FrigateDetectionStuck"},"commonLabels":{"alertname":"FrigateDetectionStuck","deployment":"frigate","namespace":"nvr","reason":"detection_stuck","remediate":"restart","severity":"critical"},"commonAnnotations":{"summary":"Frigate detection appears stuck","description":"5 stuck lines in 10 minutes (threshold 2)"},"externalURL":"http://alertmanager:9093","version":"4","groupKey":"{}/{remediate=\"restart\"}:{alertname=\"FrigateDetectionStuck\"}","truncatedAlerts":0}
EOF

cat >"$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-token"
wrk.headers["User-Agent"] = "Alertmanager/0.25.0"
local f = io.open(os.getenv("BODY_FILE"), "r")
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.2f rate=%.0f/s p50=%.2fms p90=%.2fms " ..
    "p99=%.2fms max=%.2fms non2xx=%d socket_errors=%d\n", summary.requests,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
EOF

mem() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

start() {  # start <name> [extra env...]: a fresh remediator with a fresh state directory
  local name=$1
  shift
  mkdir -p "$work/$name"
  env FRIGATE_HC_LISTEN=127.0.0.1:0 FRIGATE_HC_WEBHOOK_TOKEN=bench-token \
    FRIGATE_HC_STATE_STORE=file FRIGATE_HC_STATE_FILE="$work/$name/state.json" \
    FRIGATE_HC_NAMESPACE=nvr FRIGATE_HC_DEPLOYMENT_NAME=frigate FRIGATE_HC_RESTART_ACTION=dry-run \
    FRIGATE_HC_FRIGATE_URL=http://127.0.0.1:9 FRIGATE_HC_LOG_LEVEL=warn "$@" \
    "$remediator" >"$work/$name/log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q 'listening on' "$work/$name/log" && break; sleep 0.05; done
  # LOG_LEVEL=warn hides the listening line: ask the kernel for the port instead.
  port=$(ss -ltnpH "( sport > :0 )" 2>/dev/null | awk -v p="pid=$pid," '$0 ~ p {print $4}' |
    sed 's/.*://' | head -1)
  [[ -n $port ]] || { echo "bench-remediator: remediator did not start" >&2; cat "$work/$name/log"; exit 1; }
  url="http://127.0.0.1:$port/webhook"
  echo "  (state file on $(df --output=fstype "$work" | tail -1) filesystem; pid $pid, $url)"
}

run_wrk() {
  echo "+ BODY_FILE=body.json wrk -t2 -c8 -d${1}s -s post.lua $url"
  BODY_FILE="$work/body.json" wrk -t2 -c8 -d"${1}s" -s "$work/post.lua" "$url" | grep RESULT
}

echo "== 1. default settings (OBSERVATION_INTERVAL_SECONDS=30): duplicates of a firing alert"
start default
run_wrk "$duration"
kill "$pid"; wait "$pid" 2>/dev/null || true

echo "== 2. worst case (OBSERVATION_INTERVAL_SECONDS=0): every notification writes the state"
start worst FRIGATE_HC_OBSERVATION_INTERVAL_SECONDS=0 FRIGATE_HC_CONSECUTIVE_FAILURES_REQUIRED=1000
run_wrk "$duration"
kill "$pid"; wait "$pid" 2>/dev/null || true

echo "== 3. memory after >= 100,000 webhooks (default settings)"
start memory
echo "start: VmRSS $(mem "$pid" VmRSS) kB (RssAnon $(mem "$pid" RssAnon) kB, RssFile $(mem "$pid" RssFile) kB)"
sent=0
while ((sent < 100000)); do
  line=$(run_wrk 5 | tail -1)
  echo "$line"
  sent=$((sent + $(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")))
done
echo "RESULT webhooks=$sent VmRSS=$(mem "$pid" VmRSS) kB VmHWM=$(mem "$pid" VmHWM) kB" \
  "RssAnon=$(mem "$pid" RssAnon) kB RssFile=$(mem "$pid" RssFile) kB"
echo "  largest mappings (kB, shared library pages count in RSS although other processes share them):"
awk '/^[0-9a-f]+-/{name=$6} /^Rss:/{r[name]+=$2} END{for (n in r) if (r[n] > 300) print "   ", r[n], n}' \
  "/proc/$pid/smaps" | sort -rn | head -6
kill "$pid"; wait "$pid" 2>/dev/null || true
pid=""

echo "== 4. decision path without I/O"
if [[ -x $bench ]]; then
  echo "+ $bench"
  "$bench" 2>/dev/null
else
  echo "  $bench is not built (configure with FHC_BENCH=ON)"
fi
echo "TARGET rate>=1000/s p99<=20ms errors=0; VmRSS<=10240 kB after 100000 webhooks"
