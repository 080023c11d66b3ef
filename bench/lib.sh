# Shared by the benchmark scripts: start the emulator, authkit-fcgi and nginx with the shipped
# snippets on free loopback ports, sign in, run wrk. Source it; everything started is stopped
# by PID on exit. Nothing here is a test.

bench_dir=$(mktemp -d /tmp/authkit-bench.XXXXXX)
bench_pids=()
bench_cleanup() {
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$bench_dir"
}
trap bench_cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on $1" >&2; return 1
}

# build_release: the release binaries; sets $bin.
build_release() {
  swift build -c release --product authkit-fcgi >&2
  swift build -c release --product authkit-emulator >&2
  bin=$(swift build -c release --show-bin-path)
}

# start_emulator PORT REDIRECT_URI [TOKEN_TTL_SECONDS]: tokens live a day by default, so a run
# longer than WorkOS's 5 minutes measures valid sessions throughout, not refreshes of a cookie
# wrk never updates.
start_emulator() {
  "$bin/authkit-emulator" --port "$1" --redirect-uri "$2" --access-token-ttl "${3:-86400}" --log-level error >"$bench_dir/emulator.log" 2>&1 &
  bench_pids+=($!)
  wait_port "$1"
}

# start_authkit SOCKET EMULATOR_PORT REDIRECT_URI [serve options...]
start_authkit() {
  local socket=$1 emulator_port=$2 redirect=$3; shift 3
  cat >"$bench_dir/authkit.env" <<ENV
WORKOS_CLIENT_ID=client_emulate
WORKOS_API_KEY=sk_test_default
WORKOS_COOKIE_PASSWORD=this-is-a-32-character-password!
WORKOS_REDIRECT_URI=$redirect
WORKOS_API_HOSTNAME=127.0.0.1
WORKOS_API_PORT=$emulator_port
WORKOS_API_HTTPS=false
ENV
  # --no-supervisor: $authkit_pid is then the server itself, whose CPU time and memory run.sh reads.
  # BENCH_SUPERVISED=1: with the supervisor (it holds the socket, as systemd would; $authkit_pid is it).
  local supervisor=--no-supervisor
  [ -n "${BENCH_SUPERVISED:-}" ] && supervisor=
  "$bin/authkit-fcgi" serve --env-file "$bench_dir/authkit.env" --listen "unix:$socket" $supervisor --log-level error "$@" \
    2>"$bench_dir/authkit.log" &
  authkit_pid=$!
  bench_pids+=($authkit_pid)
  for _ in $(seq 1 200); do [ -S "$socket" ] && return 0; sleep 0.05; done
  echo "authkit-fcgi did not start: $(cat "$bench_dir/authkit.log")" >&2; return 1
}

# bench_nginx_conf WORKERS <<LOCATIONS: writes $conf/nginx.conf (conf=$bench_dir/nginx), one
# server on 127.0.0.1:$port with the locations read from stdin, and the 2 KB $conf/html/file.html
# they serve. Start it with: nginx -p "$conf" -c "$conf/nginx.conf" -g 'daemon off;'
bench_nginx_conf() {
  local workers=$1 locations
  conf="$bench_dir/nginx"; mkdir -p "$conf/tmp" "$conf/html"
  head -c 2048 /dev/zero | tr '\0' 'a' >"$conf/html/file.html"
  locations=$(cat)
  cat >"$conf/nginx.conf" <<CONF
user root;
worker_processes $workers;
pid $conf/nginx.pid;
error_log $conf/error.log error;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $conf/tmp/body; proxy_temp_path $conf/tmp/proxy; fastcgi_temp_path $conf/tmp/fastcgi;
    server {
        listen 127.0.0.1:$port;
        root $conf/html;
$locations
    }
}
CONF
}

# start_nginx PORT SOCKET: nginx/example-site.conf with the shipped snippets.
start_nginx() {
  local port=$1 socket=$2 echo_port conf="$bench_dir/nginx"
  echo_port=$(free_port)
  mkdir -p "$conf/authkit" "$conf/tmp"
  cp nginx/authkit.conf nginx/authkit-check.conf nginx/authkit-protect.conf nginx/authkit-identity-proxy.conf "$conf/authkit/"
  sed "s|unix:/run/authkit-fcgi/authkit.sock|unix:$socket|" nginx/authkit-upstream.conf >"$conf/authkit/authkit-upstream.conf"
  cp /etc/nginx/fastcgi_params "$conf/"
  cp -r nginx/example-root "$conf/html"
  sed -e "s|/srv/authkit-example|$conf/html|" -e "s|127.0.0.1:8080|127.0.0.1:$port|" -e "s|127.0.0.1:8081|127.0.0.1:$echo_port|" \
    nginx/example-site.conf >"$conf/example-site.conf"
  cat >"$conf/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $conf/nginx.pid;
error_log $conf/error.log error;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $conf/tmp/body;
    proxy_temp_path $conf/tmp/proxy;
    fastcgi_temp_path $conf/tmp/fastcgi;
    include authkit/authkit-upstream.conf;
    include example-site.conf;
}
CONF
  nginx -p "$conf" -c "$conf/nginx.conf" -g 'daemon off;' &
  bench_pids+=($!)
  wait_port "$port"
}

# sign_in BASE [LOGIN_HINT]: prints a session cookie value for the user, signed in through the site.
sign_in() {
  local jar="$bench_dir/jar.$RANDOM$RANDOM"
  curl -s -o /dev/null -c "$jar" -b "$jar" -L "$1/auth/sign-in?return_to=%2F&login_hint=${2:-ada%40example.com}"
  awk '$6 == "wos-session" { print $7 }' "$jar"
}

# wrk_run URL COOKIE SECONDS CONNECTIONS: prints "req/s p50 p99".
wrk_run() {
  wrk -t2 -c"$4" -d"$3"s --latency -H "Cookie: wos-session=$2" -H "Accept: application/json" "$1" | awk '
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = $2 }
    /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $5 }
    END { printf "%s %s %s %s\n", rps, p50, p99, (bad == "" ? 0 : bad) }'
}
