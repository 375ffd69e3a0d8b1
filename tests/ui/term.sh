#!/bin/sh
# TERM=vt100 and TERM=linux in a UTF-8 terminal draw their lines and boxes
# as line drawing, not as the alternate character set's letters ("qqqq").
. "$(dirname "$0")/lib.sh"

for term in vt100 linux xterm; do
	start 80 24 "TERM=$term" --demo
	check_screen '^─{80}$' "TERM=$term: the pair view's rules are lines"
	check_absent 'qqqq' "TERM=$term: no alternate-charset letters"
	start 80 24 "TERM=$term" --demo --wall
	check_screen '^┌─ demo ─+┐$' "TERM=$term: the wall's tile is a box"
	check_absent 'lqqq|qqqk' "TERM=$term: no alternate-charset corners"
done
finish
