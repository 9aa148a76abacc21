#!/usr/bin/env bash
# The demo: installs what is needed, builds, and runs the whole loop on loopback with local
# defaults. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh
bash scripts/build.sh default
exec /usr/bin/python3 "$root/scripts/demo.py" "$@"
