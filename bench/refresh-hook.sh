#!/usr/bin/env bash
# Does a dead refresh hook slow down checks? (issue 21) Two authkit-fcgi (release) behind two
# nginx, one emulator: one with AUTHKIT_ON_REFRESH_SUCCESS_URL/_ERROR_URL pointing at a
# black-hole listener (accepts connections, never answers), one without hooks. In interleaved
# rounds wrk measures valid-session checks on each while 4 clients keep refreshing expired
# sessions on the same site (each refresh queues a hook event the black hole never takes).
# Prints both sides' throughput and p99 per round, the hook events sent/failed/dropped, and the
# ratio (black-hole / no hook) of the summed throughput.
# Usage: bench/refresh-hook.sh [seconds per measurement, default 8] [rounds, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-8}; rounds=${2:-2}
build_release

emulator_port=$(free_port); port_none=$(free_port); port_hook=$(free_port); hole_port=$(free_port)
redirect="http://127.0.0.1:$port_none/auth/callback"   # both sites share it: sign-ins go through "none"
start_emulator "$emulator_port" "$redirect" 300
emulator="http://127.0.0.1:$emulator_port"

# The black hole: accepts every connection and never reads or answers.
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4096); held = []
while True: held.append(s.accept()[0])' "$hole_port" &
bench_pids+=($!)
wait_port "$hole_port"

# One site per side: lib.sh keeps its files in $bench_dir, so each side gets its own.
root_dir=$bench_dir
start_side() {  # NAME PORT [hook URL]
  bench_dir="$root_dir/$1"; mkdir -p "$bench_dir"
  if [ -n "${3:-}" ]; then
    export AUTHKIT_ON_REFRESH_SUCCESS_URL="$3/refreshed" AUTHKIT_ON_REFRESH_ERROR_URL="$3/failed"
    export AUTHKIT_ON_REFRESH_SECRET=bench-refresh-hook-secret-0123
  fi
  start_authkit "$bench_dir/authkit.sock" "$emulator_port" "$redirect"
  unset AUTHKIT_ON_REFRESH_SUCCESS_URL AUTHKIT_ON_REFRESH_ERROR_URL AUTHKIT_ON_REFRESH_SECRET
  start_nginx "$2" "$bench_dir/authkit.sock"
  bench_dir=$root_dir
}
start_side none "$port_none"
start_side hook "$port_hook" "http://127.0.0.1:$hole_port"

valid=$(sign_in "http://127.0.0.1:$port_none")
[ -n "$valid" ] || { echo "sign-in failed" >&2; exit 1; }
# Expired sessions (signed in 400 s in the emulator's past), 40 per side and round: each
# refreshes once at WorkOS, then the grace window answers it.
curl -s -o /dev/null -X POST "$emulator/_emulate/clock" -H 'Content-Type: application/json' -d '{"offset_seconds":-400}'
for i in $(seq 1 $((rounds * 2 * 40))); do sign_in "http://127.0.0.1:$port_none" >>"$bench_dir/expired"; done
curl -s -o /dev/null -X POST "$emulator/_emulate/clock" -H 'Content-Type: application/json' -d '{"offset_seconds":0}'
mapfile -t expired <"$bench_dir/expired"

# measure SIDE PORT ROUND: wrk on the valid session while 4 clients refresh 40 expired ones.
measure() {
  local base="http://127.0.0.1:$2" side_index=0 pids=()
  [ "$1" = hook ] && side_index=1
  local first=$(( ($3 * 2 + side_index) * 40 ))
  for lane in 0 1 2 3; do
    ( while true; do
        for k in $(seq "$lane" 4 39); do
          curl -s -o /dev/null -H "Cookie: wos-session=${expired[$((first + k))]}" -H 'Accept: application/json' "$base/api/items"
        done
      done ) &
    pids+=($!)
  done
  wrk_run "$base/api/items" "$valid" "$seconds" 32
  kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null || true
}

metric() {  # PORT NAME{labels}: the value in /auth/metrics, 0 when absent
  curl -s "http://127.0.0.1:$1/auth/metrics" | awk -v name="$2" '$1 == name { print $2; found = 1 } END { if (!found) print 0 }'
}

wrk_run "http://127.0.0.1:$port_none/api/items" "$valid" 2 32 >/dev/null   # warm-up
wrk_run "http://127.0.0.1:$port_hook/api/items" "$valid" 2 32 >/dev/null
printf '\nValid-session checks through nginx while expired sessions refresh (wrk -t2 -c32, %s s each; 2 cores, %s)\n' "$seconds" "$(date -u +%F)"
printf '%-6s %-22s %10s %9s %9s %8s\n' round side "req/s" p50 p99 non-2xx
sum_none=0; sum_hook=0
for round in $(seq 0 $((rounds - 1))); do
  for side in none hook; do
    port=$([ $side = none ] && echo "$port_none" || echo "$port_hook")
    read -r rps p50 p99 bad < <(measure "$side" "$port" "$round")
    label=$([ $side = none ] && echo "no hook" || echo "hook -> black hole")
    printf '%-6s %-22s %10s %9s %9s %8s\n' "$((round + 1))" "$label" "$rps" "$p50" "$p99" "$bad"
    if [ $side = none ]; then sum_none=$(python3 -c "print($sum_none + $rps)"); else sum_hook=$(python3 -c "print($sum_hook + $rps)"); fi
  done
done
for side in none hook; do
  port=$([ $side = none ] && echo "$port_none" || echo "$port_hook")
  printf '%-5s refreshes ok %s; hook events sent %s, failed %s, dropped %s\n' "$side" \
    "$(metric "$port" 'authkit_refreshes_total{outcome="success"}')" \
    "$(metric "$port" 'authkit_refresh_hook_events_total{outcome="sent"}')" \
    "$(metric "$port" 'authkit_refresh_hook_events_total{outcome="failed"}')" \
    "$(metric "$port" 'authkit_refresh_hook_events_total{outcome="dropped"}')"
done
echo "refreshes at WorkOS (both sides): $(curl -s "$emulator/_emulate/counters" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("refreshes", 0))'); the hook side queued one event each, and its sender is stuck on the black hole (5 attempts of 2 s, 0.5-4 s apart, per event)"
python3 -c "import sys; print('ratio (black-hole hook / no hook): %.2f' % (float(sys.argv[2]) / float(sys.argv[1])))" "$sum_none" "$sum_hook"
