#!/usr/bin/python3
"""One row of bench/scale.sh: run carptop --batch --watch against a running
carpsim, measure a window after warm-up, print the row, exit 1 on a missed
target. Targets are issue 16's (doc/performance.md)."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

MB = 1024 * 1024


def ctl(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        text = r.read().decode()
    return {k: int(v) for k, v in (line.split() for line in text.splitlines() if line.strip())}


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_kb(pid, path, key):
    with open(f"/proc/{pid}/{path}") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class Rounds(threading.Thread):
    """Reads carptop's JSON documents, timestamps each round's arrival."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.times = []
        self.ages = []  # per document: its oldest node's age_seconds
        self.last = None
        self.lock = threading.Lock()

    def run(self):
        dec = json.JSONDecoder()
        buf = ""
        for line in self.stream:
            buf += line
            if line.rstrip() != "}":
                continue
            try:
                doc, end = dec.raw_decode(buf.strip())
            except ValueError:
                continue
            buf = ""
            with self.lock:
                self.times.append(time.monotonic())
                self.ages.append(oldest(doc))
                self.last = doc


def oldest(doc):
    ages = [n.get("age_seconds") for c in doc.get("clusters", []) for n in c.get("nodes", [])]
    return max((a for a in ages if a is not None), default=0.0)


def reachable(doc):
    up = total = 0
    for c in (doc or {}).get("clusters", []):
        for n in c.get("nodes", []):
            total += 1
            up += 1 if n.get("reachable") else 0
    return up, total


def targets(a, row):
    """(description, ok) for every target that applies to this N."""
    t = [("every round inside its interval", row["late"] == 0),
         ("every node reachable", row["up"] == row["nodes"]),
         ("carptop ends cleanly on SIGTERM", row["clean_stop"])]
    if a.transport == "ssh":
        return t  # issue 16's targets for N = 1 and 500 are the API's
    if row["keys_max"] is not None and a.pairs >= 500:
        t.append(("console key latency <= 100 ms", row["keys_max"] <= 100))
    if a.pairs == 1 and a.interval <= 1:
        t += [("CPU <= 0.3 % of one core", row["cpu"] <= 0.3),
              ("own memory (Anonymous) <= 2 MB", row["own"] <= 2 * MB)]
    if a.pairs >= 500:
        t.append(("<= 1 TLS handshake per node per run", row["tls_max"] <= 1))
        if a.config_size >= 1024 * 1024:
            # The case's target is memory: its window holds the first
            # reads of 1000 config.xml files of 1 MB (parsed, digested
            # and slimmed, 4 at a time), so its CPU is the start-up's,
            # printed but not the steady polling the CPU target is for.
            t.append(("RSS <= 200 MB with 1 MB config.xml", row["rss"] <= 200 * MB))
        else:
            t += [("CPU <= 30 % of one core", row["cpu"] <= 30),
                  ("RSS <= 150 MB", row["rss"] <= 150 * MB)]
    return t


def console_keys(a, presses=20):
    """The console in a private tmux server, polling the same fleet: after
    the warm-up, screen keys 1-4 in turn, each timed from send-keys to the
    new screen's title on the header line (as tests/ui/hang.sh). Returns
    (median ms, worst ms), or None without tmux."""
    if not shutil.which("tmux"):
        return None
    sock = f"/tmp/carptop-scale-{os.getpid()}.sock"
    t = lambda *args, **kw: subprocess.run(["tmux", "-S", sock, *args], capture_output=True, text=True, **kw)
    env = dict(os.environ, LC_ALL="C.UTF-8")
    state = os.path.join(os.path.dirname(a.config), "console-state")
    cmd = f"XDG_STATE_HOME={state} {a.carptop} -c {a.config} --read-only"
    t("-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "50", "-s", "scale", cmd, env=env)
    try:
        time.sleep(a.warmup)
        screens = [("4", "Event log"), ("1", "Overview"), ("3", "Node detail"), ("2", "Pair")]
        lat = []
        for i in range(presses):
            key, title = screens[i % len(screens)]
            t0 = time.monotonic()
            t("send-keys", "-t", "scale", key)
            while time.monotonic() - t0 < 2:
                head = t("capture-pane", "-p", "-t", "scale", "-S", "0", "-E", "0").stdout
                if head.startswith(" carptop ") and f"  {title}" in head:
                    break
            lat.append((time.monotonic() - t0) * 1000)
            time.sleep(0.2)
        t("send-keys", "-t", "scale", "q")
        time.sleep(1)
    finally:
        t("kill-server")
        try:
            os.unlink(sock)  # tmux leaves its socket file behind
        except OSError:
            pass
    lat.sort()
    return lat[len(lat) // 2], lat[-1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--carptop", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--ctl", required=True)
    p.add_argument("--pairs", type=int, required=True)
    p.add_argument("--interval", type=float, required=True)
    p.add_argument("--warmup", type=float, default=15)
    p.add_argument("--window", type=float, default=60)
    p.add_argument("--config-size", type=int, default=0)
    p.add_argument("--keys", action="store_true", help="also time console keys in tmux (after the window)")
    p.add_argument("--transport", default="api", choices=("api", "ssh"),
                   help="what the config's nodes use (ssh: TLS handshakes are not counted)")
    a = p.parse_args()

    proc = subprocess.Popen([a.carptop, "-c", a.config, "--batch", "--watch", "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rounds = Rounds(proc.stdout)
    rounds.start()
    err = []
    threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True).start()
    try:
        time.sleep(a.warmup)
        if proc.poll() is not None:
            raise RuntimeError(f"carptop exited with {proc.returncode}: {''.join(err)[-2000:]}")
        cpu0, t0 = proc_cpu_s(proc.pid), time.monotonic()
        own = 0
        while time.monotonic() - t0 < a.window:
            time.sleep(1)
            own = max(own, proc_kb(proc.pid, "smaps_rollup", "Anonymous") * 1024)
        cpu1, t1 = proc_cpu_s(proc.pid), time.monotonic()
        rss = proc_kb(proc.pid, "status", "VmHWM") * 1024
        stats = ctl(a.ctl, "/ctl/stats-all")
    finally:
        # As a service manager stops it: SIGTERM, then a clean exit with
        # the status of its last document (0-3) within 10 s.
        proc.send_signal(signal.SIGTERM)
        try:
            clean_stop = proc.wait(timeout=10) in (0, 1, 2, 3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            clean_stop = False
    with rounds.lock:
        docs = [(x, age) for x, age in zip(rounds.times, rounds.ages) if t0 - a.interval <= x <= t1]
        last = rounds.last
    times = [x for x, _ in docs]
    gaps = [b - x for x, b in zip(times, times[1:])]
    # A round is late when its document comes more than 10 % (+ 0.1 s of
    # scheduling slack) after the previous one, or shows a node whose
    # data is older than that (large fleets poll at their own phases and
    # print a document per interval: a node whose poll missed its
    # interval, or took more than a second, shows as its age).
    limit = a.interval * 1.1 + 0.1
    late = sum(1 for g in gaps if g > limit) + sum(1 for _, age in docs if age > limit + 1.0)
    keys = console_keys(a) if a.keys else None
    up, total = reachable(last)
    row = dict(cpu=100.0 * (cpu1 - cpu0) / (t1 - t0), rss=rss, own=own, late=late, rounds=len(gaps),
               tls=stats["connections"] / max(stats["nodes"], 1), tls_max=stats["max_connections"],
               up=up, nodes=stats["nodes"], clean_stop=clean_stop, keys_max=keys[1] if keys else None)
    missed = [d for d, ok in targets(a, row) if not ok]
    load = os.getloadavg()[0]
    ssh = a.transport == "ssh"
    print("%6s %8gs %8.2f %9.1f %10.2f %4d/%-4d %12s %10s %5d/%-5d %11s %6.2f  %s" %
          ("%d%s" % (a.pairs, " ssh" if ssh else ""), a.interval, row["cpu"], rss / MB, own / MB, late, len(gaps),
           "-" if ssh else "%.2f" % row["tls"], "-" if ssh else row["tls_max"],
           up, total, "%.0f/%.0f" % keys if keys else "-", load,
           "ok" if not missed else "MISSED: " + "; ".join(missed)), flush=True)
    # Why nodes were not reachable, in the last document (what a person
    # looks at first when that target is missed).
    for c in (last or {}).get("clusters", []):
        for n in c.get("nodes", []):
            if not n.get("reachable"):
                print("#   %s/%s: %s" % (c.get("name"), n.get("name"), n.get("error")), flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
