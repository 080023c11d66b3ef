#!/usr/bin/env bash
# The chaos suite (issue 22): real nginx (the shipped snippets), real authkit-fcgi processes and
# the emulator on loopback, with WorkOS, Redis, the cache directory, the clock and the processes
# failing. Prints one table: scenario, requests, non-2xx, lost sessions, WorkOS calls, p99, and
# whether the scenario showed what it should; exits 1 when one did not.
#
# Hosts: "one" (1 process), "four" (4 processes sharing AUTHKIT_CACHE_DIR behind one nginx),
# "redis" (2 hosts, each its own nginx, process and cache dir, sharing Redis), "plain" (the same
# without Redis), "tmpfs" (2 processes sharing a cache dir on a 1 MB tmpfs, filled and made
# read-only). Every process reaches the emulator through bench/chaos.py's forwarder, which can
# refuse connections. The driver (bench/chaos.py) owns the faults and redis-server.
#
# Usage: bench/chaos.sh [--short]     --short: small numbers (scripts/test.sh runs it)
#        BENCH_BIN=.build/debug bench/chaos.sh: those binaries, no build (default: release build)
#        CHAOS_ONLY=storm,redis: only the scenarios named so (workos revoked storm redis cache clock kill)
#        CHAOS_LOGS=dir: keep the processes' logs there; CHAOS_LOG_LEVEL=info: their level (default error)
# Not a benchmark of speed: the p99s are of a loaded 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
short=
[ "${1:-}" = --short ] && short=--short

missing=()
for tool in nginx redis-server python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "chaos: missing ${missing[*]} (Debian: nginx-light redis-server python3)" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  echo "chaos: skipped" >&2; exit 0
fi

. bench/lib.sh
root_dir=$bench_dir
mounted=
chaos_cleanup() {
  # CHAOS_LOGS=dir keeps every process's log (authkit.log, nginx error.log, emulator.log).
  if [ -n "${CHAOS_LOGS:-}" ]; then mkdir -p "$CHAOS_LOGS"; (cd "$root_dir" && find . -name "*.log" -exec cp --parents {} "$CHAOS_LOGS" \;) || true; fi
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$mounted" ]; then umount "$mounted" 2>/dev/null || umount -l "$mounted" 2>/dev/null || true; fi
  bench_dir=$root_dir
  bench_cleanup
}
trap chaos_cleanup EXIT INT TERM

if [ -n "${BENCH_BIN:-}" ]; then
  bin=$BENCH_BIN
  build=$(case "$bin" in *release*) echo release ;; *) echo debug ;; esac)
else
  build_release
  build=release
fi

emulator_port=$(free_port); forwarder_port=$(free_port); redis_port=$(free_port)
port_one=$(free_port)
redirect="http://127.0.0.1:$port_one/auth/callback"   # every host signs in through "one"
start_emulator "$emulator_port" "$redirect" 300

# Transient faults end within the test's patience; a hang is a latency past this.
export AUTHKIT_HTTP_TIMEOUT_MS=1500 AUTHKIT_HTTP_CONNECT_TIMEOUT_MS=500
# The processes reach the emulator through the forwarder's port; its tokens name its own.
export WORKOS_ISSUER="http://127.0.0.1:$emulator_port/user_management/client_emulate"

# host NAME PORT SOCKET_COUNT [ENV=VALUE...]: SOCKET_COUNT processes (no supervisor) sharing the
# host's cache dir, behind one nginx on PORT; appends "port" and "pid" lines to $root_dir/NAME.
host() {
  local name=$1 port=$2 count=$3; shift 3
  local dir="$root_dir/$name" sockets=() i
  mkdir -p "$dir"
  for i in $(seq 1 "$count"); do
    bench_dir="$dir/$port-p$i"; mkdir -p "$bench_dir"
    export "$@"
    start_authkit "$bench_dir/authkit.sock" "$forwarder_port" "$redirect" ${CHAOS_LOG_LEVEL:+--log-level "$CHAOS_LOG_LEVEL"}
    unset "${@%%=*}"
    echo "pid $authkit_pid" >>"$dir/hosts"
    sockets+=("$bench_dir/authkit.sock")
  done
  bench_dir="$dir/$port"; mkdir -p "$bench_dir"
  local upstream="${sockets[0]}"
  for s in "${sockets[@]:1}"; do upstream="$upstream; server unix:$s"; done
  start_nginx "$port" "$upstream"
  echo "port $port" >>"$dir/hosts"
  bench_dir=$root_dir
}

host one "$port_one" 1 AUTHKIT_CACHE_DIR="$root_dir/one/cache"
host four "$(free_port)" 4 AUTHKIT_CACHE_DIR="$root_dir/four/cache"
for side in a b; do
  host redis "$(free_port)" 1 AUTHKIT_CACHE_DIR="$root_dir/redis/cache-$side" AUTHKIT_REDIS_URL="redis://127.0.0.1:$redis_port/0"
  host plain "$(free_port)" 1 AUTHKIT_CACHE_DIR="$root_dir/plain/cache-$side"
done
mkdir -p "$root_dir/tmpfs-cache"
if mount -t tmpfs -o size=1m,mode=0700 chaos-cache "$root_dir/tmpfs-cache" 2>/dev/null; then
  mounted="$root_dir/tmpfs-cache"
fi
host tmpfs "$(free_port)" 2 AUTHKIT_CACHE_DIR="$root_dir/tmpfs-cache"
# One supervised process: the supervisor holds the socket across a worker's kill -9 or a SIGHUP
# reload, as systemd's socket unit does for the service (SocketActivationTests test that one).
host solo "$(free_port)" 1 AUTHKIT_CACHE_DIR="$root_dir/solo/cache" BENCH_SUPERVISED=1

python3 - "$root_dir" "$emulator_port" "$forwarder_port" "$redis_port" "$build" "$mounted" >"$root_dir/setup.json" <<'PY'
import json, os, sys
root, emulator, forwarder, redis, build, mounted = sys.argv[1:7]
labels = {"one": ("1 process", 1), "four": ("4 processes, 1 cache dir", 1), "redis": ("2 hosts, Redis", 1),
          "plain": ("2 hosts, no Redis", 2), "tmpfs": ("2 processes, tmpfs cache dir", 1),
          "solo": ("1 process, supervised", 1)}
groups = {}
for name, (label, coordination) in labels.items():
    lines = [l.split() for l in open(os.path.join(root, name, "hosts"))]
    groups[name] = {"label": label, "coordination_groups": coordination,
                    "ports": [int(v) for k, v in lines if k == "port"], "pids": [int(v) for k, v in lines if k == "pid"]}
groups["tmpfs"]["cache_mount"] = mounted or None
print(json.dumps({"dir": root, "emulator_port": int(emulator), "forwarder_port": int(forwarder),
                  "redis_port": int(redis), "build": build, "groups": groups}))
PY
status=0
# The driver's stderr stays; the shell's own "Killed" notice for the kill -9 scenario goes.
{ python3 bench/chaos.py "$root_dir/setup.json" $short 2>&3 || status=$?; } 3>&2 2>/dev/null
echo "chaos: $SECONDS s in all (build excluded only with BENCH_BIN)"
exit $status
