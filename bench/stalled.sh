#!/usr/bin/env bash
# Do stalled FastCGI connections slow down checks? (issue 20 item 6)
# nginx + auth_request + authkit-fcgi (release, default workers and limits) twice: on a unix
# socket and on TCP. wrk measures checks with a valid session, alternately with no stalled
# connections and with 256 held open to that listener by bench/stall-holder.py (a third idle, a
# third that sent 5 bytes, a third half the params; reopened when closed, so 256 stay open).
# Phases are interleaved per round (this machine is noisy); each figure is the median round.
# Prints both p99s and their ratio per listener. Goal: ratio within 2.
# Usage: bench/stalled.sh [seconds per phase, default 5] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-5}
rounds=${2:-3}
stalled=256
build_release

port=$(free_port); emulator_port=$(free_port); tcp_port=$(free_port); socket="$bench_dir/authkit.sock"
redirect="http://127.0.0.1:$port/auth/callback"
start_emulator "$emulator_port" "$redirect"
start_authkit "$socket" "$emulator_port" "$redirect"
unix_pid=$authkit_pid
"$bin/authkit-fcgi" serve --env-file "$bench_dir/authkit.env" --listen "127.0.0.1:$tcp_port" --log-level error 2>"$bench_dir/authkit-tcp.log" &
bench_pids+=($!); tcp_pid=$!
wait_port "$tcp_port"

bench_nginx_conf 1 <<LOCATIONS
        location = /unix { auth_request /_unix; try_files /file.html =404; }
        location = /tcp { auth_request /_tcp; try_files /file.html =404; }
        location = /_unix {
            internal; fastcgi_pass unix:$socket; include /etc/nginx/fastcgi_params;
            fastcgi_pass_request_body off; fastcgi_param CONTENT_LENGTH ""; fastcgi_param REQUEST_URI \$request_uri;
            fastcgi_param AUTHKIT_ACTION check;
        }
        location = /_tcp {
            internal; fastcgi_pass 127.0.0.1:$tcp_port; include /etc/nginx/fastcgi_params;
            fastcgi_pass_request_body off; fastcgi_param CONTENT_LENGTH ""; fastcgi_param REQUEST_URI \$request_uri;
            fastcgi_param AUTHKIT_ACTION check;
        }
        location /auth/ { fastcgi_pass unix:$socket; include /etc/nginx/fastcgi_params; fastcgi_param REQUEST_URI \$request_uri; }
LOCATIONS
nginx -p "$conf" -c "$conf/nginx.conf" -g 'daemon off;' & bench_pids+=($!)
wait_port "$port"
cookie=$(sign_in "http://127.0.0.1:$port")
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }

# p99 in ms from wrk's "1.23ms" / "850.00us" / "1.02s".
to_ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v += 0; else if ($1 ~ /s$/) v *= 1000; printf "%.3f\n", v }' <<<"$1"; }

# phase LISTENER WITH_STALLS: prints "p99-ms req/s non-2xx closed-by-server".
phase() {
  local listener=$1 with=$2 holder="" ready="$bench_dir/ready.$RANDOM" closed=0 target
  [ "$listener" = unix ] && target="unix:$socket" || target="tcp:$tcp_port"
  if [ "$with" = yes ]; then
    python3 bench/stall-holder.py "$target" "$stalled" "$ready" >"$bench_dir/holder.out" 2>"$bench_dir/holder.err" &
    holder=$!; bench_pids+=($holder)
    for _ in $(seq 1 200); do [ -f "$ready" ] && break; sleep 0.05; done
    [ -f "$ready" ] || { echo "stall holder did not start: $(cat "$bench_dir/holder.err")" >&2; exit 1; }
    sleep 0.5
  fi
  local rps p99 bad
  read -r rps _ p99 bad < <(wrk_run "http://127.0.0.1:$port/$listener" "$cookie" "$seconds" 32)
  if [ -n "$holder" ]; then
    kill -TERM "$holder"; wait "$holder" 2>/dev/null || true
    closed=$(cat "$bench_dir/holder.out" 2>/dev/null || echo "?")
  fi
  echo "$(to_ms "$p99") $rps ${bad:-0} ${closed:-0}"
}

wrk_run "http://127.0.0.1:$port/unix" "$cookie" 1 32 >/dev/null; wrk_run "http://127.0.0.1:$port/tcp" "$cookie" 1 32 >/dev/null
declare -A samples
for round in $(seq 1 "$rounds"); do
  for listener in unix tcp; do
    for with in no yes; do
      samples[$listener-$with]+="$(phase "$listener" "$with")"$'\n'
    done
  done
done
median() { sort -n <<<"${1%$'\n'}" | awk '{ line[NR] = $0 } END { print line[int((NR + 1) / 2)] }'; }

printf '\nValid-session checks through nginx auth_request (wrk -t2 -c32, %s s per phase, median of %s interleaved rounds; %s cores, %s)\n' \
  "$seconds" "$rounds" "$(nproc)" "$(date -u +%F)"
printf '%-8s %14s %14s %7s %12s %12s %9s %16s\n' listener "p99 no stalls" "p99 ${stalled} stalled" ratio "req/s none" "req/s stalled" "non-2xx" "closed (deadline)"
for listener in unix tcp; do
  read -r p99_none rps_none bad_none _ < <(median "${samples[$listener-no]}")
  read -r p99_with rps_with bad_with closed < <(median "${samples[$listener-yes]}")
  ratio=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) / float(sys.argv[1])))" "$p99_none" "$p99_with")
  printf '%-8s %12s ms %12s ms %7s %12s %12s %9s %16s\n' "$listener" "$p99_none" "$p99_with" "$ratio" "$rps_none" "$rps_with" "$((bad_none + bad_with))" "$closed"
done
echo "(closed: stalled connections the server closed at their read deadline during one phase and the holder reopened)"
echo "threads: unix $(ls /proc/"$unix_pid"/task | wc -l), tcp $(ls /proc/"$tcp_pid"/task | wc -l)"
