#!/bin/sh
# Filter and sort, as htop and k9s users expect: / narrows the overview,
# the findings and the event log by substring, Esc clears it; the overview
# sorts worst first, F6 and > pick the next column. Ctrl-Z suspends to a
# job-control shell and fg brings the screen back.
. "$(dirname "$0")/lib.sh"

# Rows of the overview in screen order: the cluster names.
rows() { capture | sed -n 's/^[> ]\(healthy\|split-brain\|node-down\) .*/\1/p' | tr '\n' ' '; }
# check_rows WANT DESCRIPTION: the rows become WANT within 5 s.
check_rows() {
	deadline=$(($(date +%s) + 5))
	while [ "$(rows)" != "$1" ] && [ "$(date +%s)" -le "$deadline" ]; do sleep 0.05; done
	check_eq "$(rows)" "$1" "$2"
}

for size in "80 24" "120 40" "200 60"; do
	set -- $size
	start "$1" "$2" --demo=healthy,split-brain,node-down
	check_screen '^.node-down ' "$1x$2: overview of three clusters"
	wait_for '^.healthy +OK' 5
	check_rows 'split-brain node-down healthy ' "$1x$2: worst first (CRITICAL, then the rest, OK last)"
	key / s p l i t
	check_screen '^Filter \(.*\): split_' "$1x$2: / shows what is typed"
	key Enter
	check_rows 'split-brain ' "$1x$2: /split leaves only the split-brain cluster"
	check_screen 'filter "split"' "$1x$2: the header shows the filter"
	key Esc
	check_rows 'split-brain node-down healthy ' "$1x$2: Esc clears the filter"
done

# Other columns, and a filter on text of a finding (not a name).
start 120 40 --demo=healthy,split-brain,node-down
check_screen '^.node-down ' 'overview up'
wait_for '^.healthy +OK' 5
key F6
check_screen 'overview sorted by name' 'F6: sorted by name'
check_rows 'healthy node-down split-brain ' 'F6: rows by name'
key '>'
check_screen 'overview sorted by alarms' '>: the next column'
key / p o w e r e d Enter
check_rows 'node-down ' '/powered: the cluster whose finding says "powered off"'
key / Esc
check_rows 'split-brain node-down healthy ' 'Esc while typing clears the filter (sorted by alarms)'
key / n o m a t c h Enter
check_screen 'No cluster matches "nomatch"' 'a filter that matches nothing says so'
key Esc

# The event log: only the matching events.
key 4
check_screen '^ [0-9:]{8}  split-brain/fw1 ' 'event log: split-brain events'
key / n o d e - d o w n Enter
check_screen '^ [0-9:]{8}  node-down/fw1 ' 'event log filtered: node-down events stay'
check_absent '^ [0-9:]{8}  (healthy|split-brain)/' 'event log filtered: the others are gone'
key Esc
check_screen '^ [0-9:]{8}  healthy/fw1 ' 'event log: Esc shows everything again'

# The findings of a pair view.
key 1 Home
key Enter
check_screen '^ carptop [0-9.]+  Pair  cluster split-brain' 'Enter: pair view of the first row (split-brain)'
key / a l i a s Enter
check_screen '^ FINDINGS \(1 of 4 match "alias"\)' 'pair view: the filter keeps the matching findings'
check_absent '^  WARNING ' 'pair view: the others are hidden'

# Ctrl-Z from a job-control shell: stopped, fg restores the screen.
start_shell 100 30
check_screen '^PROMPT\$ ?$' 'shell prompt'
t send-keys -t test "set -m; $(quote "$CARPTOP") --demo" Enter
check_screen '^ demo  [A-Z]+( |$)' 'console up from the shell'
key Ctrl-Z
check_screen '^PROMPT\$ ?$' 'Ctrl-Z: back at the shell prompt'
check_eq "$(pane alternate_on)" 0 'Ctrl-Z: the shell screen is back'
t send-keys -t test 'fg; echo "EXIT=$?"' Enter
check_screen '^ carptop [0-9.]+  Pair  cluster demo' 'fg: the console is drawn again'
check_screen '^ VHID  INTERFACE ' 'fg: the whole screen, not a blank one'
key q
check_screen '^EXIT=0$' 'q after fg: status 0'

# Without job control (a pane running carptop directly) Ctrl-Z says why not.
start 100 30 --demo
check_screen '^ demo  [A-Z]+( |$)' 'console up'
key Ctrl-Z
check_screen '^Ctrl-Z: no shell with job control to return to \(q quits\)' 'no job control: Ctrl-Z explains itself'

finish
