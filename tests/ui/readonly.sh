#!/bin/sh
# --read-only: the keys that change a node are greyed out in the function
# bar (dim, the theme's "inactive") and refused with "read-only: <action>
# refused"; the normal console shows them ordinary (so the check can fail).
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')

# The SGR attributes in force where TEXT starts on the last line.
attrs_before() {
	t capture-pane -p -e -t test | tail -n 1 | awk -v want="$1" -v esc="$ESC" '
	{
		line = $0; cur = ""
		while (length(line) > 0) {
			if (substr(line, 1, 2) == esc "[") {
				m = match(line, /^\033\[[0-9;]*m/)
				seq = substr(line, 3, RLENGTH - 3)
				if (seq == "0" || seq == "") cur = ""; else cur = cur ";" seq
				line = substr(line, RLENGTH + 1)
				continue
			}
			if (substr(line, 1, length(want)) == want) { print cur; exit }
			line = substr(line, 2)
		}
	}'
}

# Is SGR parameter 2 (dim) among the attributes in force?
is_dim() {
	printf '%s\n' "$1" | tr ';' '\n' | grep -qx 2
}

start 120 45 --demo --read-only
check_screen '^\?Help 1All 2Pair 3Node 4Log 5Drift 6Flow /Filter fFindings mMaint dDisable eEnable sSync qQuit +\[read-only\]$' 'function bar marks read-only'
check_screen 'READ-ONLY  updated' 'header says READ-ONLY'
for k in mMaint dDisable eEnable sSync; do
	a=$(attrs_before "$k")
	if is_dim "$a"; then ok "read-only: $k greyed (SGR$a)"; else not_ok "read-only: $k greyed (SGR '$a')"; fi
done
for k in qQuit 2Pair; do
	a=$(attrs_before "$k")
	if is_dim "$a"; then not_ok "read-only: $k not greyed (SGR$a)"; else ok "read-only: $k not greyed"; fi
done

key m
check_screen '^read-only: maintenance-toggle refused$' 'm refused'
key d
check_screen '^read-only: carp-disable refused$' 'd refused'
key e
check_screen '^read-only: carp-enable refused$' 'e refused'
key s
check_screen '^read-only: sync refused$' 's refused'
check_absent '\[y/N\]' 'no confirmation offered'
key '?'
check_screen '^│ m +\[refused\] enter or leave persistent maintenance' 'help marks m refused'
check_screen '^│ Read-only: greyed keys are refused' 'help explains the greying'
key x

# The normal console: the same bar, nothing greyed, no [read-only].
start 100 30 --demo
check_screen '^\?Help 1All 2Pair 3Node 4Log 5Drift 6Flow /Filter fFindings mMaint dDisable eEnable sSync qQuit$' 'normal console: function bar'
a=$(attrs_before mMaint)
if is_dim "$a"; then not_ok "normal console: mMaint not greyed (SGR$a)"; else ok 'normal console: mMaint not greyed'; fi
key m
check_screen '^Cluster demo: Enter maintenance mode on fw1\? Peer fw2: CARP on, maintenance off' 'normal console: m asks first, naming the cluster and the peer state'
check_screen 'MASTER for VHIDs 1, 3: fw2 takes them over\. \[y/N\]$' 'normal console: ... and the consequence, [y/N] shown'
sleep 0.6 # keys in the first half second are not answers
key n
check_screen '^maintenance-enter on demo cancelled: nothing was changed$' 'anything but y cancels'

finish
