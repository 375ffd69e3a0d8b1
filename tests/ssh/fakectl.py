#!/usr/bin/env python3
"""A stand-in for carpsim's control server (tests/emulator), for the ssh
transport's tests until they run against carpsim itself. Same endpoints:

  GET  /ctl/text/<pair>/<node>/<what>   -> 200 text/plain from ROOT/pair<P>/node<N>/<what>,
                                           404 when there is no such file,
                                           503 when ROOT/pair<P>/node<N>/down exists
  POST /ctl/configctl/<pair>/<node>     -> 200 with configctl's stdout: the file
                                           ROOT/pair<P>/node<N>/configctl/<words joined by _>,
                                           else "Action not allowed or missing" (as OPNsense)

Every request is appended to LOG ("GET <path>" / "POST <path> <body>").
Usage: fakectl.py ROOT PORTFILE LOG  (listens on 127.0.0.1, port written to PORTFILE)
"""
import http.server
import os
import re
import sys

ROOT, PORTFILE, LOG = sys.argv[1], sys.argv[2], sys.argv[3]
PATH_RE = re.compile(r"^/ctl/(text|configctl)/(\d+)/(\d+)(?:/([A-Za-z0-9._-]+))?$")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def record(self, line):
        with open(LOG, "a") as f:
            f.write(line + "\n")

    def reply(self, code, body):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def node_dir(self, m):
        return os.path.join(ROOT, "pair" + m.group(2), "node" + m.group(3))

    def do_GET(self):
        self.record("GET " + self.path)
        m = PATH_RE.match(self.path)
        if not m or m.group(1) != "text" or not m.group(4):
            return self.reply(404, "no such endpoint\n")
        d = self.node_dir(m)
        if os.path.exists(os.path.join(d, "down")):
            return self.reply(503, "node is down\n")
        try:
            with open(os.path.join(d, m.group(4)), "rb") as f:
                return self.reply(200, f.read())
        except OSError:
            return self.reply(404, "no such text\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode(errors="replace").strip()
        self.record("POST %s %s" % (self.path, body))
        m = PATH_RE.match(self.path)
        if not m or m.group(1) != "configctl" or m.group(4):
            return self.reply(404, "no such endpoint\n")
        d = self.node_dir(m)
        if os.path.exists(os.path.join(d, "down")):
            return self.reply(503, "node is down\n")
        name = "_".join(body.split())
        try:
            with open(os.path.join(d, "configctl", name), "rb") as f:
                return self.reply(200, f.read())
        except OSError:
            return self.reply(200, "Action not allowed or missing\n")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = PORTFILE + ".tmp"
with open(tmp, "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(tmp, PORTFILE)
server.serve_forever()
