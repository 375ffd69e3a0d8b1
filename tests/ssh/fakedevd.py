#!/usr/bin/env python3
"""A stand-in for devd(8)'s event socket on the SSH harness's nodes
(tests/ssh/harness.sh), so that carptop's CARP change stream
(doc/ssh-stream.md) has something to read: for every node directory
HARNESS/node-P-N it listens on HARNESS/node-P-N/devd.pipe (the harness's
`nc` shim connects there for `nc -dU /var/run/devd.pipe`), follows carpsim's
transition log, and hands each client of a node the line devd would:

    !system=CARP subsystem=<vhid>@<ifname> type=<MASTER|BACKUP|INIT>

(FreeBSD's carp_set_state() -> devctl_notify("CARP", "<vhid>@<if>", state)).

Controls, as files next to the socket: `devd.drop` (the fake devd closes
that node's clients once, as a devd restart would, then removes the file).

Usage: fakedevd.py HARNESS_DIR CTL_URL CARPTOP_YAML
"""
import glob
import http.client
import os
import re
import select
import socket
import sys
import time
import urllib.parse

H, CTL, YAML = sys.argv[1], sys.argv[2], sys.argv[3]
PERIOD = 0.02
LINE_RE = re.compile(r"^([0-9.]+) (\S+) (\S+) vhid (\d+) (\S+) -> (\S+) masters=\d+$")
CARP_RE = re.compile(r"^\s*carp: \S+ vhid (\d+)")
IF_RE = re.compile(r"^([A-Za-z0-9_.]+): flags=")


def names():
    """(cluster, node) names -> (pair, node) indexes, in carpsim's order."""
    out, p, k = {}, -1, 0
    cluster = None
    for line in open(YAML):
        m = re.match(r"^  - name: (\S+)", line)
        if m:
            p, k, cluster = p + 1, 0, m.group(1)
            continue
        m = re.match(r"^      - name: (\S+)", line)
        if m and cluster:
            out[(cluster, m.group(1))] = (p, k)
            k += 1
    return out


class Ctl:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.conn = None

    def get(self, path):
        for _ in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                return r.status, r.read().decode(errors="replace")
            except (OSError, http.client.HTTPException):
                self.conn = None
        return 0, ""


def ifnames(ctl, p, n):
    """vhid -> parent interface, from the node's ifconfig -a."""
    st, text = ctl.get("/ctl/text/%d/%d/ifconfig" % (p, n))
    out, cur = {}, None
    for line in text.splitlines() if st == 200 else []:
        m = IF_RE.match(line)
        if m:
            cur = m.group(1)
        m = CARP_RE.match(line)
        if m and cur:
            out[int(m.group(1))] = cur
    return out


def main():
    index = names()
    ctl = Ctl(CTL)
    listeners, clients, ifs = {}, {}, {}
    for d in sorted(glob.glob(os.path.join(H, "node-*-*"))):
        p, n = (int(x) for x in os.path.basename(d).split("-")[1:3])
        path = os.path.join(d, "devd.pipe")
        if os.path.exists(path):
            os.unlink(path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(8)
        s.setblocking(False)
        listeners[s] = (p, n, d)
        clients[(p, n)] = []
        # Once, before any test arms a fault: a later read of the node's
        # ifconfig text could use up a fault meant for carptop's poll.
        ifs[(p, n)] = ifnames(ctl, p, n)
    seen = None
    while True:
        r, _, _ = select.select(list(listeners), [], [], PERIOD)
        for s in r:
            try:
                c, _ = s.accept()
                clients[listeners[s][:2]].append(c)
            except OSError:
                pass
        for s, (p, n, d) in listeners.items():
            drop = os.path.join(d, "devd.drop")
            if os.path.exists(drop):
                for c in clients[(p, n)]:
                    c.close()
                clients[(p, n)] = []
                os.unlink(drop)
        ctl.get("/ctl/time")  # carpsim computes transitions when asked
        st, text = ctl.get("/ctl/transitions")
        if st != 200:
            if st == 0 and not os.path.isdir(H):
                return
            continue
        lines = text.splitlines()
        if seen is None:
            seen = len(lines)  # what happened before we started is old news
        for line in lines[seen:]:
            m = LINE_RE.match(line)
            if not m or (m.group(2), m.group(3)) not in index:
                continue
            p, n = index[(m.group(2), m.group(3))]
            vhid = int(m.group(4))
            ev = "!system=CARP subsystem=%d@%s type=%s\n" % (vhid, ifs[(p, n)].get(vhid, "em0"), m.group(6))
            alive = []
            for c in clients.get((p, n), []):
                try:
                    c.sendall(ev.encode())
                    alive.append(c)
                except OSError:
                    c.close()
            clients[(p, n)] = alive
        seen = max(seen, len(lines))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
