#!/bin/sh
# Resizing the terminal (SIGWINCH through the event loop) re-lays the screen
# at once: header on the first line, function bar on the last.
. "$(dirname "$0")/lib.sh"

bar='^\?Help 1All 2Pair'

# resize W H: tmux (3.3) may drop a pane resize that follows another within
# its 250 ms throttle, so space them out.
resize() {
	sleep 0.3
	t resize-window -t test -x "$1" -y "$2"
	sleep 0.3
}

# The function bar on the last line (waits for the new layout).
bar_last() {
	deadline=$(($(date +%s) + 3))
	while [ "$(date +%s)" -le "$deadline" ]; do
		capture | tail -n 1 | grep -Eq "$bar" && return 0
		sleep 0.05
	done
	return 1
}

start 100 30 --demo
key 2
check_screen '^> +1  WAN +172\.18\.0\.100/24 +MASTER 0 +BACKUP 100 +ok$' 'pair view at 100x30'

for size in 80x24 160x50 120x40 80x24; do
	w=${size%x*} h=${size#*x}
	resize "$w" "$h"
	check_eq "$(pane pane_width)x$(pane pane_height)" "$size" "pane is $size"
	if bar_last; then
		ok "$size: function bar on the last line"
	else
		not_ok "$size: function bar on the last line"
	fi
	check_screen '^ carptop [0-9.]+  Pair  cluster demo' "$size: header on the first line"
	check_screen '^ +3  LAN +192\.168\.1\.1/24 +MASTER 0 +BACKUP 100 +ok$' "$size: VHID 3 row laid out for the width"
	# The header ends "data Ns old" one column before the edge.
	check_eq "$(capture | head -n 1 | tr -d '\n' | wc -m)" "$((w - 1))" "$size: header reaches the right edge"
done

# Too small, then big again: a message, then the screen back.
resize 20 5
check_screen '^carptop: terminal t' 'tiny terminal: says so'
resize 100 30
if bar_last; then ok 'back to 100x30: function bar again'; else not_ok 'back to 100x30: function bar again'; fi
check_screen '^> +1  WAN +172\.18\.0\.100/24 +MASTER 0 +BACKUP 100 +ok$' 'back to 100x30: pair view again'

# The wall re-tiles too.
start 80 24 --demo --wall
check_screen '^└─{78}┘$' 'wall 80x24: tile 80 wide'
resize 132 40
check_screen '^└─{130}┘$' 'wall resized to 132x40: tile 132 wide'
check_eq "$(capture | tail -n 1 | grep -c 'last update')" 1 'wall 132x40: last update on the last line'

finish
