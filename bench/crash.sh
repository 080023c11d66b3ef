#!/usr/bin/env bash
# Does a crashed worker cost requests? (issue 26) authkit-fcgi serve --listen (the supervisor
# and its worker) on a unix socket, then on a loopback TCP port; 4 client threads send auth
# checks (FastCGI, no session: answered 401) back to back; part-way the worker gets SIGKILL
# (or the signal given; a SEGV sent by kill(2) is caught by the Swift runtime's backtracer,
# which prints a backtrace and lets the process go on, as there is no fault to repeat). Prints, for each socket: requests sent, failed (a connection error, a
# reset, or a status other than 2xx/3xx/401), failed among those sent after the crash, and the
# longest gap in ms with no answer completing.
# Usage: bench/crash.sh [signal, default KILL] [seconds after the crash, default 3]
# AUTHKIT_BIN=path/to/authkit-fcgi skips the release build; AUTHKIT_SERVE_ARGS=--no-supervisor
# shows the single process for comparison (its socket dies with it).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
signal=${1:-KILL}
after=${2:-3}
if [ -n "${AUTHKIT_BIN:-}" ]; then binary=$AUTHKIT_BIN; else build_release; binary="$bin/authkit-fcgi"; fi

cat >"$bench_dir/authkit.env" <<ENV
WORKOS_CLIENT_ID=client_bench
WORKOS_API_KEY=sk_test_bench
WORKOS_COOKIE_PASSWORD=this-is-a-32-character-password!
WORKOS_REDIRECT_URI=http://127.0.0.1:8080/auth/callback
WORKOS_API_HOSTNAME=127.0.0.1
WORKOS_API_PORT=9
WORKOS_API_HTTPS=false
ENV

# run_one LISTEN: starts serve, loads it, crashes the worker, prints one line.
run_one() {
  local listen=$1 log="$bench_dir/serve.$RANDOM.log"
  "$binary" serve --env-file "$bench_dir/authkit.env" --listen "$listen" --log-level info ${AUTHKIT_SERVE_ARGS:-} 2>"$log" &
  local parent=$!
  bench_pids+=("$parent")
  python3 - "$listen" "$parent" "$signal" "$after" <<'PY'
import os, signal, socket, struct, sys, threading, time
listen, parent, sig, after = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])

def record(kind, content, rid=1):
    return struct.pack(">BBHHBB", 1, kind, rid, len(content), 0, 0) + content

def pair(name, value):
    n, v = name.encode(), value.encode()
    return bytes([len(n), len(v)]) + n + v

params = b"".join(pair(k, v) for k, v in [("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/private/page"),
    ("AUTHKIT_ACTION", "check"), ("AUTHKIT_SERVED_PATH", "/private/page"), ("HTTP_ACCEPT", "text/html")])
request = record(1, struct.pack(">HB5x", 1, 0)) + record(4, params) + record(4, b"") + record(5, b"")

def connect():
    if listen.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(listen[5:])
    else:
        host, port = listen.rsplit(":", 1)
        s = socket.socket(); s.settimeout(10); s.connect((host, int(port)))
    return s

def check():
    try:
        s = connect()
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(16384)
            if not chunk: break
            data += chunk
        s.close()
        out, at = b"", 0
        while at + 8 <= len(data):
            _, kind, _, length, padding, _ = struct.unpack(">BBHHBB", data[at:at + 8])
            if kind == 6: out += data[at + 8:at + 8 + length]
            at += 8 + length + padding
        if not out.startswith(b"Status: "): return False
        code = int(out[8:11])
        return 200 <= code < 400 or code == 401
    except OSError:
        return False

def children():
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try: stat = open(f"/proc/{entry}/stat").read()
            except OSError: continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z" and int(fields[1]) == parent: found.append(int(entry))
    return found

deadline = time.time() + 15
while time.time() < deadline and not check(): time.sleep(0.05)
worker = (children() or [parent])[0]
samples, lock, crash_at = [], threading.Lock(), time.monotonic() + 1.0
end = crash_at + after
def client():
    while time.monotonic() < end:
        started = time.monotonic(); ok = check(); finished = time.monotonic()
        with lock: samples.append((started, finished, ok))
threads = [threading.Thread(target=client) for _ in range(4)]
for t in threads: t.start()
time.sleep(max(0, crash_at - time.monotonic()))
crash_at = time.monotonic()
os.kill(worker, getattr(signal, "SIG" + sig))
for t in threads: t.join()
failed = [s for s in samples if not s[2]]
after_crash = [s for s in failed if s[0] > crash_at]
# The end of the run counts: a socket that never answers again has a gap up to it.
ends = sorted(s[1] for s in samples if s[2]) + [max(s[1] for s in samples)]
gap = max((b - a for a, b in zip(ends, ends[1:])), default=0)
replaced = [c for c in children() if c != worker]
print(f"{listen:<40} sent {len(samples):6d}  failed {len(failed):4d}  failed after the crash {len(after_crash):4d}  "
      f"gap {gap * 1000:7.1f} ms  worker {worker} -> {replaced[0] if replaced else 'none'}")
PY
  kill "$parent" 2>/dev/null || true
  wait "$parent" 2>/dev/null || true
  grep -E "killed by signal|exited with" "$log" | sed 's/^/    /' || true
}

run_one "unix:$bench_dir/authkit.sock"
run_one "127.0.0.1:$(free_port)"
