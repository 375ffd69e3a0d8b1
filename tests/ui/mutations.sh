#!/bin/sh
# In --wall and --read-only, every key of the key table, on every screen,
# each followed by "y" (as if confirming), makes zero mutating calls and the
# console asks for no action at all. In the normal console a confirmed m
# makes exactly one (so the counter can fail).
# CARPTOP_MUTATION_REPORT=FILE: at exit carptop writes app_mutations() on
# line 1 and "actions-requested N" on line 2.
. "$(dirname "$0")/lib.sh"

keys=$(man_keys)
report=$SCRATCH/mutations

every_key() {
	for screen in 1 2 3 4 5 6; do
		key "$screen"
		for k in $keys; do
			case $k in
			q | F10) continue ;;
			/ | F3 | F4) key "$k" y Esc; continue ;; # a text entry: typed into, then closed
			esac
			key "$k" y
		done
	done
}

for mode in --wall --read-only; do
	rm -f "$report"
	start 100 30 "CARPTOP_MUTATION_REPORT=$report" --demo "$mode"
	check_screen 'all clusters OK|^>demo |^ demo  [A-Z]+( |$)' "$mode: up"
	every_key
	# Still alive and answering after all that.
	key '?'
	check_screen 'carptop [0-9.]+ keys' "$mode: still answering after every key"
	key x q
	check_eq "$(wait_exit 10)" 0 "$mode: quit with status 0"
	check_eq "$(sed -n 1p "$report" 2>/dev/null)" 0 "$mode: zero mutating calls"
	check_eq "$(sed -n 2p "$report" 2>/dev/null)" 'actions-requested 0' "$mode: no action requested"
done

# The normal console: m, the current state and [y/N], y: exactly one call.
rm -f "$report"
start 100 30 "CARPTOP_MUTATION_REPORT=$report" --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'normal: up'
key m
check_screen '^fw1 maintenance is OFF -> enter\. Toggle maintenance on fw1\? \[y/N\]$' 'normal: m shows the state and asks'
key y
check_screen '^fw1 entered maintenance \(demotion 240\)$' 'normal: the result in words, from the state the node shows now' 10
check_absent '"status"|\{' 'normal: no raw JSON on the screen'
key 2
check_screen '^  demotion 240   maintenance ON ' 'normal: fw1 now in maintenance'
key q
check_eq "$(wait_exit 10)" 0 'normal: quit with status 0'
check_eq "$(sed -n 1p "$report" 2>/dev/null)" 1 'normal: exactly one mutating call'
check_eq "$(sed -n 2p "$report" 2>/dev/null)" 'actions-requested 1' 'normal: one action requested'

# Declined confirmations send nothing.
rm -f "$report"
start 100 30 "CARPTOP_MUTATION_REPORT=$report" --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'declined: up'
key m n d Esc e x s Enter
key Tab d
check_screen '^fw2 CARP is enabled \(MASTER for no VHID\) -> disable: its VIPs go away\. Disable CARP on fw2\? \[y/N\]$' 'd on fw2 shows its state'
key N q
check_eq "$(wait_exit 10)" 0 'declined: quit with status 0'
check_eq "$(sed -n 1p "$report" 2>/dev/null)" 0 'declined: zero mutating calls'

finish
