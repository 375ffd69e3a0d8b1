#!/bin/sh
# --wall: big, read-only, no function bar, fits 80x24 and 200x60, shows the
# time of the last update; --ascii draws it without line drawing.
. "$(dirname "$0")/lib.sh"

check_layout() { # W H
	check_screen '^ +all clusters OK$' "wall $1x$2: header says all clusters OK"
	check_screen '^┌─ demo ─+┐$' "wall $1x$2: a tile for cluster demo"
	check_screen '^└─+┘$' "wall $1x$2: the tile is closed"
	check_screen '█████' "wall $1x$2: verdict in block letters"
	check_screen '^│ VHID 1   WAN    fw1 MASTER   fw2 BACKUP +│$' "wall $1x$2: VHID 1 roles"
	check_screen '^ carptop [0-9.]+  wall display, read-only +last update [0-9]{2}:[0-9]{2}:[0-9]{2} \([0-9]+s ago\)$' "wall $1x$2: time of the last update"
	check_absent 'Help|Quit|\[y/N\]' "wall $1x$2: no function bar or help clutter"
	check_eq "$(capture | wc -l)" "$2" "wall $1x$2: fills the height"
	check_eq "$(capture | sed -n 2p | tr -d '\n' | wc -m)" "$1" "wall $1x$2: fills the width"
}

start 80 24 --demo --wall
check_layout 80 24
# The block letters spell OK: rows of the O and the K.
check_screen '^│ +█+ +█+ +█+ +│$' 'wall 80x24: block letters row'

start 200 60 --demo --wall
check_layout 200 60

# Mutating keys are refused on the wall too.
key m
check_screen 'read-only: maintenance-toggle refused' 'wall: m refused'

# --ascii: no line drawing and no block characters.
start 80 24 --demo --wall --ascii
check_screen '^\+- demo -+\+$' 'wall --ascii: + and - corners'
check_screen '^\| VHID 1   WAN    fw1 MASTER   fw2 BACKUP +\|$' 'wall --ascii: | sides'
check_screen '#####' 'wall --ascii: block letters of #'
check_absent '[│─┌┐└┘█]' 'wall --ascii: no line-drawing or block characters'

# Many clusters are not possible with the demo (one pair); a terminal
# smaller than a tile still shows the verdict as a band.
start 80 12 --demo=node-down --wall
check_screen '^│ +CRITICAL +│$' 'wall 80x12: verdict band when block letters do not fit (one node down: CRITICAL)'
check_screen 'fw2 UNKNOWN: node is powered off' 'wall: unreachable node said plainly'

finish
