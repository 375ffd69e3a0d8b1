#!/bin/sh
# The one-key actions cannot cause an outage. Every demo scenario x each
# node x the keys m d e s, each answered y when a question comes: no key
# adds a moment without a MASTER that was not there before (the demo's
# transition log, --demo-log: a line with masters=0 written after the key),
# and none puts both nodes in maintenance (the pair view), unless the
# override was typed. The safe case still acts: m on a healthy pair enters
# maintenance on the chosen node, verified. Then the override path: typed
# cluster name, audited; and the refusal that no override lifts (CARP off
# on both nodes).
. "$(dirname "$0")/lib.sh"

STATE=$SCRATCH/state
AUDIT=$STATE/carptop/demo/audit.log
scenarios=$("$CARPTOP" --demo-list | awk '{ print $1 }')

# Transitions after line SKIP of the log that take a VHID from a MASTER to
# none: a new moment without a MASTER (staying without one, as in the
# no-master scenario, is not new).
new_intervals() {
	awk -v skip="$2" '{ v = $5; m = $NF; sub(/masters=/, "", m)
		if (NR > skip && m == 0 && (v in prev) && prev[v] > 0) n++
		if (NR > skip && m == 0 && !(v in prev)) n++
		prev[v] = m } END { print n + 0 }' "$1"
}

both_maint() { capture | grep -Eq 'maintenance ON .*maintenance ON'; }

# run_key SCENARIO NODE KEY: one console, one key, y if asked. Sets OUTCOME
# to asked-done, asked-stopped, refused or nothing.
run_key() {
	log=$SCRATCH/demo-$1-$2-$3.log
	rm -f "$log"
	start 120 40 "XDG_STATE_HOME=$STATE" --demo="$1" --demo-log "$log"
	wait_for '^>demo |^ demo  [A-Z]+( |$)' 10 || { OUTCOME=no-console; return; }
	key 2
	wait_for 'VHID  INTERFACE' 5
	[ "$2" = fw2 ] && key Tab
	sleep 0.3
	maint_before=no
	both_maint && maint_before=yes
	lines_before=$(wc -l <"$log")
	key "$3"
	OUTCOME=nothing
	if wait_for '\[y/N\]$|^REFUSED' 10; then
		if capture | grep -q '\[y/N\]$'; then
			sleep 0.6
			key y
			if wait_for 'done, every step verified|stopped at step|REFUSED' 20; then
				if capture | grep -q 'done, every step verified'; then OUTCOME=asked-done; else OUTCOME=asked-stopped; fi
			fi
		else
			OUTCOME=refused
			key Esc # an override offer is not taken up here
		fi
	fi
	sleep 0.5
	key Esc 2
	sleep 0.3
	new_no_master=$(new_intervals "$log" "$lines_before")
	maint_after=no
	both_maint && maint_after=yes
	maint_now=no
	capture | grep -Eq '^  demotion [0-9]+ +maintenance ON' && maint_now=yes
	t kill-server 2>/dev/null
}

total=0
for s in $scenarios; do
	for n in fw1 fw2; do
		for kk in m d e s; do
			run_key "$s" "$n" "$kk"
			total=$((total + 1))
			what="$s $n $kk ($OUTCOME)"
			if [ "$OUTCOME" = no-console ]; then not_ok "$what: console up"; continue; fi
			if [ "$new_no_master" -eq 0 ]; then ok "$what: no new moment without a MASTER"; else
				not_ok "$what: $new_no_master new transition(s) to no MASTER"
				tail -n +"$((lines_before + 1))" "$log" | sed 's/^/#   /'
			fi
			if [ "$maint_after" = yes ] && [ "$maint_before" = no ]; then
				not_ok "$what: both nodes in maintenance"
			else
				ok "$what: not both nodes newly in maintenance"
			fi
			case "$s $n $kk" in
			'healthy fw1 m')
				check_eq "$OUTCOME" asked-done 'healthy fw1 m: asked, done and verified'
				check_eq "$maint_now" yes 'healthy fw1 m: fw1 in maintenance now'
				check_eq "$(grep -c 'node=fw1 action=maintenance-enter result=step-done' "$AUDIT")" 1 'healthy fw1 m: the step verified, in the audit log'
				;;
			'carp-disabled fw1 d' | 'node-down fw1 d' | 'node-down fw1 m' | 'maintenance fw2 m' | 'no-master fw1 m')
				check_eq "$OUTCOME" refused "$s $n $k: refused up front, before any question"
				;;
			'node-down fw1 e')
				check_eq "$OUTCOME" asked-done 'node-down fw1 e: enabling (a recovery) stays allowed on the only live node'
				;;
			esac
		done
	done
done
check_eq "$total" 80 'the sweep covered 10 scenarios x 2 nodes x 4 keys'

# The override: maintenance on fw2 while fw1 is in maintenance, the
# cluster's name typed, then the OVERRIDE question and y.
log=$SCRATCH/override.log
start 120 40 "XDG_STATE_HOME=$STATE" --demo=maintenance --demo-log "$log"
check_screen '^>demo |^ demo  [A-Z]+( |$)' 'override: up'
key Tab m
check_screen '^REFUSED maintenance-enter: fw1 is in maintenance mode: entering maintenance on fw2 puts both nodes in' 'override: refused, with the reason'
check_screen 'type the cluster.s name \(demo\) and Enter' 'override: the typed name is offered'
key d e m o Enter
check_screen '^OVERRIDE\. Cluster demo: Enter maintenance mode on fw2\?' 'override: the question says OVERRIDE'
sleep 0.6
key y
check_screen 'fw2 entered maintenance \(demotion [0-9]+\): done, every step verified' 'override: carried out and verified'
check_eq "$(grep -c 'action=maintenance-enter result=override' "$AUDIT")" 1 'override: the typed override is in the audit log'
check_eq "$(grep -c 'action=maintenance-enter result=forced' "$AUDIT")" 1 'override: the forced run is in the audit log'
key 2
check_screen 'maintenance ON .*maintenance ON' 'override: both nodes in maintenance, as the operator insisted'

# A wrong name overrides nothing.
start 120 40 "XDG_STATE_HOME=$STATE" --demo=node-down
check_screen '^>demo |^ demo  [A-Z]+( |$)' 'wrong name: up'
key d
check_screen '^REFUSED carp-disable: fw2 cannot be reached' 'node-down d: refused'
key d m o Enter
check_screen "'dmo' is not the cluster's name: not overridden, nothing was changed" 'wrong name: nothing overridden'

# CARP off on both nodes: no override is offered.
start 120 40 "XDG_STATE_HOME=$STATE" --demo=carp-disabled
check_screen '^>demo |^ demo  [A-Z]+( |$)' 'never both: up'
key d
check_screen '^REFUSED carp-disable on demo, nothing was changed: fw2 has CARP disabled: disabling CARP on fw1 too would leave VHIDs 1,' 'carp-disabled d: refused with the consequence'
check_absent 'type the cluster.s name' 'carp-disabled d: no override offered'

finish
