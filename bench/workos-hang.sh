#!/usr/bin/env bash
# Do checks with a valid session wait on a hanging WorkOS? (issue 22 item 4)
# nginx + auth_request + authkit-fcgi (release, default workers) + the emulator. wrk measures
# checks with a valid session that is not due for a refresh, in interleaved phases: WorkOS
# healthy, and WorkOS hanging (every /user_management/authenticate waits 60 s, longer than
# AUTHKIT_HTTP_TIMEOUT_MS=2000, then answers 504, so no refresh token is spent) while
# bench/refresh-load.py keeps sending paced checks (one a second each by default, or as soon
# as the previous one is answered) with 25 sessions due for a refresh (valid for 20 more minutes,
# inside WORKOS_REFRESH_BUFFER_SECONDS=1800) and 25 whose access tokens expired: 50 distinct
# refresh tokens, nothing to coalesce.
# Each figure is the median of its column over the rounds. Prints p99 and req/s per phase and their ratios
# (goal: p99 ratio ≤ 2, req/s ratio ≥ 0.95), authkit-fcgi's CPU and threads, and what the
# refreshing sessions were answered.
# BENCH_BASELINE=DIR: also measures DIR/authkit-fcgi (e.g. main's release build) behind the
# same nginx and emulator, its phases interleaved with this tree's: side by side in one run.
# BENCH_BIN=DIR: this tree's binaries already built there (no build).
# Usage: bench/workos-hang.sh [seconds per phase, default 5] [rounds, default 3] [ms between a session's checks, default 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-5}
rounds=${2:-3}
period=${3:-1000}
if [ -n "${BENCH_BIN:-}" ]; then bin=$BENCH_BIN; else build_release; fi

port=$(free_port); emulator_port=$(free_port)
redirect="http://127.0.0.1:$port/auth/callback"
emulator="http://127.0.0.1:$emulator_port"
# Hour-long tokens, refreshed in their last 30 minutes: the "due" sessions below stay valid
# (and due) for the whole run, the valid one stays not due.
start_emulator "$emulator_port" "$redirect" 3600
emulator_pid=${bench_pids[-1]}
export WORKOS_REFRESH_BUFFER_SECONDS=1800
# Short, so that a hang phase sees refreshes give up and start again, not one wait.
export AUTHKIT_HTTP_TIMEOUT_MS=2000 AUTHKIT_HTTP_CONNECT_TIMEOUT_MS=1000
sessions=25
servers=(new)
start_authkit "$bench_dir/new.sock" "$emulator_port" "$redirect"
declare -A pids=([new]=$authkit_pid)
if [ -n "${BENCH_BASELINE:-}" ]; then
  servers+=(baseline)
  "$BENCH_BASELINE/authkit-fcgi" serve --env-file "$bench_dir/authkit.env" --listen "unix:$bench_dir/baseline.sock" \
    --no-supervisor --log-level error 2>"$bench_dir/baseline.log" &
  pids[baseline]=$!; bench_pids+=($!)
  for _ in $(seq 1 200); do [ -S "$bench_dir/baseline.sock" ] && break; sleep 0.05; done
fi

locations=""
for server in "${servers[@]}"; do
  locations+="
        location = /$server { auth_request /_$server; try_files /file.html =404; }
        location = /_$server {
            internal; fastcgi_pass unix:$bench_dir/$server.sock; include /etc/nginx/fastcgi_params;
            fastcgi_pass_request_body off; fastcgi_param CONTENT_LENGTH \"\"; fastcgi_param REQUEST_URI \$request_uri;
            fastcgi_param AUTHKIT_ACTION check;
        }"
done
bench_nginx_conf 1 <<LOCATIONS
$locations
        location /auth/ { fastcgi_pass unix:$bench_dir/new.sock; include /etc/nginx/fastcgi_params; fastcgi_param REQUEST_URI \$request_uri; }
LOCATIONS
nginx -p "$conf" -c "$conf/nginx.conf" -g 'daemon off;' & bench_pids+=($!)
nginx_pid=$!
wait_port "$port"
nginx_worker=$(pgrep -P "$nginx_pid" | head -1)
base="http://127.0.0.1:$port"

emulator_clock() {
  curl -s -o /dev/null -X POST "$emulator/_emulate/clock" -H 'Content-Type: application/json' -d "{\"offset_seconds\":$1}"
}
valid=$(sign_in "$base")
due=(); expired=()
emulator_clock -2400   # issued 40 minutes ago: expires in 20, due (buffer 30)
for i in $(seq 1 "$sessions"); do due+=("$(sign_in "$base")"); done
emulator_clock -4000   # expired 400 s ago
for i in $(seq 1 "$sessions"); do expired+=("$(sign_in "$base")"); done
emulator_clock 0
for cookie in "$valid" "${due[@]}" "${expired[@]}"; do [ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }; done

to_ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v += 0; else if ($1 ~ /s$/) v *= 1000; printf "%.3f\n", v }' <<<"$1"; }
# CPU seconds (user + system) the process has used.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$1/stat"; }

# others PIDS...: the CPU seconds of nginx's worker, the emulator and the given processes.
others() { local total=0 pid; for pid in "$nginx_worker" "$emulator_pid" "$@"; do total=$(python3 -c "import sys; print(float(sys.argv[1]) + float(sys.argv[2]))" "$total" "$(cpu_of "$pid" 2>/dev/null || echo 0)"); done; echo "$total"; }

# phase SERVER HANGING: prints "p99-ms req/s non-2xx cpu-seconds threads other-cpu-seconds".
phase() {
  local server=$1 hanging=$2 load="" load2="" statuses="$bench_dir/statuses.$server" threads cpu_before cpu_after
  if [ "$hanging" = yes ]; then
    curl -s -o /dev/null -X POST "$emulator/_emulate/hooks" -H 'Content-Type: application/json' \
      -d '{"path":"/user_management/authenticate","method":"POST","latency_ms":60000,"status":504}'
    python3 bench/refresh-load.py "$base/$server" "$period" "$statuses.due.$RANDOM" "${due[@]}" &
    load=$!; bench_pids+=($load)
    python3 bench/refresh-load.py "$base/$server" "$period" "$statuses.expired.$RANDOM" "${expired[@]}" &
    load2=$!; bench_pids+=($load2)
    sleep 2   # let the refreshes pile up first
  fi
  threads=$(ls /proc/"${pids[$server]}"/task | wc -l)
  cpu_before=$(cpu_of "${pids[$server]}")
  local rps p99 bad others_before others_after
  others_before=$(others $load $load2)
  read -r rps _ p99 bad < <(wrk_run "$base/$server" "$valid" "$seconds" 32)
  cpu_after=$(cpu_of "${pids[$server]}")
  others_after=$(others $load $load2)
  threads=$(( $(ls /proc/"${pids[$server]}"/task | wc -l) > threads ? $(ls /proc/"${pids[$server]}"/task | wc -l) : threads ))
  if [ -n "$load" ]; then
    kill -TERM "$load" "$load2"; wait "$load" "$load2" 2>/dev/null || true
    curl -s -o /dev/null -X DELETE "$emulator/_emulate/hooks"
    sleep 3   # the refreshes under way give up (AUTHKIT_HTTP_TIMEOUT_MS) before the next phase
  fi
  echo "$(to_ms "$p99") $rps ${bad:-0} $(python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$cpu_before" "$cpu_after") $threads $(python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$others_before" "$others_after")"
}

for server in "${servers[@]}"; do wrk_run "$base/$server" "$valid" 1 32 >/dev/null; done
declare -A samples
for round in $(seq 1 "$rounds"); do
  for server in "${servers[@]}"; do
    for hanging in no yes; do
      samples[$server-$hanging]+="$(phase "$server" "$hanging")"$'\n'
    done
  done
done
# Each column's median over the rounds (a figure of one round may pair with another's).
median() { python3 -c 'import sys, statistics; rows = [l.split() for l in sys.stdin if l.strip()]
print(" ".join("%g" % statistics.median(float(r[i]) for r in rows) for i in range(len(rows[0]))))' <<<"${1%$'\n'}"; }
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) / float(sys.argv[1])))" "$1" "$2"; }

printf '\nValid-session checks through nginx auth_request (wrk -t2 -c32, %s s per phase, median of %s interleaved rounds; %s cores, %s)\n' \
  "$seconds" "$rounds" "$(nproc)" "$(date -u +%F)"
echo "hanging: WorkOS answers no refresh within AUTHKIT_HTTP_TIMEOUT_MS=2000 while $sessions due + $sessions expired sessions each send a check every $period ms"
printf '%-9s %12s %12s %7s %11s %11s %7s %9s %9s %8s %8s %10s %10s\n' server "p99 healthy" "p99 hanging" ratio "req/s ok" "req/s hang" ratio "cpu s ok" "cpu s hg" "threads" "non-2xx" "others ok" "others hg"
for server in "${servers[@]}"; do
  read -r p99_ok rps_ok bad_ok cpu_ok _ other_ok < <(median "${samples[$server-no]}")
  read -r p99_hang rps_hang bad_hang cpu_hang threads other_hang < <(median "${samples[$server-yes]}")
  printf '%-9s %9s ms %9s ms %7s %11s %11s %7s %9s %9s %8s %8s %10s %10s\n' "$server" "$p99_ok" "$p99_hang" "$(ratio "$p99_ok" "$p99_hang")" \
    "$rps_ok" "$rps_hang" "$(ratio "$rps_ok" "$rps_hang")" "$cpu_ok" "$cpu_hang" "$threads" "$(python3 -c "import sys; print(int(float(sys.argv[1]) + float(sys.argv[2])))" "$bad_ok" "$bad_hang")" "$other_ok" "$other_hang"
done
echo "(ratios: hanging / healthy; cpu s: authkit-fcgi's CPU seconds during the wrk run; threads: most seen; others: CPU seconds of nginx's worker, the emulator and the refreshing load then)"
echo "the refreshing sessions' own checks while WorkOS hung, all rounds (401 from authkit-fcgi here is 'unavailable', cookie kept):"
for server in "${servers[@]}"; do
  for kind in due expired; do
    cat "$bench_dir"/statuses."$server"."$kind".* 2>/dev/null | python3 -c 'import sys, statistics
by = {}
for line in sys.stdin:
    status, ms = line.split(); by.setdefault(status, []).append(float(ms))
print("  %-9s %-8s " % (sys.argv[1], sys.argv[2]) + ", ".join("%s: %d answers, median %.0f ms, max %.0f ms" % (s, len(v), statistics.median(v), max(v)) for s, v in sorted(by.items())))' "$server" "$kind"
  done
done
