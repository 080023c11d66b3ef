#!/usr/bin/env python3
"""Paced checks with sessions that need a refresh, for bench/workos-hang.sh (not a test).

Usage: refresh-load.py URL PERIOD_MS OUT COOKIE...
One thread per cookie sends a check (Cookie: wos-session=...) every PERIOD_MS (the next one
when the answer is late), never updating the cookie, until SIGTERM. OUT gets one line per
answer, "<status> <milliseconds>" (rewritten twice a second). Paced rather than as fast as
possible: the offered load is the same whether authkit-fcgi answers at once or after a
refresh timeout.
"""
import http.client
import os
import signal
import sys
import threading
import time
import urllib.parse

url, period, out, cookies = sys.argv[1], int(sys.argv[2]) / 1000.0, sys.argv[3], sys.argv[4:]
target = urllib.parse.urlsplit(url)
stop = threading.Event()
answers = []
lock = threading.Lock()


def client(cookie):
    connection = None
    while not stop.is_set():
        started = time.monotonic()
        status = "error"
        try:
            if connection is None:
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            connection.request("GET", target.path, headers={"Cookie": "wos-session=" + cookie, "Accept": "application/json"})
            response = connection.getresponse()
            response.read()
            status = str(response.status)
        except Exception:
            connection = None
        with lock:
            answers.append("%s %.1f\n" % (status, (time.monotonic() - started) * 1000))
        stop.wait(max(0.0, period - (time.monotonic() - started)))


signal.signal(signal.SIGTERM, lambda *_: stop.set())
threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in cookies]
for t in threads:
    t.start()


def write_counts():
    with lock:
        lines = "".join(answers)
    with open(out + ".tmp", "w") as f:
        f.write(lines)
    os.replace(out + ".tmp", out)


# Written as it goes: the figures survive however the script is stopped.
while not stop.is_set():
    stop.wait(0.5)
    write_counts()
