#!/bin/sh
# Findings are a list you can open: f focuses them, Up/Down select, Enter
# opens the detail (full text, id, the how-to's reason, the hint, nodes and
# VHIDs); the pair view wraps a long finding rather than cutting it.
. "$(dirname "$0")/lib.sh"

for size in "80 24" "120 40" "200 60"; do
	set -- $size
	start "$1" "$2" --demo=split-brain
	check_screen '^ carptop [0-9.]+  Pair  cluster demo' "$1x$2: one cluster opens on its pair view"
	check_screen '^ FINDINGS \(4\)' "$1x$2: four findings"
	key f
	check_screen '^> CRITICAL  VHID 3 split brain' "$1x$2: f selects the first finding"
	key Enter
	check_screen '^│ id +vhid-split-brain' "$1x$2: Enter shows the id"
	check_screen '^│ hint +Compare the VHID' "$1x$2: Enter shows the hint"
	check_screen '^│ why +' "$1x$2: ... the reason"
	check_screen '^│ nodes +fw1, fw2 \(the pair\)' "$1x$2: ... the nodes"
	check_screen '^│ VHIDs +VHID 3 on LAN' "$1x$2: ... the VHID"
	key Down
	check_screen '^│ id +vhid-mismatch' "$1x$2: Down in the detail: the next finding"
	key Esc
	wait_gone '^│ id ' 3
	check_absent '^│ id ' "$1x$2: Esc closes the detail"
	check_screen '^> CRITICAL  VHID 3 addresses differ' "$1x$2: the selection moved with it"
	key Esc
	check_screen '^ FINDINGS \(4\)  f: select and open' "$1x$2: Esc leaves the findings list"
done

# At 120 columns the alias finding is wrapped onto a second line, not cut.
start 120 40 --demo=split-brain
check_screen '^  CRITICAL  IP alias 192\.168\.1\.5/24 on VHID 3 exists on fw2 only: ' 'the long finding starts'
check_screen '^            [A-Za-z].*until it is on both nodes$' 'and ends on a continuation line'
check_absent '~$' 'no finding is cut'

finish
