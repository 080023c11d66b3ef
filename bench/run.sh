#!/usr/bin/env bash
# The performance table (issue 8): nginx and Apache on loopback, side by side in one run, with
# wrk from Debian. Rows: the static-file ceiling; auth_request to a trivial C FastCGI responder
# that always allows (the floor, bench/floor.c), and the same responder closing its connections
# at once as authkit-fcgi does (2b: what skipping libfcgi's lingering close is worth on its
# own); authkit-fcgi with its verified-session cache,
# and without it; Apache (event MPM) unprotected, with mod_authnz_fcgi to the floor and to
# authkit-fcgi; authkit-fcgi as a plain CGI program under Apache. Per row: req/s, p50, p99, the
# authorizer's CPU µs per request, and the ratio to the floor. Then authkit-fcgi's RSS.
# Usage: bench/run.sh [seconds per row, default 10] [--long: also 1,000,000 requests for RSS]
#        BENCH_ROWS="2 3" bench/run.sh: only those rows (by number; 5 = 5a-5c).
#        BENCH_ROUNDS=5: rounds per row (default 3); each row reports its median round.
# Not a test: figures depend on the machine; compare ratios within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-10}
long=${2:-}
rounds=${BENCH_ROUNDS:-3}
scripts/install-packages.sh wrk nginx-light apache2 libfcgi-dev >&2
build_release
cc -O2 -o "$bench_dir/floor" bench/floor.c -lfcgi -lpthread
connections=64

port=$(free_port); emulator_port=$(free_port)
redirect="http://127.0.0.1:$port/auth/callback"
start_emulator "$emulator_port" "$redirect"
# authkit-fcgi twice, with its default worker count (CPUs + 1): with the verified-session
# cache (default) and without it. The floor gets 8 threads, its best here (with libfcgi's
# lingering close a thread sleeps through every close; 2 or 3 threads did 25-30 % less).
start_authkit "$bench_dir/authkit.sock" "$emulator_port" "$redirect"
cached_pid=$authkit_pid
AUTHKIT_SESSION_CACHE_SIZE=0 start_authkit "$bench_dir/authkit-nocache.sock" "$emulator_port" "$redirect"
uncached_pid=$authkit_pid
"$bench_dir/floor" "unix:$bench_dir/floor.sock" 8 & bench_pids+=($!); floor_pid=$!
"$bench_dir/floor" "unix:$bench_dir/floor-quick.sock" 8 quick & bench_pids+=($!); floor_quick_pid=$!
fcgi_port=$(free_port); floor_tcp=$(free_port)
"$bin/authkit-fcgi" serve --env-file "$bench_dir/authkit.env" --listen "127.0.0.1:$fcgi_port" --no-supervisor --log-level error 2>/dev/null &
bench_pids+=($!); apache_authkit_pid=$!
"$bench_dir/floor" ":$floor_tcp" 8 & bench_pids+=($!); floor_tcp_pid=$!
sleep 0.5

# nginx: one server, one location per row; the same 2 KB file everywhere.
bench_nginx_conf auto <<LOCATIONS
        location = /ceiling { try_files /file.html =404; }
        location = /floor { auth_request /_floor; try_files /file.html =404; }
        location = /floor-quick { auth_request /_floor_quick; try_files /file.html =404; }
        location = /authkit { auth_request /_authkit; try_files /file.html =404; }
        location = /authkit-nocache { auth_request /_authkit_nocache; try_files /file.html =404; }
        location = /_floor { internal; fastcgi_pass unix:$bench_dir/floor.sock; include /etc/nginx/fastcgi_params; }
        location = /_floor_quick { internal; fastcgi_pass unix:$bench_dir/floor-quick.sock; include /etc/nginx/fastcgi_params; }
        location = /_authkit {
            internal; fastcgi_pass unix:$bench_dir/authkit.sock; include /etc/nginx/fastcgi_params;
            fastcgi_pass_request_body off; fastcgi_param CONTENT_LENGTH ""; fastcgi_param REQUEST_URI \$request_uri;
            fastcgi_param AUTHKIT_ACTION check;
        }
        location = /_authkit_nocache {
            internal; fastcgi_pass unix:$bench_dir/authkit-nocache.sock; include /etc/nginx/fastcgi_params;
            fastcgi_pass_request_body off; fastcgi_param CONTENT_LENGTH ""; fastcgi_param REQUEST_URI \$request_uri;
            fastcgi_param AUTHKIT_ACTION check;
        }
        location /auth/ { fastcgi_pass unix:$bench_dir/authkit.sock; include /etc/nginx/fastcgi_params; fastcgi_param REQUEST_URI \$request_uri; }
LOCATIONS
nginx -p "$conf" -c "$conf/nginx.conf" -g 'daemon off;' & bench_pids+=($!)
wait_port "$port"
cookie=$(sign_in "http://127.0.0.1:$port")
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }

# Apache (event MPM) on its own port: unprotected, authnz_fcgi → floor, authnz_fcgi → authkit, CGI.
aport=$(free_port); aconf="$bench_dir/apache"; mkdir -p "$aconf/html/cgi"
cp "$conf/html/file.html" "$aconf/html/file.html"
cp "$bin/authkit-fcgi" "$aconf/authkit-fcgi"
cat >"$aconf/apache2.conf" <<CONF
$(for m in mpm_event authz_core authn_core authz_user authnz_fcgi alias env setenvif mime dir actions cgid; do echo "LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so"; done)
ServerRoot $aconf
ServerName 127.0.0.1
Listen 127.0.0.1:$aport
PidFile $aconf/apache.pid
ErrorLog $aconf/error.log
LogLevel error
User www-data
Group www-data
ScriptSock $aconf/cgid.sock
TypesConfig /etc/mime.types
ServerLimit 4
ThreadsPerChild 64
MaxRequestWorkers 256
DocumentRoot $aconf/html
<Directory $aconf/html>
    Require all granted
</Directory>
AuthnzFcgiDefineProvider authnz floor fcgi://127.0.0.1:$floor_tcp/
AuthnzFcgiDefineProvider authnz authkit fcgi://127.0.0.1:$fcgi_port/
Alias /floor/ $aconf/html/
<Location /floor/>
    AuthType Floor
    AuthName floor
    AuthnzFcgiCheckAuthnProvider floor Authoritative On RequireBasicAuth Off UserExpr "bench"
    Require floor
</Location>
Alias /authkit/ $aconf/html/
<Location /authkit/>
    AuthType AuthKit
    AuthName authkit
    AuthnzFcgiCheckAuthnProvider authkit Authoritative On RequireBasicAuth Off UserExpr "%{reqenv:AUTHKIT_USER_ID}"
    Require authkit
</Location>
ScriptAlias /.authkit-guard $aconf/authkit-fcgi
Action authkit-guard /.authkit-guard virtual
<Location /.authkit-guard>
    SetEnv AUTHKIT_ENV_FILE $bench_dir/authkit.env
    SetEnv AUTHKIT_CACHE_DIR $aconf/cache
    SetEnv AUTHKIT_ACTION guard
</Location>
Alias /cgi/ $aconf/html/
<Location /cgi/>
    <If "reqenv('REDIRECT_AUTHKIT_ACTION') != 'guard'">
        SetHandler authkit-guard
    </If>
</Location>
CONF
install -d -o www-data -g www-data -m 0700 "$aconf/cache"
chmod a+rx "$bench_dir"; chmod a+r "$bench_dir/authkit.env"; chmod -R a+rX "$aconf"
python3 -c 'import os,signal,sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])' \
  /usr/sbin/apache2 -f "$aconf/apache2.conf" -DFOREGROUND & bench_pids+=($!)
wait_port "$aport" || { cat "$aconf/error.log" >&2; exit 1; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# measure URL [PID of the authorizer]: runs wrk once; prints "req/s p50 p99 cpu-µs non-2xx".
measure() {
  local url=$1 pid=${2:-} before after rps p50 p99 bad cpu="-"
  wrk_run "$url" "$cookie" 1 "$connections" >/dev/null 2>&1 || true
  [ -n "$pid" ] && before=$(cpu_ticks "$pid")
  local out; out=$(wrk -t2 -c"$connections" -d"$seconds"s --latency -H "Cookie: wos-session=$cookie" "$url" 2>&1) || true
  if grep -q "unable to connect" <<<"$out"; then echo "$url refused; Apache's log:" >&2; tail -5 "$aconf/error.log" >&2; return 0; fi
  rps=$(awk '/Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(awk '/^ +50%/ { print $2 }' <<<"$out"); p99=$(awk '/^ +99%/ { print $2 }' <<<"$out")
  bad=$(awk '/Non-2xx/ { print $5 }' <<<"$out")
  local requests; requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  if [ -n "$pid" ]; then
    after=$(cpu_ticks "$pid")
    cpu=$(python3 -c "print('%.1f' % (($after - $before) * 1e6 / $ticks_per_second / max(1, $requests)))")
  fi
  echo "$rps $p50 $p99 $cpu ${bad:-0}"
}
wanted() { [ -z "${BENCH_ROWS:-}" ] || [[ " $BENCH_ROWS " == *" ${1//[abc]/} "* ]]; }
ratio() { python3 -c "import sys; a, b = (float(x or 0) for x in sys.argv[1:]); print('%.2f' % (a / b) if a and b else '-')" "${1:-}" "${2:-}"; }

n="http://127.0.0.1:$port"; a="http://127.0.0.1:$aport"
# name|url|pid of the authorizer, in table order.
rows=(
  "1 nginx static 2 KB (ceiling)|$n/ceiling|"
  "2 nginx auth_request → C floor|$n/floor|$floor_pid"
  "2b nginx → C floor, closing at once|$n/floor-quick|$floor_quick_pid"
  "3 nginx auth_request → authkit (cache)|$n/authkit|$cached_pid"
  "4 nginx auth_request → authkit (no cache)|$n/authkit-nocache|$uncached_pid"
  "5a Apache static (unprotected)|$a/file.html|"
  "5b Apache authnz_fcgi → C floor|$a/floor/file.html|$floor_tcp_pid"
  "5c Apache authnz_fcgi → authkit|$a/authkit/file.html|$apache_authkit_pid"
)
# Rounds: every row once per round, so slow drift of this noisy machine hits all rows alike;
# each row reports its median round (by req/s).
declare -A samples_of
for round in $(seq 1 "$rounds"); do
  for spec in "${rows[@]}"; do
    IFS='|' read -r name url pid <<<"$spec"
    wanted "${name%% *}" || continue
    samples_of[$name]+="$(measure "$url" "$pid")"$'\n'
  done
done
printf '\n%s, %s cores, wrk -t2 -c%d, %s s per row, median of %s interleaved rounds\n' "$(date -u +%F)" "$(nproc)" "$connections" "$seconds" "$rounds"
printf '%-40s %10s %9s %9s %9s %8s\n' row "req/s" p50 p99 "cpu µs" non-2xx
declare -A rps_of cpu_of
for spec in "${rows[@]}"; do
  IFS='|' read -r name url pid <<<"$spec"
  [ -n "${samples_of[$name]:-}" ] || continue
  read -r rps p50 p99 cpu bad < <(sort -n <<<"${samples_of[$name]%$'\n'}" | awk '{ line[NR] = $0 } END { print line[int((NR + 1) / 2)] }')
  rps_of[${name%% *}]=$rps; cpu_of[${name%% *}]=$cpu
  printf '%-40s %10s %9s %9s %9s %8s\n' "$name" "$rps" "$p50" "$p99" "$cpu" "$bad"
done
# CGI: a process per request; low concurrency, wall time per request is the figure.
if wanted 6; then
cgi_out=$(wrk -t1 -c4 -d"$seconds"s --latency -H "Cookie: wos-session=$cookie" "$a/cgi/file.html")
printf '%-40s %10s %9s %9s %9s %8s\n' "6 Apache CGI guard (c=4)" "$(awk '/Requests\/sec:/ { print $2 }' <<<"$cgi_out")" \
  "$(awk '/^ +50%/ { print $2 }' <<<"$cgi_out")" "$(awk '/^ +99%/ { print $2 }' <<<"$cgi_out")" "-" "$(awk '/Non-2xx/ { print $5 }' <<<"$cgi_out")"
fi
echo
echo "ratios to the floor: row 3 = $(ratio "${rps_of[3]:-}" "${rps_of[2]:-}")" \
     "(target ≥ 0.9), row 4 = $(ratio "${rps_of[4]:-}" "${rps_of[2]:-}")" \
     "(≥ 0.7), row 5c / 5b = $(ratio "${rps_of[5c]:-}" "${rps_of[5b]:-}")"
echo "CPU per allowed request, authkit-fcgi (cache) / floor: $(ratio "${cpu_of[3]:-}" "${cpu_of[2]:-}") (target ≤ 1.2)," \
     "/ floor closing at once: $(ratio "${cpu_of[3]:-}" "${cpu_of[2b]:-}")"
echo "ratios to the floor closing at once (2b): row 3 = $(ratio "${rps_of[3]:-}" "${rps_of[2b]:-}")," \
     "row 4 = $(ratio "${rps_of[4]:-}" "${rps_of[2b]:-}")"
echo "authkit-fcgi (cache) RSS now $(awk '/VmRSS/ { print $2, $3 }' /proc/$cached_pid/status), peak $(awk '/VmHWM/ { print $2, $3 }' /proc/$cached_pid/status) after $connections connections"
if [ "$long" = "--long" ]; then
  before=$(awk '/VmRSS/ { print $2 }' /proc/$cached_pid/status)
  wrk -t2 -c"$connections" -d120s -H "Cookie: wos-session=$cookie" "$n/authkit" \
    | awk '/requests in/ { n = $1 } /Non-2xx/ { bad = $5 } END { print "long run: " n " requests, " (bad ? bad : 0) " non-2xx" }'
  echo "RSS before $before kB, after $(awk '/VmRSS/ { print $2 }' /proc/$cached_pid/status) kB"
fi
