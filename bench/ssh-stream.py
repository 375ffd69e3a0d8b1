#!/usr/bin/env python3
"""Driver of bench/ssh-stream.sh: runs `carptop --batch --watch --format
json` against the SSH harness, flips VHID 1 of the pair FLIPS times (fw1's
demotion 240 / 0 through carpsim's control server) and measures, per flip,
the delay from carpsim's own transition time (its transition log, in sim
seconds, mapped to this machine's clock through /ctl/time) to the moment a
JSON document showing the new MASTER arrives on carptop's stdout.

Usage: ssh-stream.py CARPTOP CONFIG CTL_URL FLIPS INTERVAL"""
import json
import os
import random
import select
import statistics
import subprocess
import sys
import time
import urllib.request

CARPTOP, CONFIG, CTL, FLIPS, INTERVAL = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]


def get(path):
    with urllib.request.urlopen(CTL + path, timeout=5) as r:
        return r.read().decode()


def sim_offset():
    """wall clock - sim time (carpsim runs at speed 1), best of 5 looks."""
    best = None
    for _ in range(5):
        a = time.time()
        t = float(get("/ctl/time"))
        b = time.time()
        if best is None or b - a < best[0]:
            best = (b - a, (a + b) / 2 - t)
    return best[1]


class Docs:
    """JSON documents from carptop's stdout, each with its arrival time."""

    def __init__(self, fd):
        self.fd, self.buf, self.dec = fd, "", json.JSONDecoder()

    def read(self, timeout):
        out = []
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return out
        data = os.read(self.fd, 1 << 20)
        now = time.time()
        if not data:
            raise SystemExit("carptop ended")
        self.buf += data.decode(errors="replace")
        while True:
            s = self.buf.lstrip()
            if not s:
                self.buf = ""
                break
            try:
                doc, end = self.dec.raw_decode(s)
            except ValueError:
                self.buf = s
                break
            out.append((now, doc))
            self.buf = s[end:]
        return out


def master_of(doc, vhid):
    for v in doc["clusters"][0]["vhids"]:
        if v["vhid"] == vhid:
            return [n for n, st in v["nodes"].items() if st.get("status") == "MASTER"]
    return []


def main():
    p = subprocess.Popen([CARPTOP, "-c", CONFIG, "--batch", "--watch", "--interval", INTERVAL, "--format", "json",
                          "--no-record"], stdout=subprocess.PIPE, stderr=open(os.environ.get("STREAM_ERR", "/dev/null"), "w"))
    docs = Docs(p.stdout.fileno())
    try:
        first = []
        while not first:
            first = docs.read(15)
        time.sleep(2)  # the streams open
        while docs.read(0.1):
            pass
        off = sim_offset()
        delays = []
        # Flip away from whoever is MASTER now (an earlier run may have
        # left fw2 in charge).
        demotion = 240 if master_of(first[-1][1], 1) == ["fw1"] else 0
        for k in range(FLIPS):
            want = "fw2" if demotion else "fw1"
            n_log = len(get("/ctl/transitions").splitlines())
            get("/ctl/set/0/0?demotion=%d" % demotion)
            seen_at = None
            deadline = time.time() + 15 + float(INTERVAL)
            while seen_at is None and time.time() < deadline:
                for at, doc in docs.read(0.5):
                    if master_of(doc, 1) == [want]:
                        seen_at = at
                        break
            # carpsim's own time of the change: the new MASTER's line
            t_sim = None
            for line in get("/ctl/transitions").splitlines()[n_log:]:
                f = line.split()
                if f[2] == want and f[4] == "1" and f[7] == "MASTER":
                    t_sim = float(f[0])
                    break
            if seen_at is None or t_sim is None:
                print("flip %2d: not seen (%s)" % (k + 1, "no transition" if t_sim is None else "no output"))
            else:
                d = (seen_at - (t_sim + off)) * 1000.0
                delays.append(d)
                print("flip %2d: %s MASTER, shown %7.1f ms after carpsim's transition" % (k + 1, want, d))
            demotion = 0 if demotion else 240
            time.sleep(random.uniform(0.8, 1.6))
            while docs.read(0.05):
                pass
        if delays:
            print("flips %d  seen %d  median %.1f ms  min %.1f ms  max %.1f ms" %
                  (FLIPS, len(delays), statistics.median(delays), min(delays), max(delays)))
        return 0 if len(delays) == FLIPS else 1
    finally:
        p.terminate()
        p.wait()


sys.exit(main())
