#!/bin/sh
# Take the README screenshots: run carptop --demo in a private tmux server,
# capture each screen with its colours (capture-pane -e) and render it to PNG
# (render.py). Needs tmux, python3-pil and fonts-dejavu-core.
#   doc/screenshots/take.sh build/carptop
set -eu
CARPTOP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
OUT=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
SOCK=$TMP/tmux
export LC_ALL=C.UTF-8
unset NO_COLOR CARPTOP_THEME
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

run() { # W H ARGS...: start carptop in a fresh session
	w=$1 h=$2
	shift 2
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	sleep 0.2
	tmux -S "$SOCK" -f /dev/null new-session -d -x "$w" -y "$h" -s shot "$*"
	sleep 2.5
}
keys() { tmux -S "$SOCK" send-keys -t shot "$@"; sleep 0.6; }
shot() { # NAME [--light]
	tmux -S "$SOCK" capture-pane -p -e -N -t shot > "$OUT/$1.ans"
	/usr/bin/python3 "$OUT/render.py" "$OUT/$1.ans" "$OUT/$1.png" ${2:-}
	rm -f "$OUT/$1.ans"
	echo "$OUT/$1.png"
}

run 120 28 "$CARPTOP" --demo=healthy,split-brain,node-down,maintenance
shot overview
keys / s p l i t Enter
shot overview-filter
keys Escape

run 100 28 "$CARPTOP" --demo
shot pair-healthy
keys Tab 3
shot node-detail
keys '?'
shot help

run 100 28 "$CARPTOP" --demo=split-brain
shot pair-split-brain
keys f Enter
shot finding-detail

run 100 28 "$CARPTOP" --demo
keys m
shot confirm-maintenance
keys y
sleep 4
keys 4
shot event-log

run 100 28 "$CARPTOP" --demo --read-only
keys 2 d
shot read-only

run 80 24 "$CARPTOP" --demo=split-brain --wall
shot wall-split-brain-80x24
run 80 24 "$CARPTOP" --demo --wall
shot wall-healthy-80x24
run 160 48 "$CARPTOP" --demo=node-down --wall
shot wall-node-down-160x48
run 160 48 "$CARPTOP" --demo=healthy,split-brain,node-down,maintenance --wall
shot wall-four-pairs-160x48

run 100 28 "env CARPTOP_THEME=light $CARPTOP --demo=maintenance"
keys 2
shot pair-light-theme --light
