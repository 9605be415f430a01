#!/usr/bin/env python3
"""flame_browser.py: opens kiln's flame graphs in headless Chromium and
checks what a person would see, through the DevTools protocol (a small
WebSocket client written here on the standard library only).

  flame_browser.py WORKDIR FILE::FOLDED::REGEX...

Starts `chromium --headless --no-sandbox --disable-gpu` itself (its own
profile directory, DevTools on 127.0.0.1, a proxy that goes nowhere: no
network), and for each FILE (an SVG or HTML page of the selection whose
folded stacks are FOLDED, drawn with --min-frame 0; REGEX to search for):
  - the widest frame (largest value below the root, computed here from
    FOLDED) is drawn with its name in full;
  - a mouse click (Input.dispatchMouseEvent at the frame's centre) on a
    frame below it zooms: that frame then spans the full width, frames
    outside its subtree are gone; "Reset zoom" brings the first view back;
  - search for a regular expression marks the frames and shows the share
    that FOLDED gives: the stacks holding a matching frame, of the total.
Prints TAP lines; stops Chromium by its PID (process group) at the end."""
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

FAILS = 0
N = 0


def tap(ok, what):
    global FAILS, N
    N += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", N, what))
    if not ok:
        FAILS += 1
    sys.stdout.flush()


# ---- WebSocket (RFC 6455), client side ----

class WebSocket:
    def __init__(self, host, port, path):
        self.s = socket.create_connection((host, port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n" % (path, host, port, key))
        self.s.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(1)
            if not chunk:
                raise IOError("websocket: connection closed during handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise IOError("websocket: handshake refused: %r" % head[:200])

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise IOError("websocket: connection closed")
            buf += chunk
        return buf

    def send(self, text):
        data = text.encode()
        head = bytes([0x81])
        n = len(data)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.s.sendall(head + mask + body)

    def recv(self):
        msg = b""
        while True:
            b0, b1 = self._read(2)
            op, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if op == 0x8:
                raise IOError("websocket: closed by the browser")
            if op == 0x9:  # ping: answer, keep reading
                self.s.sendall(bytes([0x8A, 0x80 | len(data)]) + b"\0\0\0\0" +
                               data)
                continue
            msg += data
            if b0 & 0x80:
                return msg.decode()


class DevTools:
    def __init__(self, ws):
        self.ws = ws
        self.next = 0
        self.events = []
        self.session = None

    def call(self, method, **params):
        self.next += 1
        m = {"id": self.next, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            m["sessionId"] = self.session
        self.ws.send(json.dumps(m))
        while True:
            r = json.loads(self.ws.recv())
            if r.get("id") == self.next:
                if "error" in r:
                    raise IOError("%s: %s" % (method, r["error"]))
                return r.get("result", {})
            self.events.append(r)

    def wait_event(self, name, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    del self.events[i]
                    return e
            self.events.append(json.loads(self.ws.recv()))
        raise IOError("no %s within %ds" % (name, timeout))

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise IOError("page script: %s" % json.dumps(r["exceptionDetails"])[:300])
        return r["result"].get("value")


def start_chromium(work):
    exe = shutil.which("chromium")
    if not exe:
        return None, "chromium missing (scripts/lib.sh installs it)"
    prof = os.path.join(work, "chromium-profile")
    os.makedirs(prof, exist_ok=True)
    args = [exe, "--headless", "--no-sandbox", "--disable-gpu",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", "--user-data-dir=" + prof,
            "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking",
            "--disable-sync", "--disable-component-update",
            "--disable-default-apps", "--proxy-server=127.0.0.1:9",
            "--window-size=1280,1000", "about:blank"]
    log = open(os.path.join(work, "chromium.log"), "w")
    p = subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True)
    port_file = os.path.join(prof, "DevToolsActivePort")
    end = time.time() + 60
    while time.time() < end:
        if p.poll() is not None:
            return None, "chromium exited with %d (log: %s)" % (
                p.returncode, open(log.name).read()[-300:])
        if os.path.exists(port_file):
            lines = open(port_file).read().split("\n")
            if len(lines) >= 2 and lines[1]:
                return (p, int(lines[0]), lines[1]), None
        time.sleep(0.1)
    stop(p)
    return None, "chromium gave no DevTools port within 60 s"


def stop(p):
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def folded_tree(path):
    """Cumulative value per frame path (tuple), and the total."""
    cum, total = {}, 0
    for line in open(path, encoding="utf-8", errors="surrogateescape"):
        stack, v = line.rstrip("\n").rsplit(" ", 1)
        v = int(v)
        total += v
        fr = stack.split(";")
        for d in range(1, len(fr) + 1):
            cum[tuple(fr[:d])] = cum.get(tuple(fr[:d]), 0) + v
    return cum, total


def share(path, regex):
    r = re.compile(regex)
    tot = hit = 0
    for line in open(path, encoding="utf-8", errors="surrogateescape"):
        stack, v = line.rstrip("\n").rsplit(" ", 1)
        tot += int(v)
        if any(r.search(f) for f in stack.split(";")):
            hit += int(v)
    return 100.0 * hit / tot


# The drawn frames: index, name drawn, rect geometry, fill.
FRAMES_JS = """(() => Array.from(document.querySelectorAll('g.f')).map(g => {
  const r = g.querySelector('rect'), t = g.querySelector('text'),
        b = r.getBoundingClientRect();
  return {i: +g.getAttribute('data-i'), name: kf.name(+g.getAttribute('data-i')),
          text: t ? t.textContent : '', x: +r.getAttribute('x'),
          w: +r.getAttribute('width'), fill: r.getAttribute('fill'),
          dim: g.getAttribute('class').indexOf('dim') >= 0,
          cx: b.left + b.width / 2, cy: b.top + b.height / 2};
}))()"""


def click(dt, x, y):
    for t in ("mouseMoved", "mousePressed", "mouseReleased"):
        dt.call("Input.dispatchMouseEvent", type=t, x=x, y=y, button="left",
                clickCount=1)


def check_file(dt, path, folded, regex):
    name = os.path.basename(path)
    dt.events = []
    dt.call("Page.navigate", url="file://" + os.path.abspath(path))
    dt.wait_event("Page.loadEventFired")
    n = dt.eval("typeof kf === 'object' ? kf.frames : -1")
    tap(isinstance(n, int) and n > 1, "%s: the page's script ran (%s frames)"
        % (name, n))
    if not isinstance(n, int) or n <= 1:
        return
    full = dt.eval("kf.width")
    cum, total = folded_tree(folded)
    widest = max(cum.items(), key=lambda kv: (kv[1], -len(kv[0])))
    frames = dt.eval(FRAMES_JS)
    drawn = [f for f in frames if f["i"] != 0]
    top = max(drawn, key=lambda f: f["w"])
    want_w = full * widest[1] / total
    tap(top["text"] == widest[0][-1] and abs(top["w"] - want_w) < 0.11,
        "%s: the widest frame is %r, its name drawn in full (%r, %.1f of %s px)"
        % (name, widest[0][-1], top["text"], top["w"], full))

    # Click a frame two levels under the widest one, the widest such.
    deeper = [f for f in drawn if f["w"] < top["w"] and f["w"] > 20 and
              not f["dim"]]
    target = max(deeper, key=lambda f: (f["w"], -f["i"])) if deeper else top
    click(dt, target["cx"], target["cy"])
    after = dt.eval(FRAMES_JS)
    z = [f for f in after if f["i"] == target["i"]]
    ok = bool(z) and abs(z[0]["w"] - full) < 0.11 and abs(z[0]["x"] - 10) < 0.11
    outside = [f for f in after if not f["dim"] and f["i"] < target["i"]]
    tap(ok and not outside,
        "%s: a click on %r zooms: it spans the full width (%s of %s px), "
        "nothing outside its subtree drawn" % (
            name, target["name"], z[0]["w"] if z else None, full))
    reset = dt.eval("(() => { const r = document.getElementById('kf-reset');"
                    " const b = r.getBoundingClientRect();"
                    " return [r.getAttribute('visibility'), b.left + b.width / 2,"
                    " b.top + b.height / 2]; })()")
    click(dt, reset[1], reset[2])
    back = dt.eval(FRAMES_JS)
    tb = [f for f in back if f["i"] == target["i"]]
    tap(reset[0] == "visible" and tb and abs(tb[0]["w"] - target["w"]) < 0.11,
        "%s: \"Reset zoom\" (shown while zoomed) draws the first view again"
        % name)

    want = share(folded, regex)
    got = dt.eval("kf.search(%s)" % json.dumps(regex))
    shown = dt.eval("document.getElementById('kf-matched').textContent")
    marked = dt.eval("document.querySelectorAll('rect[fill=\"rgb(230,0,230)\"]').length")
    tap(abs(got - want) < 1e-9 and shown.startswith("Matched: %.2f%%" % want)
        and marked > 0,
        "%s: search /%s/ marks %d frames and shows %r (the folded stacks "
        "give %.4f%%)" % (name, regex, marked, shown, want))


def main():
    work, files = sys.argv[1], sys.argv[2:]
    started, err = start_chromium(work)
    if err:
        tap(False, err)
        return 1
    proc, port, path = started
    tap(True, "chromium started (pid %d, DevTools on 127.0.0.1:%d)"
        % (proc.pid, port))
    try:
        dt = DevTools(WebSocket("127.0.0.1", port, path))
        t = dt.call("Target.createTarget", url="about:blank")
        s = dt.call("Target.attachToTarget", targetId=t["targetId"],
                    flatten=True)
        dt.session = s["sessionId"]
        dt.call("Page.enable")
        dt.call("Runtime.enable")
        for spec in files:
            f, fold, regex = spec.split("::")
            check_file(dt, f, fold, regex)
    except (IOError, OSError, ValueError, KeyError, TypeError) as e:
        tap(False, "DevTools session: %s" % e)
    finally:
        stop(proc)
    gone = proc.poll() is not None
    tap(gone, "chromium stopped by its pid (exit %s)" % proc.returncode)
    print("1..%d" % N)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
