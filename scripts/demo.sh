#!/usr/bin/env bash
# The demo: a site on http://localhost:8080 protected by authkit-fcgi, signing in through the
# local WorkOS stand-in (authkit-emulator, interactive sign-in page on 127.0.0.1:4100).
# Run as root on Debian; installs the Debian packages it needs (not the Swift toolchain: that
# must be on PATH or in /opt/swift). Needs 127.0.0.1:8080, 127.0.0.1:8081 (the example's
# upstream) and 127.0.0.1:4100 free. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the build and the demo need (libfcgi-bin: cgi-fcgi, the FastCGI probe below).
scripts/install-packages.sh pkg-config libfcgi-dev libfcgi-bin libssl-dev libcurl4-openssl-dev libhiredis-dev openssl curl nginx-light
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
if ! command -v swift >/dev/null; then
  echo "error: no Swift toolchain: swift is not on PATH nor in /opt/swift/usr/bin." >&2
  echo "  Install Swift 6.1 or later (tested with 6.3.1) from https://www.swift.org/install/linux/" >&2
  echo "  and put its usr/bin on PATH (or unpack it so that /opt/swift/usr/bin/swift exists)." >&2
  exit 1
fi

# The ports must be free: a probe below would otherwise be answered by someone else.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in 8080 8081 4100; do
  if port_in_use "$port"; then
    echo "error: 127.0.0.1:$port is already in use (another demo still running?); the demo needs 8080, 8081 and 4100" >&2
    exit 1
  fi
done

# Build progress: swift build prints "[n/m] Compiling …" as it goes. The first build compiles
# every dependency (swift-nio, hummingbird, …): minutes, see README.md; later ones take seconds.
stage() { echo; echo "== $1 ($(date +%H:%M:%S))"; }
stage "building authkit-fcgi (1/2)"
swift build --product authkit-fcgi
stage "building authkit-emulator (2/2)"
swift build --product authkit-emulator
bin=$(swift build --show-bin-path)

demo=$(pwd)/.build/demo
rm -rf "$demo" && mkdir -p "$demo/conf/authkit" "$demo/tmp"
pids=()
cleanup() {
  echo
  echo "== stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
# One cleanup, on the way out whatever the reason (Ctrl-C and SIGTERM exit through it).
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stage "starting"
# 1. The WorkOS stand-in, with its sign-in page.
"$bin/authkit-emulator" --host 127.0.0.1 --port 4100 --interactive >"$demo/emulator.log" 2>&1 &
pids+=($!); emulator_pid=$!

# 2. authkit-fcgi, configured as an authkit-nextjs app would be. The file holds the API key
#    and the cookie password: made 0600 before anything is written to it.
(umask 077 && cat >"$demo/env" <<ENV
WORKOS_CLIENT_ID=client_emulate
WORKOS_API_KEY=sk_test_default
WORKOS_COOKIE_PASSWORD=$(openssl rand -base64 24)
WORKOS_REDIRECT_URI=http://localhost:8080/auth/callback
WORKOS_API_HOSTNAME=127.0.0.1
WORKOS_API_PORT=4100
WORKOS_API_HTTPS=false
ENV
)
"$bin/authkit-fcgi" serve --env-file "$demo/env" --listen "unix:$demo/authkit.sock" 2>"$demo/authkit-fcgi.log" &
pids+=($!); authkit_pid=$!

# 3. nginx with the shipped snippets and the example site.
cp nginx/authkit.conf nginx/authkit-check.conf nginx/authkit-protect.conf nginx/authkit-identity-proxy.conf "$demo/conf/authkit/"
sed "s|unix:/run/authkit-fcgi/authkit.sock|unix:$demo/authkit.sock|" nginx/authkit-upstream.conf >"$demo/conf/authkit/authkit-upstream.conf"
cp /etc/nginx/fastcgi_params "$demo/conf/"
cp -r nginx/example-root "$demo/html"
sed "s|/srv/authkit-example|$demo/html|" nginx/example-site.conf >"$demo/conf/example-site.conf"
cat >"$demo/conf/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $demo/nginx.pid;
error_log $demo/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log $demo/nginx-access.log;
    client_body_temp_path $demo/tmp/body;
    proxy_temp_path $demo/tmp/proxy;
    fastcgi_temp_path $demo/tmp/fastcgi;
    include authkit/authkit-upstream.conf;
    include example-site.conf;
}
CONF
nginx -p "$demo" -c "$demo/conf/nginx.conf" -g 'daemon off;' 2>>"$demo/nginx-error.log" &
pids+=($!); nginx_pid=$!

# 4. Each must answer before the demo says it runs: the emulator's /health over HTTP,
#    authkit-fcgi's /auth/health over FastCGI on its socket, nginx's public page.
probe_emulator() { curl -fs --max-time 2 -o /dev/null http://127.0.0.1:4100/health; }
probe_authkit() {
  local answer
  answer=$(REQUEST_METHOD=GET REQUEST_URI=/auth/health SCRIPT_NAME=/auth/health CONTENT_LENGTH=0 \
    timeout 2 cgi-fcgi -bind -connect "$demo/authkit.sock" </dev/null 2>/dev/null) || return 1
  [[ $answer == "Status: 200"* ]]
}
probe_nginx() { curl -fs --max-time 2 -o /dev/null http://127.0.0.1:8080/; }
wait_for() { # name pid log probe
  local name=$1 pid=$2 log=$3 probe=$4 deadline=$((SECONDS + 20))
  until "$probe"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: $name exited at start-up; its log, $log:" >&2; tail -n 20 "$log" >&2; exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "error: $name did not answer within 20 s; its log, $log:" >&2; tail -n 20 "$log" >&2; exit 1
    fi
    sleep 0.2
  done
  echo "   $name answers"
}
wait_for "authkit-emulator (http://127.0.0.1:4100/health)" "$emulator_pid" "$demo/emulator.log" probe_emulator
wait_for "authkit-fcgi (FastCGI /auth/health on unix:$demo/authkit.sock)" "$authkit_pid" "$demo/authkit-fcgi.log" probe_authkit
wait_for "nginx (http://127.0.0.1:8080/)" "$nginx_pid" "$demo/nginx-error.log" probe_nginx

cat <<TEXT

  The demo is running.

    Open      http://localhost:8080/
    Then      "A page for signed-in users": you are sent to the emulator's sign-in page,
              pick a user, and come back signed in, with your name on the page.
    Admin     http://localhost:8080/admin/ needs role admin (Ada has it, Grace does not).
    Script    http://localhost:8080/protected/app.html: the same session read by authkit.js in
              the page (token refresh, the API with a bearer token, organization switch; sign in
              as Margaret to see the impersonation banner).
    Metrics   curl http://localhost:8080/auth/metrics
    Sign out  the button on the protected page.

  Logs: $demo/*.log    Ctrl-C stops everything.

TEXT
wait
