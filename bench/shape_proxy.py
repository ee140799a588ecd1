"""shape_proxy.py - a loopback HTTP proxy whose link follows a bandwidth trace,
for real-time live players (bench/live_latency.sh).

    python3 shape_proxy.py --origin http://127.0.0.1:PORT --trace FILE --port-file F
                           [--rtt-ms 80] [--payload 0.95] [--log FILE]

The link is the one `svtrace emulate` models (player/emulate/transport_trace.c),
on the wall clock instead of a virtual one: each request waits one RTT, then
its body flows at payload x the trace's bandwidth (a Pensieve-format trace,
`time_s<TAB>Mbps`: the interval that ends at time_s[i] has mbps[i]; the trace
wraps), the transfers in flight sharing the link in the order their bytes come
(one queue of 16 kB slices). A body still being written by the origin (a
chunked live segment, a held blocking reload) is passed on as it comes, so
waiting for the origin costs no link time. The answer carries the origin's
status and Content-Type; a body without Content-Length is delimited by the
connection's close (HTTP/1.0). Python's http.server and http.client do the
HTTP. Binds 127.0.0.1 only, on an ephemeral port written to --port-file.
"""
import argparse
import http.client
import http.server
import json
import os
import threading
import time
import urllib.parse

SLICE = 16384


class Link:
    def __init__(self, path, payload, rtt):
        self.t, self.bps = [], []
        for line in open(path):
            f = line.split()
            if len(f) >= 2:
                self.t.append(float(f[0]))
                self.bps.append(float(f[1]) * 1e6 / 8 * payload)
        if len(self.t) < 2:
            raise SystemExit("shape_proxy: %s: fewer than two trace points" % path)
        self.period = self.t[-1] - self.t[0]
        self.rtt = rtt
        self.origin = time.monotonic()
        self.free_at = self.origin
        self.lock = threading.Lock()

    def rate(self, now):
        """Bytes per second at wall time now, and when its interval ends."""
        x = self.t[0] + (now - self.origin) % self.period
        for i in range(1, len(self.t)):
            if x <= self.t[i]:
                return self.bps[i], now + (self.t[i] - x)
        return self.bps[-1], now + self.period

    def send_time(self, n):
        """Reserves the link for n bytes: the wall time they are through."""
        with self.lock:
            t = max(time.monotonic(), self.free_at)
            left = float(n)
            for _ in range(100000):  # interval by interval; bounded
                bps, end = self.rate(t)
                if bps > 0 and left <= bps * (end - t):
                    t += left / bps
                    break
                left -= bps * (end - t)
                t = end + 1e-6
            self.free_at = t
            return t


def handler(origin, link, log):
    host = urllib.parse.urlparse(origin)

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args):
            pass

        def do_GET(self):
            start = time.time()
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
            conn.request("GET", self.path, headers={"Connection": "close"})
            r = conn.getresponse()
            time.sleep(link.rtt)
            self.send_response(r.status)
            for name in ("Content-Type", "Content-Length", "Retry-After"):
                if r.getheader(name):
                    self.send_header(name, r.getheader(name))
            self.send_header("Connection", "close")
            self.end_headers()
            sent = 0
            try:
                while True:
                    b = r.read1(SLICE)
                    if not b:
                        break
                    done = link.send_time(len(b))
                    delay = done - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    self.wfile.write(b)
                    self.wfile.flush()
                    sent += len(b)
            except (BrokenPipeError, ConnectionResetError):
                pass
            conn.close()
            if log:
                with log_lock:
                    log.write(json.dumps({"path": self.path, "status": r.status, "bytes": sent,
                                          "start": start, "end": time.time()}) + "\n")
                    log.flush()

    return H


log_lock = threading.Lock()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--origin", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--rtt-ms", type=float, default=80)
    ap.add_argument("--payload", type=float, default=0.95)
    ap.add_argument("--log")
    a = ap.parse_args()
    link = Link(a.trace, a.payload, a.rtt_ms / 1000)
    log = open(a.log, "a") if a.log else None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler(a.origin, link, log))
    srv.daemon_threads = True
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


main()
