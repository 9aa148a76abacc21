#!/usr/bin/env bash
# Copies the canonical alert rules and dashboard into the Helm chart. Helm can read only files
# inside the chart (a symlink out of it is not packaged), so the chart carries copies;
# alerts/ and grafana/ stay the one place to edit, and tests/stack/test_chart.py fails when a copy
# differs. Usage: scripts/sync-chart-files.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=(
  "alerts/frigate-health.rules.yml charts/frigate-health/files/frigate-health.rules.yml"
  "grafana/frigate-health-dashboard.json charts/frigate-health/files/frigate-health-dashboard.json"
)
status=0
for pair in "${pairs[@]}"; do
  read -r src dst <<<"$pair"
  if [ "${1:-}" = "--check" ]; then
    cmp -s "$src" "$dst" || { echo "sync-chart-files: $dst differs from $src" >&2; status=1; }
  else
    cp "$src" "$dst"
  fi
done
exit $status
