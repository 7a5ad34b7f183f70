#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for the uplink tests: forwards to the hub
but, for a share of requests, answers 500, stalls past the client's
timeout, or resets the connection -- before or after the hub got the
body. Usage: faulty_proxy.py UPSTREAM_PORT PORT_FILE SEED"""
import http.client, random, socket, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

upstream = int(sys.argv[1])
rng = random.Random(int(sys.argv[3]))
lock = threading.Lock()


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            fate = rng.random()
        if fate < 0.15:
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if fate < 0.25:
            return self.reset()
        if fate < 0.30:
            time.sleep(3)  # past the client's timeout
            return self.reset()
        c = http.client.HTTPConnection("127.0.0.1", upstream, timeout=30)
        c.request("POST", self.path, body, {"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        if fate < 0.40:
            return self.reset()  # the hub stored it; the answer is lost
        self.send_response(r.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


srv = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(sys.argv[2], "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
