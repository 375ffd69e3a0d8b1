# Read a captured wall screen on stdin; print one line per tile:
#   NAME LETTER_ROWS BAND_WORD
# LETTER_ROWS: rows of the tile holding block-letter pixels; BAND_WORD: the
# word of a reverse band when there are no letters ("-" otherwise).
import sys

lines = sys.stdin.read().split("\n")
for y, line in enumerate(lines):
    x = line.find("┌")
    while x >= 0:
        end = line.find("┐", x)
        name = line[x + 1:end].strip("─ ")
        rows, band = 0, "-"
        for yy in range(y + 1, len(lines)):
            seg = lines[yy][x:end + 1]
            if seg.startswith("└"):
                break
            if "█" in seg or "#" in seg[1:-1]:
                rows += 1
            words = seg.strip("│ ").split()
            if rows == 0 and band == "-" and words and words[0] in ("OK", "WARNING", "CRITICAL", "UNKNOWN", "MAINTENANCE") and len(words) == 1:
                band = words[0]
        print(name, rows, band)
        x = line.find("┌", end)
