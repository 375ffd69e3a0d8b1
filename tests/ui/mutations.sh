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

# The normal console: m is the one-step workflow maintenance-enter: the
# question names the cluster, the peer's state and the consequence; y
# (after the half-second guard): exactly one call, verified.
rm -f "$report"
start 100 30 "XDG_STATE_HOME=$SCRATCH/state" "CARPTOP_MUTATION_REPORT=$report" --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'normal: up'
key m
check_screen '^Cluster demo: Enter maintenance mode on fw1\? Peer fw2: CARP on, maintenance off' 'normal: m asks, naming cluster, node and peer state'
sleep 0.6
key y
check_screen '^fw1 entered maintenance \(demotion 240\): done, every step verified' 'normal: done and verified, in words'
key 2
check_screen '^  demotion 240   maintenance ON ' 'normal: fw1 now in maintenance'
key q
check_eq "$(wait_exit 10)" 0 'normal: quit with status 0'
check_eq "$(sed -n 1p "$report" 2>/dev/null)" 1 'normal: exactly one mutating call'
check_eq "$(sed -n 2p "$report" 2>/dev/null)" 'actions-requested 1' 'normal: one action requested'
check_eq "$(grep -c 'action=maintenance-enter result=completed' "$SCRATCH/state/carptop/demo/audit.log" 2>/dev/null)" 1 'normal: the demo audit log has the completed run'
check_eq "$(ls "$SCRATCH/state/carptop/audit.log" 2>/dev/null | wc -l)" 0 'normal: the real audit log is untouched by the demo'

# Declined confirmations send nothing; a key typed as the question
# appears is not its answer.
rm -f "$report"
start 100 30 "CARPTOP_MUTATION_REPORT=$report" --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'declined: up'
key m y
check_screen '^Cluster demo: Enter maintenance mode on fw1\?' 'declined: the question appears'
sleep 0.7
check_screen '^Cluster demo: Enter maintenance mode on fw1\?' 'declined: a y typed with m was not taken as the answer'
key n
check_screen 'cancelled: nothing was changed$' 'declined: n cancels'
key Tab d
check_screen '^Cluster demo: Disable CARP on fw2\? Peer fw1: CARP on, maintenance off' 'd on fw2 asks, naming the peer'
check_screen 'VHIDs 1, 3 go away; fw1 serves them alone\. \[y/N\]$' 'd on fw2 says the consequence'
sleep 0.6
key N q
check_eq "$(wait_exit 10)" 0 'declined: quit with status 0'
check_eq "$(sed -n 1p "$report" 2>/dev/null)" 0 'declined: zero mutating calls'

# At 80 columns the question takes two lines and [y/N] stays visible.
start 80 24 --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' '80 cols: up'
key m
check_screen '^Cluster demo: Enter maintenance mode on fw1\? Peer fw2: CARP on, maintenance' '80 cols: the question starts on the line above the status line'
check_screen 'fw2 takes them over\. \[y/N\]$' '80 cols: ... and ends with [y/N] on the status line'
check_eq "$(capture | sed -n 23p | grep -c '\[y/N\]$')" 1 '80 cols: [y/N] on the last line but the bar'
sleep 0.6
key n q
finish
