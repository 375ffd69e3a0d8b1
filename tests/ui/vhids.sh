#!/bin/sh
# Per-node truth in the VHID table: an address only one node carries is on
# a line of its own naming that node (visible at 80x24); the columns give
# way by priority at 80 and 60 columns and never overwrite each other; the
# split-brain MASTER cells are in the alarm colour; the banner names the
# cause (link down) before the symptom (demotion).
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')

for size in "80 24" "120 40" "200 60"; do
	set -- $size
	start "$1" "$2" --demo=split-brain
	check_screen '^ +3  LAN +192\.168\.1\.1/24 +MASTER 0 +MASTER 100 +split-brain$' "$1x$2: VHID 3 row, whole"
	check_screen '^ {18}192\.168\.1\.5/24  only on fw2, missing on fw1$' "$1x$2: the split-brain address, whole, with its node"
done

# 60 columns: the interface column gives way, nothing overlaps.
start 60 24 --demo=split-brain
check_screen '^ VHID VIP ADDRESSES +fw1 +fw2 +VERDICT$' '60 cols: heading without INTERFACE'
check_screen '^ +3 192\.168\.1\.1/24 +MASTER 0 +MASTER 100 +split-brain$' '60 cols: VHID 3 row whole'
check_screen '^ +192\.168\.1\.5/24  only on fw2' '60 cols: the one-sided address'
check_absent 'BACKUP [0-9]+[A-Z]|MASTER [0-9]+[A-Z]|[0-9]STER' '60 cols: no cell overwrites another'
# 40 columns: the verdict goes, the cells keep their status.
start 40 24 --demo=split-brain
check_screen '^ +3 192\.168\.1\.1/24 +MASTER +MASTER$' '40 cols: status cells only'

# Both MASTER cells of the split brain in the alarm colour (red, reverse),
# the healthy VHID's MASTER not.
start 120 40 --demo=split-brain
check_screen 'split-brain$' 'up'
row3=$(capture_e | grep -- '  LAN ')
# capture -e writes an SGR where attributes change: count the reverse ones.
rev=$(printf '%s' "$row3" | grep -o "${ESC}\[[0-9;]*7m${ESC}\[[0-9;]*mMASTER\|${ESC}\[[0-9;]*7mMASTER" | wc -l)
check_eq "$rev" 2 'split-brain: both MASTER cells reverse'
case $row3 in
*"${ESC}[31m"*|*"${ESC}[91m"*|*"38;5;"*) ok 'split-brain cells: the alarm (red) colour' ;;
*) not_ok "split-brain cells: the alarm colour (row is: $(printf '%s' "$row3" | cat -v))" ;;
esac
row1=$(capture_e | grep -- '  WAN ')
case $row1 in
*"7m"*) not_ok "healthy VHID 1 not in reverse (row is: $(printf '%s' "$row1" | cat -v))" ;;
*) ok 'healthy VHID 1 not in reverse' ;;
esac

# interface-down: the banner names the link (VHID INIT), not the demotion.
start 120 40 --demo=interface-down
check_screen '^ CRITICAL: demo: VHID 3 is INIT on fw1 \(interface down or no carrier\)' 'banner: the cause (link down) first'

finish
