#!/usr/bin/env bash
# Cached API-key checks beside cached session checks (issue 21): one nginx, one authkit-fcgi,
# two locations with the same 2 KB file — one checked by its session cookie, one by
# `Authorization: Bearer <organization API key>` (AUTHKIT_ALLOW_API_KEY) — measured in
# interleaved rounds with wrk; prints each row's median round and the ratios key/session.
# Both are answered from cache after the first request (the API key's answer lives 60 s, so
# WorkOS — the emulator — is asked about once a minute).
# Usage: bench/apikey.sh [seconds per row, default 8]   BENCH_ROUNDS=3 (default)
#        BENCH_BIN=.build/release: use binaries built already instead of building.
# Not a test: figures depend on the machine; compare the ratio within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-8}
rounds=${BENCH_ROUNDS:-3}
connections=64
scripts/install-packages.sh wrk nginx-light >&2
if [ -n "${BENCH_BIN:-}" ]; then bin=$BENCH_BIN; else build_release; fi

port=$(free_port); emulator_port=$(free_port)
redirect="http://127.0.0.1:$port/auth/callback"
start_emulator "$emulator_port" "$redirect"
start_authkit "$bench_dir/authkit.sock" "$emulator_port" "$redirect"
authkit=$authkit_pid

check_params="include /etc/nginx/fastcgi_params; fastcgi_pass_request_body off; fastcgi_param CONTENT_LENGTH \"\"; fastcgi_param REQUEST_URI \$request_uri; fastcgi_param AUTHKIT_SERVED_PATH \$uri; fastcgi_param AUTHKIT_ACTION check;"
bench_nginx_conf auto <<LOCATIONS
        location = /session { auth_request /_session; try_files /file.html =404; }
        location = /apikey { auth_request /_apikey; try_files /file.html =404; }
        location = /_session { internal; fastcgi_pass unix:$bench_dir/authkit.sock; $check_params }
        location = /_apikey { internal; fastcgi_pass unix:$bench_dir/authkit.sock; $check_params fastcgi_param AUTHKIT_ALLOW_API_KEY true; }
        location /auth/ { fastcgi_pass unix:$bench_dir/authkit.sock; include /etc/nginx/fastcgi_params; fastcgi_param REQUEST_URI \$request_uri; }
LOCATIONS
nginx -p "$conf" -c "$conf/nginx.conf" -g 'daemon off;' & bench_pids+=($!)
wait_port "$port"
cookie=$(sign_in "http://127.0.0.1:$port")
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }
key=$(curl -s -X POST -H "Authorization: Bearer sk_test_default" -H "Content-Type: application/json" \
  -d '{"name":"bench","permissions":["posts:read"]}' \
  "http://127.0.0.1:$emulator_port/organizations/org_01EMULATEACME00000000000/api_keys" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["value"])')
[ -n "$key" ] || { echo "minting an API key failed" >&2; exit 1; }
for probe in "session|Cookie: wos-session=$cookie" "apikey|Authorization: Bearer $key"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "${probe#*|}" "http://127.0.0.1:$port/${probe%%|*}")
  [ "$status" = 200 ] || { echo "/${probe%%|*} answered $status, not 200" >&2; exit 1; }
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)
# measure PATH HEADER: prints "req/s p50 p99 cpu-µs non-2xx".
measure() {
  local url="http://127.0.0.1:$port/$1" before after out requests
  wrk -t2 -c"$connections" -d1s -H "$2" "$url" >/dev/null 2>&1 || true
  before=$(cpu_ticks "$authkit")
  out=$(wrk -t2 -c"$connections" -d"$seconds"s --latency -H "$2" "$url" 2>&1) || true
  after=$(cpu_ticks "$authkit")
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  awk -v cpu="$(python3 -c "print('%.1f' % (($after - $before) * 1e6 / $ticks_per_second / max(1, $requests)))")" '
    /Requests\/sec:/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } /Non-2xx/ { bad = $5 }
    END { printf "%s %s %s %s %s\n", rps, p50, p99, cpu, (bad == "" ? 0 : bad) }' <<<"$out"
}
median() { sort -n <<<"${1%$'\n'}" | awk '{ line[NR] = $0 } END { print line[int((NR + 1) / 2)] }'; }
session_runs="" apikey_runs=""
for _ in $(seq 1 "$rounds"); do
  session_runs+="$(measure session "Cookie: wos-session=$cookie")"$'\n'
  apikey_runs+="$(measure apikey "Authorization: Bearer $key")"$'\n'
done
read -r s_rps s_p50 s_p99 s_cpu s_bad < <(median "$session_runs")
read -r k_rps k_p50 k_p99 k_cpu k_bad < <(median "$apikey_runs")
validations=$(curl -s "http://127.0.0.1:$emulator_port/_emulate/counters" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("api_key_validations", 0))')
printf '\n%s, %s cores, wrk -t2 -c%d, %s s per row, median of %s interleaved rounds\n' "$(date -u +%F)" "$(nproc)" "$connections" "$seconds" "$rounds"
printf '%-34s %10s %9s %9s %9s %8s\n' row "req/s" p50 p99 "cpu µs" non-2xx
printf '%-34s %10s %9s %9s %9s %8s\n' "cached session (cookie)" "$s_rps" "$s_p50" "$s_p99" "$s_cpu" "$s_bad"
printf '%-34s %10s %9s %9s %9s %8s\n' "cached API key (Bearer)" "$k_rps" "$k_p50" "$k_p99" "$k_cpu" "$k_bad"
python3 - "$s_rps" "$k_rps" "$s_cpu" "$k_cpu" <<'PY'
import sys
s_rps, k_rps, s_cpu, k_cpu = (float(x) for x in sys.argv[1:])
print(f"time per request, API key / session: {s_rps / k_rps:.3f} (req/s {k_rps / s_rps:.3f} of the session's)")
print(f"authkit-fcgi CPU per request, API key / session: {k_cpu / s_cpu:.3f}" if s_cpu else "")
PY
echo "WorkOS API-key validations during the run: $validations"
