#!/usr/bin/python3
"""Turn a text file into a C header holding it as an array of lines, so a
program carptop sends to a node (backends/ssh/vip_edit.php) stays a readable
file of its own in the tree and is part of the binary.

Usage: embed_text.py NAME INPUT OUTPUT
  ->  static const char *const NAME[] = { "line 1\\n", "line 2\\n", ..., NULL };
One string per line: ISO C compilers need only support 4095-character
literals (-Wpedantic says so), a program is longer than that.
"""
import sys

name, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
with open(src, "rb") as f:
    data = f.read()
try:
    text = data.decode("ascii")
except UnicodeDecodeError:
    sys.exit("%s: only ASCII text can be embedded" % src)


def quote(line):
    out = []
    for ch in line:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 32 or ord(ch) == 127:
            sys.exit("%s: control character %r" % (src, ch))
        elif ch == "?":
            out.append("\\?")  # no trigraphs
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


with open(dst, "w") as f:
    f.write("/* Generated from %s by scripts/embed_text.py: edit that file. */\n" % src.split("/")[-1])
    f.write("static const char *const %s[] = {\n" % name)
    for line in text.splitlines(keepends=True):
        f.write("\t" + quote(line) + ",\n")
    f.write("\tNULL\n};\n")
