#!/usr/bin/env python3
"""Driver of bench/ssh-stream.sh: runs `carptop --batch --watch --format
json` against the SSH harness, flips VHID 1 of the pair FLIPS times (fw1's
demotion 240 / 0 through carpsim's control server) and measures, per flip,
the delay from carpsim's own transition time (its transition log, in sim
seconds, mapped to this machine's clock through /ctl/time) to the moment a
JSON document showing the new MASTER arrives on carptop's stdout.

With CONSOLE_SOCK set, the console (in tmux, on that socket) instead of
--batch --watch.

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


class Screen:
    """The console instead (CONSOLE=1): carptop in a private tmux server,
    its pane captured every few ms; each changed screen is a "document"
    with the time it was captured (the capture's own cost, a few ms, is
    in the delay)."""

    def __init__(self, sock):
        self.sock, self.last = sock, None

    def read(self, timeout):
        end = time.time() + timeout
        while True:
            text = subprocess.run(["tmux", "-S", self.sock, "capture-pane", "-p"], capture_output=True,
                                  text=True).stdout
            now = time.time()
            if text != self.last:
                self.last = text
                return [(now, {"screen": text})]
            if now >= end:
                return []
            time.sleep(0.003)


def master_of(doc, vhid):
    if "screen" in doc:
        # The Pair screen's VHID row: "  1  WAN  <addresses>  MASTER 0  BACKUP 100  ok"
        # (fw1's column, then fw2's).
        for line in doc["screen"].splitlines():
            f = line.lstrip(">").split()
            if len(f) > 2 and f[0] == str(vhid):
                st = [w for w in f if w in ("MASTER", "BACKUP", "INIT", "UNKNOWN", "?", "-")]
                return [n for n, w in zip(("fw1", "fw2"), st) if w == "MASTER"]
        return []
    for v in doc["clusters"][0]["vhids"]:
        if v["vhid"] == vhid:
            return [n for n, st in v["nodes"].items() if st.get("status") == "MASTER"]
    return []


def polls_of(at, doc):
    """Per node (start, end) of the poll the document shows, on this
    machine's clock: end = arrival - age, start = end - the poll's
    duration (the JSON's age_seconds and latency_ms)."""
    out = []
    if "clusters" not in doc:
        return None
    for n in doc["clusters"][0]["nodes"]:
        if n.get("age_seconds") is None or n.get("latency_ms") is None:
            return None
        end = at - float(n["age_seconds"])
        out.append((end - float(n["latency_ms"]) / 1000.0, end))
    return out


def node_times(k):
    """Node k's poll commands as the harness timed them (TIME_LOGS, the
    harness's opnsense-shell with CARPSIM_TIME_LOG): [(start, end)]."""
    logs = os.environ.get("TIME_LOGS", "").split()
    out = []
    if k < len(logs) and os.path.exists(logs[k]):
        for line in open(logs[k]):
            f = line.split(" ", 2)
            if len(f) == 3 and f[2].startswith("sh -c 'exec 3>&1;M=@@CARPTOP-"):
                out.append((float(f[0]), float(f[1])))
    return out


def node_side(polls):
    """The node-side time (s) of the poll that ended last, as the harness
    timed it: the timed command inside [start, end], or None."""
    k = max(range(len(polls)), key=lambda i: polls[i][1])
    st, end = polls[k]
    inside = [b - a for a, b in node_times(k) if a >= st - 0.002 and b <= end + 0.002]
    return inside[-1] if inside else None


def main():
    sock = os.environ.get("CONSOLE_SOCK")
    if sock:
        p = subprocess.Popen(["tmux", "-S", sock, "-f", "/dev/null", "new-session", "-d", "-x", "140", "-y", "40",
                              "env LC_ALL=C.UTF-8 '%s' -c '%s' --no-record --interval %s" % (CARPTOP, CONFIG, INTERVAL)])
        p.wait()
        p = None
        docs = Screen(sock)
    else:
        p = subprocess.Popen([CARPTOP, "-c", CONFIG, "--batch", "--watch", "--interval", INTERVAL, "--format",
                              "json", "--no-record"], stdout=subprocess.PIPE,
                             stderr=open(os.environ.get("STREAM_ERR", "/dev/null"), "w"))
        docs = Docs(p.stdout.fileno())
    try:
        first = []
        while not first or not master_of(first[-1][1], 1):
            first = docs.read(15)
        time.sleep(2)  # the streams open
        while docs.read(0.1):
            pass
        off = sim_offset()
        delays = []
        splits = []
        share = []
        # Flip away from whoever is MASTER now (an earlier run may have
        # left fw2 in charge).
        demotion = 240 if master_of(first[-1][1], 1) == ["fw1"] else 0
        for k in range(FLIPS):
            want = "fw2" if demotion else "fw1"
            n_log = len(get("/ctl/transitions").splitlines())
            get("/ctl/set/0/0?demotion=%d" % demotion)
            seen_at = seen_doc = None
            deadline = time.time() + 15 + float(INTERVAL)
            while seen_at is None and time.time() < deadline:
                for at, doc in docs.read(0.5):
                    if master_of(doc, 1) == [want]:
                        seen_at, seen_doc = at, doc
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
                t0 = t_sim + off
                d = (seen_at - t0) * 1000.0
                delays.append(d)
                line = "flip %2d: %s MASTER, shown %7.1f ms after carpsim's transition" % (k + 1, want, d)
                # Where the time went, when the document came from polls
                # (not from the stream): the later poll of the pair started
                # `wait` after the flip, the polls took `poll` (SSH and the
                # node's commands, `cmds` of it on the node as the harness
                # timed them: its shims asking carpsim), and the document
                # came `after` the last poll ended.
                polls = polls_of(seen_at, seen_doc)
                if polls and max(e for _, e in polls) >= t0:
                    start = max(st for st, _ in polls)
                    end = max(e for _, e in polls)
                    poll = max(e - st for st, e in polls)
                    parts = ((start - t0) * 1000.0, poll * 1000.0, (seen_at - end) * 1000.0)
                    splits.append(parts)
                    line += "  (wait %6.1f, poll %6.1f, after %5.1f" % parts
                    cmds = node_side(polls)
                    if cmds is not None:
                        share.append(cmds / poll)
                        line += ", cmds %6.1f" % (cmds * 1000.0)
                    line += ")"
                print(line)
            demotion = 0 if demotion else 240
            # The next flip at a random moment of the poll schedule: over
            # two whole intervals (a shorter span would favour some phases
            # of the polls: the wait is measured from a poll's answer).
            span = 2 * float(INTERVAL) if float(INTERVAL) <= 5 else 0.8
            time.sleep(random.uniform(0.8, 0.8 + span))
            while docs.read(0.05):
                pass
        if delays:
            print("flips %d  seen %d  median %.1f ms  min %.1f ms  max %.1f ms" %
                  (FLIPS, len(delays), statistics.median(delays), min(delays), max(delays)))
        if splits:
            print("from polls %d: median wait %.1f ms (max %.1f), poll %.1f ms (max %.1f), after the poll %.1f ms (max %.1f)" %
                  (len(splits), statistics.median(s[0] for s in splits), max(s[0] for s in splits),
                   statistics.median(s[1] for s in splits), max(s[1] for s in splits),
                   statistics.median(s[2] for s in splits), max(s[2] for s in splits)))
        if share:
            print("the node-side commands (the harness's shims) are %.0f %% of a poll (median of %d)" %
                  (100.0 * statistics.median(share), len(share)))
        return 0 if len(delays) == FLIPS else 1
    finally:
        if p:
            p.terminate()
            p.wait()
        else:
            subprocess.run(["tmux", "-S", sock, "kill-server"])


sys.exit(main())
