#!/usr/bin/env python3
"""tests/s3/faultproxy.py: an HTTP proxy on 127.0.0.1 that stands between
kiln and the test S3 server and misbehaves on purpose, for a share of the
requests: drops the connection before answering or in the middle of the
body, answers 503 SlowDown or 500 InternalError, or waits before answering.
Standard library only. Faults are drawn from a seeded generator, and every
decision is counted in --stats (JSON) so that a test can check faults really
happened.

  faultproxy.py --listen 0 --port-file F --upstream 17480 [--drop 0.1]
      [--cut 0.1] [--e503 0.1] [--e500 0.1] [--delay 0.1 --delay-secs 2]
      [--match TEXT --match-status 500] [--expired] [--seed 1] [--stats F]

--match applies --match-status to every request whose request line
contains TEXT (and leaves the others alone); --expired answers every request
with 400 ExpiredToken. The proxy runs until SIGTERM/SIGINT.
"""
import argparse
import json
import os
import random
import signal
import socket
import socketserver
import sys
import threading
import time

ERR = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
       '<Message>{msg}</Message><RequestId>faultproxy</RequestId></Error>')


class State:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.stats = {"requests": 0, "forwarded": 0, "drop": 0, "cut": 0,
                      "e503": 0, "e500": 0, "delay": 0, "match": 0,
                      "expired": 0}

    def count(self, what):
        with self.lock:
            self.stats[what] += 1
            if self.args.stats:
                tmp = self.args.stats + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(self.stats, f)
                os.replace(tmp, self.args.stats)

    def draw(self):
        """The fault for the next request, or None."""
        a = self.args
        with self.lock:
            x = self.rng.random()
        for name, share in (("drop", a.drop), ("cut", a.cut),
                            ("e503", a.e503), ("e500", a.e500),
                            ("delay", a.delay)):
            if x < share:
                return name
            x -= share
        return None


def read_request(rf, wf):
    """(request line, header lines, body) or None at EOF. Answers an
    `Expect: 100-continue` itself, as a proxy must, and drops the header."""
    line = rf.readline(65536)
    if not line:
        return None
    while line in (b"\r\n", b"\n"):
        line = rf.readline(65536)
        if not line:
            return None
    headers = []
    length = 0
    expect = False
    while True:
        h = rf.readline(65536)
        if not h or h in (b"\r\n", b"\n"):
            break
        name, _, value = h.partition(b":")
        name = name.strip().lower()
        if name == b"expect":
            expect = value.strip().lower() == b"100-continue"
            continue
        headers.append(h)
        if name == b"content-length":
            length = int(value.strip())
    if expect and length:
        wf.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        wf.flush()
    body = rf.read(length) if length else b""
    return line, headers, body


def respond(wf, status, reason, code, msg, close=False):
    body = ERR.format(code=code, msg=msg).encode()
    head = ("HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\n"
            "Content-Length: %d\r\n%s\r\n" %
            (status, reason, len(body), "Connection: close\r\n" if close
             else ""))
    wf.write(head.encode() + body)
    wf.flush()


def forward(state, line, headers, body):
    """Send the request upstream with Connection: close; the raw answer."""
    up = socket.create_connection(("127.0.0.1", state.args.upstream),
                                  timeout=60)
    try:
        out = [line]
        for h in headers:
            if h.split(b":", 1)[0].strip().lower() not in (b"connection",
                                                           b"keep-alive"):
                out.append(h)
        out.append(b"Connection: close\r\n\r\n")
        up.sendall(b"".join(out) + body)
        chunks = []
        while True:
            c = up.recv(262144)
            if not c:
                break
            chunks.append(c)
        return b"".join(chunks)
    finally:
        up.close()


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        try:
            while self.one():
                pass
        except (OSError, ValueError):
            pass  # the client went away (it gave up waiting): fine

    def one(self):
        """Serve one request; True to keep the connection."""
        st = self.server.state
        a = st.args
        req = read_request(self.rfile, self.wfile)
        if req is None:
            return False
        line, headers, body = req
        st.count("requests")
        if a.expired:
            st.count("expired")
            respond(self.wfile, 400, "Bad Request", "ExpiredToken",
                    "The provided token has expired.")
            return True
        fault = None
        if a.match:
            if a.match.encode() in line:
                st.count("match")
                respond(self.wfile, a.match_status, "Injected",
                        "InternalError" if a.match_status >= 500
                        else "AccessDenied", "injected by faultproxy")
                return True
        else:
            fault = st.draw()
        if fault == "drop":
            st.count("drop")
            return False  # close without a word
        if fault in ("e503", "e500"):
            st.count(fault)
            if fault == "e503":
                respond(self.wfile, 503, "Slow Down", "SlowDown",
                        "Please reduce your request rate.")
            else:
                respond(self.wfile, 500, "Internal Server Error",
                        "InternalError", "We encountered an internal error.")
            return True
        if fault == "delay":
            st.count("delay")
            time.sleep(a.delay_secs)
        answer = forward(st, line, headers, body)
        if fault == "cut":
            st.count("cut")
            # the headers and half of the body, then nothing
            end = answer.find(b"\r\n\r\n")
            keep = end + 4 + (len(answer) - end - 4) // 2 if end >= 0 \
                else len(answer) // 2
            self.wfile.write(answer[:keep])
            self.wfile.flush()
            return False
        st.count("forwarded")
        self.wfile.write(answer)
        self.wfile.flush()
        return False  # upstream answered with Connection: close


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--listen", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--upstream", type=int, required=True)
    for f in ("drop", "cut", "e503", "e500", "delay"):
        p.add_argument("--" + f, type=float, default=0.0)
    p.add_argument("--delay-secs", type=float, default=2.0)
    p.add_argument("--match")
    p.add_argument("--match-status", type=int, default=500)
    p.add_argument("--expired", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--stats")
    args = p.parse_args()

    srv = Server(("127.0.0.1", args.listen), Handler)
    srv.state = State(args)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(args.port_file + ".tmp", args.port_file)

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
