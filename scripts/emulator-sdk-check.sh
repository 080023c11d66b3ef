#!/usr/bin/env bash
# Proof that authkit-emulator speaks WorkOS: runs the official WorkOS Python SDK against it
# (Tests/python/workos_sdk_check.py). Builds nothing; pass the built emulator.
#
# Usage: scripts/emulator-sdk-check.sh [path/to/authkit-emulator]   (default .build/debug/authkit-emulator)
# Environment: SDK_VENV (default .build/sdk-venv) is where `workos pyjwt cryptography` are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
emulator="${1:-.build/debug/authkit-emulator}"
[ -x "$emulator" ] || { echo "emulator-sdk-check: no executable at $emulator (run swift build first)" >&2; exit 1; }

# A private virtual environment: Debian's system Python refuses pip installs (PEP 668).
venv="${SDK_VENV:-.build/sdk-venv}"
if ! "$venv/bin/python" -c 'import workos, jwt, cryptography' 2>/dev/null; then
  python3 -m venv "$venv" || { echo "emulator-sdk-check: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
  "$venv/bin/python" -m pip install -q --disable-pip-version-check workos pyjwt cryptography \
    || { echo "emulator-sdk-check: pip install workos pyjwt cryptography failed" >&2; exit 1; }
fi

# The emulator on a free loopback port, with its built-in seed; stopped by PID on exit.
out=$(mktemp) err=$(mktemp)
"$emulator" --host 127.0.0.1 --port 0 >"$out" 2>"$err" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out" "$err"' EXIT
base=""
for _ in $(seq 1 200); do
  base=$(head -1 "$out" | grep -o 'http://127\.0\.0\.1:[0-9]*' || true)
  [ -n "$base" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$base" ]; then
  echo "emulator-sdk-check: authkit-emulator did not start:" >&2
  cat "$out" "$err" >&2
  exit 1
fi

echo "WorkOS Python SDK $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("workos"))') against $base"
if ! "$venv/bin/python" Tests/python/workos_sdk_check.py "$base"; then
  echo "emulator-sdk-check: FAILED; emulator log (last lines):" >&2
  tail -20 "$err" >&2
  exit 1
fi
