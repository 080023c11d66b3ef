#!/usr/bin/env python3
"""Holds N stalled FastCGI connections open to one listener (bench/stalled.sh): a third idle, a
third that sent 5 bytes, a third that sent BEGIN_REQUEST and half the params. A connection the
server closes (its read deadline) is opened again at once, so N stay open. Loopback only.
Usage: stall-holder.py unix:/path.sock|tcp:PORT N READY_FILE  (runs until SIGTERM; prints how
many connections the server closed)."""
import selectors, signal, socket, struct, sys

target, count, ready_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def record(kind, content):
    padding = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBB", 1, kind, 1, len(content), padding, 0) + content + b"\0" * padding

def pair(name, value):
    return bytes([len(name), len(value)]) + name + value

params = b"".join(pair(n, v) for n, v in [(b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", b"/stalled"), (b"AUTHKIT_ACTION", b"check")])
request = record(1, struct.pack(">HB5x", 1, 0)) + record(4, params) + record(4, b"") + record(5, b"")
stalls = [b"", request[:5], request[:16 + (len(request) - 16) // 3]]

def connect(index):
    if target.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(target[5:])
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect(("127.0.0.1", int(target[4:])))
    if stalls[index % 3]:
        s.sendall(stalls[index % 3])
    s.setblocking(False)
    selector.register(s, selectors.EVENT_READ, index)

selector = selectors.DefaultSelector()
closed_by_server = 0
running = True
def stop(*_):
    global running
    running = False
signal.signal(signal.SIGTERM, stop)

for i in range(count):
    connect(i)
open(ready_file, "w").write("ready\n")
while running:
    for key, _ in selector.select(timeout=0.2):
        try:
            data = key.fileobj.recv(4096)
        except OSError:
            data = b""
        if not data:
            selector.unregister(key.fileobj)
            key.fileobj.close()
            closed_by_server += 1
            try:
                connect(key.data)
            except OSError:
                pass
print(closed_by_server)
