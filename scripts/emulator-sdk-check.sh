#!/usr/bin/env bash
# Runs the official WorkOS Python SDK against authkit-emulator (Tests/python/workos_sdk_check.py).
# Usage: scripts/emulator-sdk-check.sh [path/to/authkit-emulator]
set -euo pipefail
cd "$(dirname "$0")/.."
emulator="${1:-.build/debug/authkit-emulator}"

# A private virtual environment: Debian's system Python refuses pip installs (PEP 668).
venv=.build/sdk-venv
if ! "$venv/bin/python" -c 'import workos, jwt, cryptography' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check workos pyjwt cryptography
fi

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
"$venv/bin/python" Tests/python/workos_sdk_check.py "$base"
