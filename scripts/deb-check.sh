#!/usr/bin/env bash
# The Debian package, end to end: builds it (scripts/build-deb.sh), installs it with dpkg -i,
# checks it from the installed paths, runs the installed binary socket-activated and asks it
# over FastCGI, then purges the package so the machine is as before. Prints "deb-check: ok".
# Run as root. Checks:
#   - /usr/bin/authkit-fcgi --version prints the version of Sources/AuthKitCore/Version.swift
#   - check-config --env-file <valid settings> exits 0 and never prints the API key's secret
#   - /etc/authkit-fcgi/authkit.env is mode 0640 and a conffile
#   - systemd-analyze verify passes on the installed units
#   - man -w authkit-fcgi finds the page
#   - systemd-socket-activate + cgi-fcgi: /auth/health answers 200, a check without a cookie 401,
#     /auth/metrics (from loopback) Prometheus text; SIGTERM stops it with status 0
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

fail() {
  echo "deb-check: FAILED: $*" >&2
  exit 1
}

# systemd: systemd-analyze and systemd-socket-activate; man-db: man -w; libfcgi-bin: cgi-fcgi;
# python3: a free port.
scripts/install-packages.sh systemd man-db libfcgi-bin python3

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if dpkg-query -W -f='${Status}' authkit-fcgi 2>/dev/null | grep -q "install ok"; then
    dpkg --purge authkit-fcgi >/dev/null 2>&1 || echo "deb-check: could not purge authkit-fcgi" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The package. (A package left installed by an interrupted run is replaced, and purged at the end.)
if ! scripts/build-deb.sh > "$work/build.txt" 2>&1; then
  cat "$work/build.txt" >&2
  fail "scripts/build-deb.sh failed"
fi
grep '^build-deb:' "$work/build.txt" || true
deb=$(tail -n 1 "$work/build.txt")
[ -f "$deb" ] || fail "build-deb.sh printed no package path (got: $deb)"
version=$(dpkg-deb -f "$deb" Version)
expected=$(sed -n 's/.*static let string = "\([^"]*\)".*/\1/p' Sources/AuthKitCore/Version.swift)
[ "$version" = "$expected" ] || fail "package version $version, Version.swift says $expected"

# Install: the runtime libraries it depends on first (dpkg -i does not fetch them), then the package.
# shellcheck disable=SC2046 # one package name per word
scripts/install-packages.sh $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/(.*)//' -e 's/|.*//' -e 's/[[:space:]]//g')
if ! dpkg -i "$deb" > "$work/dpkg.txt" 2>&1; then
  cat "$work/dpkg.txt" >&2
  fail "dpkg -i $deb"
fi
echo "deb-check: installed $(basename "$deb") ($(dpkg-query -W -f='${Installed-Size}' authkit-fcgi) KiB)"

# --version
got=$(/usr/bin/authkit-fcgi --version) || fail "authkit-fcgi --version exited $?"
[ "$got" = "$version" ] || fail "authkit-fcgi --version printed '$got', expected '$version'"

# The binary needs nothing outside Debian's packages (no Swift toolchain).
if ldd /usr/bin/authkit-fcgi | grep -e 'not found' -e /opt/swift; then
  fail "the installed binary needs libraries that are not installed (above)"
fi

# check-config with valid settings: exit 0, the key masked, the password never shown.
key_secret="debcheck$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
password="debcheck-password-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/authkit.env" <<EOF
WORKOS_CLIENT_ID=client_debcheck
WORKOS_API_KEY=sk_test_$key_secret
WORKOS_COOKIE_PASSWORD=$password
WORKOS_REDIRECT_URI=http://127.0.0.1:$port/auth/callback
# Never reached: nothing here calls WorkOS.
WORKOS_API_HOSTNAME=127.0.0.1
WORKOS_API_PORT=9
WORKOS_API_HTTPS=false
EOF
# A clean environment: WORKOS_* variables of the caller would win over the file.
clean_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
if ! "${clean_env[@]}" /usr/bin/authkit-fcgi check-config --env-file "$work/authkit.env" > "$work/check-config.txt" 2>&1; then
  cat "$work/check-config.txt" >&2
  fail "check-config --env-file with valid settings did not exit 0"
fi
grep '^WORKOS_API_KEY' "$work/check-config.txt" | grep -q 'sk_test_' \
  || { cat "$work/check-config.txt" >&2; fail "check-config printed no masked WORKOS_API_KEY (sk_test_…)"; }
if grep -q -e "$key_secret" -e "$password" "$work/check-config.txt"; then
  fail "check-config printed a secret (the API key's secret part or the cookie password)"
fi
# The shipped template is refused until filled in, with exit status 78.
status=0
"${clean_env[@]}" /usr/bin/authkit-fcgi check-config --env-file /etc/authkit-fcgi/authkit.env > "$work/template.txt" 2>&1 || status=$?
[ "$status" = 78 ] || { cat "$work/template.txt" >&2; fail "check-config on the unfilled template exited $status, expected 78"; }
echo "deb-check: --version, check-config (key masked; template refused with 78)"

# The conffile.
mode=$(stat -c '%a %U:%G' /etc/authkit-fcgi/authkit.env)
[ "$mode" = "640 root:root" ] || fail "/etc/authkit-fcgi/authkit.env is $mode, expected 640 root:root"
dpkg-query -W --showformat='${Conffiles}\n' authkit-fcgi | grep -q '^ /etc/authkit-fcgi/authkit.env ' \
  || fail "/etc/authkit-fcgi/authkit.env is not listed in the package's conffiles"

# The units. (systemd need not be running: verify reads the files.)
if ! systemd-analyze verify --man=no /lib/systemd/system/authkit-fcgi.socket /lib/systemd/system/authkit-fcgi.service > "$work/verify.txt" 2>&1; then
  cat "$work/verify.txt" >&2
  fail "systemd-analyze verify on the installed units"
fi
[ -s "$work/verify.txt" ] && { cat "$work/verify.txt"; fail "systemd-analyze verify printed warnings (above)"; }

# The man page.
page=$(man -w authkit-fcgi 2>/dev/null) || fail "man -w authkit-fcgi found no page"
[ "$page" = /usr/share/man/man8/authkit-fcgi.8.gz ] || fail "man -w authkit-fcgi found $page"
echo "deb-check: conffile 0640, systemd-analyze verify, man page"

# Socket activation: systemd-socket-activate listens, starts the installed binary on the first
# connection with the socket as fd 3 (LISTEN_FDS=1, LISTEN_PID), as authkit-fcgi.socket does.
mkdir -m 0700 "$work/cache"
"${clean_env[@]}" systemd-socket-activate --listen="127.0.0.1:$port" -E "AUTHKIT_CACHE_DIR=$work/cache" \
  /usr/bin/authkit-fcgi serve --env-file "$work/authkit.env" --workers 2 > "$work/serve.log" 2>&1 &
server_pid=$!
# fastcgi REQUEST_URI [NAME=VALUE...]: one request through cgi-fcgi; prints the answer.
fastcgi() {
  local uri=$1
  shift
  env -i REQUEST_METHOD=GET REQUEST_URI="$uri" SCRIPT_NAME="${uri%%\?*}" QUERY_STRING="" \
    SERVER_NAME=127.0.0.1 SERVER_PORT="$port" SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 \
    REMOTE_ADDR=127.0.0.1 "$@" cgi-fcgi -bind -connect "127.0.0.1:$port"
}
listening=0
for _ in $(seq 1 50); do
  if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2).close()" 2>/dev/null; then
    listening=1
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ "$listening" = 1 ] || { cat "$work/serve.log" >&2; fail "systemd-socket-activate is not listening on 127.0.0.1:$port"; }

# status_of ANSWER: the number on its Status line.
status_of() { sed -n 's/^Status: \([0-9]*\).*/\1/p' <<<"$1" | head -n 1; }

answer=$(fastcgi /auth/health) || true
[ "$(status_of "$answer")" = 200 ] || { printf '%s\n' "$answer" "--- log:" >&2; cat "$work/serve.log" >&2; fail "/auth/health did not answer 200 through the inherited socket"; }
grep -q '"status":"ok"' <<<"$answer" || fail "/auth/health answered: $answer"
grep -q 'msg=serving' "$work/serve.log" || { cat "$work/serve.log" >&2; fail "no 'serving' line in the log"; }
grep -q 'inherited fd 3' "$work/serve.log" || { cat "$work/serve.log" >&2; fail "the server did not serve the inherited socket (see its log above)"; }

# AUTHKIT_SERVED_PATH as nginx's authkit-protect.conf sends it: without it a check is denied (500).
answer=$(fastcgi /docs/ AUTHKIT_ACTION=check AUTHKIT_SERVED_PATH=/docs/ HTTP_ACCEPT=text/html HTTP_SEC_FETCH_MODE=navigate) || true
[ "$(status_of "$answer")" = 401 ] || { printf '%s\n' "$answer" >&2; fail "a check without a session cookie did not answer 401"; }

answer=$(fastcgi /auth/metrics) || true
[ "$(status_of "$answer")" = 200 ] || { printf '%s\n' "$answer" >&2; fail "/auth/metrics from loopback did not answer 200"; }
grep -q '^authkit_checks_total' <<<"$answer" || { printf '%s\n' "$answer" >&2; fail "/auth/metrics has no authkit_checks_total"; }

# SIGTERM: finish, exit 0.
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[ "$status" = 0 ] || { cat "$work/serve.log" >&2; fail "authkit-fcgi exited $status after SIGTERM, expected 0"; }
grep -q 'msg=stopped' "$work/serve.log" || { cat "$work/serve.log" >&2; fail "no 'stopped' line after SIGTERM"; }
echo "deb-check: socket-activated serve (health 200, check 401, metrics 200, SIGTERM exit 0)"

# Purge: nothing of the package may remain.
dpkg --purge authkit-fcgi > "$work/purge.txt" 2>&1 || { cat "$work/purge.txt" >&2; fail "dpkg --purge authkit-fcgi"; }
for path in /usr/bin/authkit-fcgi /etc/authkit-fcgi /lib/systemd/system/authkit-fcgi.socket /usr/share/authkit-fcgi; do
  [ ! -e "$path" ] || fail "$path remains after dpkg --purge"
done

echo "deb-check: ok ($(( $(date +%s) - started )) s)"
