#!/usr/bin/env bash
# The demo: a site on http://localhost:8080 protected by authkit-fcgi, signing in through the
# local WorkOS stand-in (authkit-emulator, interactive sign-in page on 127.0.0.1:4100).
# Run as root on Debian; installs what it needs. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the build and the tests need.
scripts/install-packages.sh pkg-config libfcgi-dev libssl-dev libcurl4-openssl-dev openssl nginx-light
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"

echo "== building (the first build takes a few minutes)"
swift build --product authkit-fcgi >/dev/null 2>&1 || swift build --product authkit-fcgi
swift build --product authkit-emulator >/dev/null 2>&1 || swift build --product authkit-emulator
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
trap cleanup EXIT INT TERM

# 1. The WorkOS stand-in, with its sign-in page.
"$bin/authkit-emulator" --host 127.0.0.1 --port 4100 --interactive >"$demo/emulator.log" 2>&1 &
pids+=($!)

# 2. authkit-fcgi, configured as an authkit-nextjs app would be.
cat >"$demo/env" <<ENV
WORKOS_CLIENT_ID=client_emulate
WORKOS_API_KEY=sk_test_default
WORKOS_COOKIE_PASSWORD=$(openssl rand -base64 24)
WORKOS_REDIRECT_URI=http://localhost:8080/auth/callback
WORKOS_API_HOSTNAME=127.0.0.1
WORKOS_API_PORT=4100
WORKOS_API_HTTPS=false
ENV
"$bin/authkit-fcgi" serve --env-file "$demo/env" --listen "unix:$demo/authkit.sock" &
pids+=($!)

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
nginx -p "$demo" -c "$demo/conf/nginx.conf" -g 'daemon off;' &
pids+=($!)

sleep 1
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
