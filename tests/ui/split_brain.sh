#!/bin/sh
# --demo=split-brain: both nodes MASTER for VHID 3. The banner says so on
# the console and on the wall, full width, reverse, in the critical colour.
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')

start 100 30 --demo=split-brain
check_screen '^ CRITICAL: demo: VHID 3 split brain \(MASTER on fw1 and fw2\)' 'console: banner on line 2'
line2=$(capture_e | sed -n 2p)
case $line2 in
*"${ESC}[41m"*) ok 'console: banner on a red background' ;;
*) not_ok "console: banner on a red background (line 2 is: $(printf '%s' "$line2" | cat -v))" ;;
esac
key 1
check_screen '^>demo +CRITICAL +1:fw1 3:BOTH ' 'overview: VHID 3 held by BOTH'
key 2
check_screen '^ +3  LAN +192\.168\.1\.1/24, 192\.168\.1\.5/24 +MASTER 0 +MASTER 100 +split-brain$' 'pair view: VHID 3 MASTER on both'
check_screen '^> +1  WAN +172\.18\.0\.100/24 +MASTER 0 +BACKUP 100 +ok$' 'pair view: VHID 1 still fine'
check_screen '^  CRITICAL  VHID 3 split brain \(MASTER on fw1 and fw2\)$' 'pair view: the finding'

# The wall at 80x24: a one-line banner; at 200x60: a three-line band.
start 80 24 --demo=split-brain --wall
check_screen '^ +CRITICAL: demo: VHID 3 split brain \(MASTER on fw1 and fw2\)  \(\+ more\)$' 'wall 80x24: banner'
banner=$(capture_e | sed -n 1p)
case $banner in
"${ESC}[1m${ESC}[97m${ESC}[41m"*) ok 'wall 80x24: banner is bold white on red from the first column' ;;
*) not_ok "wall 80x24: banner is bold white on red (line 1 is: $(printf '%s' "$banner" | cat -v))" ;;
esac
check_screen '^│ VHID 3   LAN    fw1 MASTER   fw2 MASTER   split-brain +│$' 'wall 80x24: VHID 3 on both'

start 200 60 --demo=split-brain --wall
check_screen '^ +CRITICAL: demo: VHID 3 split brain \(MASTER on fw1 and fw2\)  \(\+ more\)$' 'wall 200x60: banner'
# capture -e sets attributes only where they change: three full-width
# lines in one red run start with the red SGR and hold no other.
band=$(t capture-pane -p -e -N -t test | sed -n 1,3p)
head=$(printf '%s' "$band" | head -c 40 | cat -v)
rest=$(printf '%s' "$band" | sed "1s/^\(${ESC}\[[0-9;]*m\)*//" | grep -c "$ESC")
case $head in
'^[[1m^[[97m^[[41m '*) ok 'wall 200x60: the band starts bold white on red' ;;
*) not_ok "wall 200x60: the band starts bold white on red (starts: $head)" ;;
esac
check_eq "$rest" 0 'wall 200x60: the red run spans all three lines'
check_eq "$(printf '%s\n' "$band" | sed "s/${ESC}\[[0-9;]*m//g" | awk '{ print length($0) }' | tr '\n' ' ')" '200 200 200 ' 'wall 200x60: the band is full width'
check_eq "$(capture | sed -n 2p | sed 's/^ *//; s/ *$//')" 'CRITICAL: demo: VHID 3 split brain (MASTER on fw1 and fw2)  (+ more)' 'wall 200x60: banner text centred on the middle line'

finish
