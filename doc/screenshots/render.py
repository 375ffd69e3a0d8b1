#!/usr/bin/python3
"""Render a tmux `capture-pane -p -e -N` capture (text with SGR escapes) to a
PNG, cell by cell, in DejaVu Sans Mono: what the terminal showed, no
re-layout. Used by take.sh for the README screenshots (needs python3-pil and
fonts-dejavu-core).

    render.py CAPTURE.ans OUT.png [--light]
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
SIZE = 16

# xterm's default 16 colours.
BASIC = [
    (0x00, 0x00, 0x00), (0xcd, 0x00, 0x00), (0x00, 0xcd, 0x00), (0xcd, 0xcd, 0x00),
    (0x00, 0x00, 0xee), (0xcd, 0x00, 0xcd), (0x00, 0xcd, 0xcd), (0xe5, 0xe5, 0xe5),
    (0x7f, 0x7f, 0x7f), (0xff, 0x00, 0x00), (0x00, 0xff, 0x00), (0xff, 0xff, 0x00),
    (0x5c, 0x5c, 0xff), (0xff, 0x00, 0xff), (0x00, 0xff, 0xff), (0xff, 0xff, 0xff),
]
CUBE = [0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff]


def xterm256(n):
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        return (CUBE[n // 36], CUBE[(n // 6) % 6], CUBE[n % 6])
    v = 8 + 10 * (n - 232)
    return (v, v, v)


class Cell:
    __slots__ = ("ch", "fg", "bg", "bold", "dim", "rev", "ul")


def parse(text):
    rows = []
    sgr = re.compile(r"\x1b\[([0-9;]*)m")
    state = dict(fg=None, bg=None, bold=False, dim=False, rev=False, ul=False)
    for line in text.split("\n"):
        row = []
        pos = 0
        while pos < len(line):
            m = sgr.match(line, pos)
            if m:
                params = [int(p) if p else 0 for p in m.group(1).split(";")] if m.group(1) else [0]
                i = 0
                while i < len(params):
                    p = params[i]
                    if p == 0:
                        state.update(fg=None, bg=None, bold=False, dim=False, rev=False, ul=False)
                    elif p == 1:
                        state["bold"] = True
                    elif p == 2:
                        state["dim"] = True
                    elif p == 4:
                        state["ul"] = True
                    elif p == 7:
                        state["rev"] = True
                    elif p == 22:
                        state["bold"] = state["dim"] = False
                    elif p == 24:
                        state["ul"] = False
                    elif p == 27:
                        state["rev"] = False
                    elif 30 <= p <= 37:
                        state["fg"] = BASIC[p - 30]
                    elif 90 <= p <= 97:
                        state["fg"] = BASIC[p - 90 + 8]
                    elif 40 <= p <= 47:
                        state["bg"] = BASIC[p - 40]
                    elif 100 <= p <= 107:
                        state["bg"] = BASIC[p - 100 + 8]
                    elif p == 39:
                        state["fg"] = None
                    elif p == 49:
                        state["bg"] = None
                    elif p in (38, 48) and i + 1 < len(params):
                        key = "fg" if p == 38 else "bg"
                        if params[i + 1] == 5 and i + 2 < len(params):
                            state[key] = xterm256(params[i + 2])
                            i += 2
                        elif params[i + 1] == 2 and i + 4 < len(params):
                            state[key] = tuple(params[i + 2:i + 5])
                            i += 4
                    i += 1
                pos = m.end()
                continue
            c = Cell()
            c.ch = line[pos]
            c.fg, c.bg = state["fg"], state["bg"]
            c.bold, c.dim, c.rev, c.ul = state["bold"], state["dim"], state["rev"], state["ul"]
            row.append(c)
            pos += 1
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def main():
    src, out = sys.argv[1], sys.argv[2]
    light = "--light" in sys.argv[3:]
    default_fg = (0x1c, 0x1c, 0x1c) if light else (0xd0, 0xd0, 0xd0)
    default_bg = (0xff, 0xff, 0xff) if light else (0x1c, 0x1c, 0x1c)
    rows = parse(open(src, encoding="utf-8").read())
    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", SIZE)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", SIZE)
    left, top, right, bottom = regular.getbbox("M")
    cw = int(regular.getlength("M"))
    ch = SIZE + 4
    width = max(len(r) for r in rows)
    pad = 12
    img = Image.new("RGB", (width * cw + 2 * pad, len(rows) * ch + 2 * pad), default_bg)
    d = ImageDraw.Draw(img)
    for y, row in enumerate(rows):
        for x, c in enumerate(row):
            fg = c.fg or default_fg
            bg = c.bg or default_bg
            if c.rev:
                fg, bg = bg, fg
            if c.dim:
                fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
            px, py = pad + x * cw, pad + y * ch
            if bg != default_bg:
                d.rectangle([px, py, px + cw - 1, py + ch - 1], fill=bg)
            if c.ch == "\u2588":
                # A full block fills the whole cell (fonts leave a gap).
                d.rectangle([px, py, px + cw - 1, py + ch - 1], fill=fg)
            elif c.ch in "\u2500\u2502\u250c\u2510\u2514\u2518":
                # Box drawing joined across the cell, whatever the font.
                mx, my = px + cw // 2, py + ch // 2
                if c.ch in "\u2500\u250c\u2514":
                    d.line([mx if c.ch != "\u2500" else px, my, px + cw - 1, my], fill=fg)
                if c.ch in "\u2500\u2510\u2518":
                    d.line([px, my, mx, my], fill=fg)
                if c.ch in "\u2502\u250c\u2510":
                    d.line([mx, my if c.ch != "\u2502" else py, mx, py + ch - 1], fill=fg)
                if c.ch in "\u2502\u2514\u2518":
                    d.line([mx, py, mx, my], fill=fg)
            elif c.ch != " ":
                d.text((px, py + 2), c.ch, font=bold if c.bold else regular, fill=fg)
            if c.ul:
                d.line([px, py + ch - 2, px + cw - 1, py + ch - 2], fill=fg)
    img.save(out)


if __name__ == "__main__":
    main()
