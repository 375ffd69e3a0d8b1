#!/bin/sh
# The wall shouts about the broken pair: with three scenarios every tile's
# verdict is as big as the OK tile's or bigger (CRIT, UNKN abbreviated to
# fit); the WARNING banner is readable (dark text on yellow); a planned
# failover shows as MAINT with the node; a status message clears.
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')
tiles() { capture | /usr/bin/python3 "$UI_TESTS/tiles.py"; }

for size in "80 24" "120 40" "200 60"; do
	set -- $size
	start "$1" "$2" --demo=healthy,split-brain,node-down --wall
	check_screen '┌─ node-down ─' "$1x$2: three tiles"
	wait_for '^ +CRITICAL: split-brain' 5
	out=$(tiles)
	ok_rows=$(printf '%s\n' "$out" | awk '$1 == "healthy" { print $2 }')
	crit_rows=$(printf '%s\n' "$out" | awk '$1 == "split-brain" { print $2 }')
	unkn_rows=$(printf '%s\n' "$out" | awk '$1 == "node-down" { print $2 }')
	echo "# $1x$2 tiles: $(printf '%s' "$out" | tr '\n' ';')"
	if [ -n "$ok_rows" ] && [ "${crit_rows:-0}" -ge "$ok_rows" ] && [ "${unkn_rows:-0}" -ge "$ok_rows" ]; then
		ok "$1x$2: broken verdicts no smaller than OK (OK $ok_rows rows, split-brain $crit_rows, node-down $unkn_rows)"
	else
		not_ok "$1x$2: broken verdicts no smaller than OK (OK $ok_rows rows, split-brain $crit_rows, node-down $unkn_rows)"
	fi
	if [ "${ok_rows:-0}" -eq 0 ]; then
		# No room for letters: then every tile has its band.
		check_eq "$(printf '%s\n' "$out" | awk '{ print $3 }' | tr '\n' ' ')" 'CRITICAL CRITICAL OK ' "$1x$2: bands with the verdicts, worst first"
	fi
done

# Big enough for letters: CRIT spelled in blocks (C, R, I, T are 4 letters).
start 200 60 --demo=healthy,split-brain,node-down --wall
check_screen '┌─ split-brain ─' 'wall 200x60 up'
wait_for '█' 5
check_eq "$(tiles | awk '$1 == "split-brain" { print ($2 >= 5) }')" 1 '200x60: the split-brain tile has block letters'

# A planned failover: MAINT with the node, in the banner and the tile.
start 120 40 --demo=maintenance --wall
check_screen '^ +MAINT: demo: fw1 in maintenance \(planned failover\), fw2 serving$' 'maintenance: the banner says MAINT with the node'
check_screen 'fw1 in maintenance \(planned\), fw2 serving' 'maintenance: the tile names the node'
# Dark text on the yellow band (capture -e sets attributes where they
# change: at the start of the band's first line).
band=$(capture_e | sed -n 1p | cat -v)
case $band in
'^[[1m^[[30m^[[43m'*) ok 'WARNING banner: black on yellow' ;;
*) not_ok "WARNING banner: black on yellow (line 1 starts: $(printf '%s' "$band" | head -c 40))" ;;
esac

# A refused key's message replaces the label and clears after seconds.
key m
check_screen '^ read-only: maintenance-toggle refused +last update' 'm: the refusal, cleanly'
check_absent 'refusedy' 'no leftover characters'
if wait_gone 'maintenance-toggle refused' 10; then ok 'the message clears'; else not_ok 'the message clears'; fi
check_screen '^ carptop [0-9.]+  wall display, read-only' 'the label is back'

finish
