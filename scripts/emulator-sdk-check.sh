#!/usr/bin/env bash
# Runs the official WorkOS Python SDK against authkit-emulator (Tests/python/workos_sdk_check.py).
# Usage: scripts/emulator-sdk-check.sh [path/to/authkit-emulator]
set -euo pipefail
cd "$(dirname "$0")/.."
emulator="${1:-.build/debug/authkit-emulator}"

python3 -c 'import workos, jwt, cryptography' 2>/dev/null || python3 -m pip install -q workos pyjwt cryptography

log=$(mktemp)
"$emulator" --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q 'listening on' "$log" && break
  sleep 0.05
done
base=$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1)
[ -n "$base" ] || { echo "authkit-emulator did not start:"; cat "$log"; exit 1; }
python3 Tests/python/workos_sdk_check.py "$base"
