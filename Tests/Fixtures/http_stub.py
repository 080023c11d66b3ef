#!/usr/bin/env python3
"""A small HTTP/1.1 server on 127.0.0.1 for transport tests: real sockets, keep-alive.

Prints "listening PORT" on its first line. Paths:
  /echo            answers 200 with the request as JSON (method, path, headers in order, body)
  /status/N        answers status N with a JSON body (and Retry-After: 7 on 429/503)
  /slow/MS         waits MS milliseconds, then answers 200
  /close           closes the connection without answering
  /stats           answers {"connections": N}: connections accepted so far
"""
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

connections = 0
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        global connections
        with lock:
            connections += 1
        super().setup()

    def log_message(self, *args):
        pass

    def answer(self, status, payload, extra=()):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-ID", "req_test")
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = self.path.split("/")
        if self.path.startswith("/echo"):
            self.answer(200, {
                "method": self.command, "path": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body.decode("utf-8", "replace"),
            })
        elif self.path.startswith("/status/"):
            status = int(parts[2])
            extra = [("Retry-After", "7")] if status in (429, 503) else []
            self.answer(status, {"error": "test_error", "error_description": "status %d" % status}, extra)
        elif self.path.startswith("/slow/"):
            time.sleep(int(parts[2]) / 1000)
            self.answer(200, {"slept": int(parts[2])})
        elif self.path.startswith("/close"):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif self.path.startswith("/stats"):
            self.answer(200, {"connections": connections})
        else:
            self.answer(404, {"error": "not_found"})

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("listening", server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
# Stop when the test closes our stdin (or dies).
sys.stdin.read()
server.shutdown()
