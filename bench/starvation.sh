#!/usr/bin/env bash
# Does a hanging WorkOS slow down users whose tokens are still valid? (issue 6)
# nginx + auth_request + authkit-fcgi (release, default workers: CPUs + 1) + the emulator. wrk measures checks
# with a valid session, first with WorkOS healthy, then while WorkOS hangs every refresh and
# 48 clients with expired sessions keep asking (each refresh waits AUTHKIT_HTTP_TIMEOUT_MS).
# Prints both throughputs and their ratio, and what the expired sessions were answered.
# Usage: bench/starvation.sh [seconds per phase, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-10}
build_release

port=$(free_port); emulator_port=$(free_port); socket="$bench_dir/authkit.sock"
redirect="http://127.0.0.1:$port/auth/callback"
start_emulator "$emulator_port" "$redirect" 300   # WorkOS-like 5-minute tokens: the -400 s sessions below are expired
start_authkit "$socket" "$emulator_port" "$redirect"
start_nginx "$port" "$socket"
base="http://127.0.0.1:$port"
emulator="http://127.0.0.1:$emulator_port"

valid=$(sign_in "$base")
# Sessions whose access tokens expired (signed in 400 s in the emulator's past).
curl -s -o /dev/null -X POST "$emulator/_emulate/clock" -H 'Content-Type: application/json' -d '{"offset_seconds":-400}'
expired=()
for i in $(seq 1 48); do expired+=("$(sign_in "$base")"); done
curl -s -o /dev/null -X POST "$emulator/_emulate/clock" -H 'Content-Type: application/json' -d '{"offset_seconds":0}'
[ -n "$valid" ] && [ "${#expired[@]}" -eq 48 ] || { echo "sign-in failed" >&2; exit 1; }

url="$base/api/items"
wrk_run "$url" "$valid" 2 32 >/dev/null   # warm-up
read -r normal_rps normal_p50 normal_p99 normal_bad < <(wrk_run "$url" "$valid" "$seconds" 32)

# WorkOS hangs: every authenticate call waits a minute before answering.
curl -s -o /dev/null -X POST "$emulator/_emulate/hooks" -H 'Content-Type: application/json' \
  -d '{"path":"/user_management/authenticate","method":"POST","latency_ms":60000}'
statuses="$bench_dir/expired-statuses"
: >"$statuses"
stop_at=$((SECONDS + seconds + 4))
for cookie in "${expired[@]}"; do
  ( while [ $SECONDS -lt $stop_at ]; do
      curl -s -o /dev/null -w '%{http_code} %header{set-cookie}\n' -H "Cookie: wos-session=$cookie" -H 'Accept: application/json' "$url" >>"$statuses"
    done ) &
  bench_pids+=($!)
done
sleep 2   # let the expired sessions' refreshes pile up first
threads_during=$(ls /proc/"$authkit_pid"/task | wc -l)
read -r hang_rps hang_p50 hang_p99 hang_bad < <(wrk_run "$url" "$valid" "$seconds" 32)
wait_for=$((stop_at - SECONDS + 12)); sleep $((wait_for > 0 ? wait_for : 0))

printf '\nValid-session checks through nginx (wrk -t2 -c32, %s s each; 2 cores, %s)\n' "$seconds" "$(date -u +%F)"
printf '%-34s %10s %9s %9s %8s\n' phase "req/s" p50 p99 non-2xx
printf '%-34s %10s %9s %9s %8s\n' "WorkOS healthy" "$normal_rps" "$normal_p50" "$normal_p99" "$normal_bad"
printf '%-34s %10s %9s %9s %8s\n' "WorkOS hanging, 48 refreshing" "$hang_rps" "$hang_p50" "$hang_p99" "$hang_bad"
python3 -c "import sys; print('ratio (hanging / healthy): %.2f' % (float(sys.argv[2]) / float(sys.argv[1])))" "$normal_rps" "$hang_rps"
echo "authkit-fcgi threads while hanging: $threads_during (the workers + a stand-in for each waiting request)"
echo "expired sessions were answered:"
awk '{ status[$1]++ } / wos-session=;/ { deleted++ } END { for (s in status) printf "  %s: %d\n", s, status[s]; printf "  cookies deleted: %d\n", deleted + 0 }' "$statuses"
