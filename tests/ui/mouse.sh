#!/bin/sh
# The mouse (M turns it on): a click picks what the screen drew on that
# line, wherever the banner and the layout put it. Each screen marks its
# lines as it draws them (ui/screens.c, the hit map); before, the pair view
# took lines 2 to 8 as the node panels whatever was there.
. "$(dirname "$0")/lib.sh"

start 120 40 --demo=healthy,split-brain,node-down
check_screen '^>split-brain +CRITICAL ' 'overview: the worst cluster selected at start'
key M
check_screen 'mouse on: click a line or a bar entry' 'M: mouse on'

# Overview: a click on a row selects its cluster.
y=$(line_of '^ node-down +CRITICAL ')
click 5 "$y"
check_screen '^>node-down +CRITICAL ' 'overview: click on the node-down row selects it'
y=$(line_of '^ healthy +OK ')
click 40 "$y"
check_screen '^>healthy +OK ' 'overview: click on the healthy row selects it'
y=$(line_of '^ CLUSTER +VERDICT')
click 5 "$y"
check_screen '^>healthy +OK ' 'overview: a click on the heading changes nothing'

# The function bar: a click on "2Pair" is the key 2.
bar=$(capture | tail -n 1)
x=$(printf '%s\n' "$bar" | awk '{ print index($0, "2Pair") - 1 }')
click "$x" 39
check_screen '^ carptop [0-9.]+  Pair  cluster healthy' 'bar: a click on 2Pair opens the pair view'

# The pair view under the fleet's banner (the split brain elsewhere): the
# node panels start a line lower than without it.
check_screen '^ CRITICAL: split-brain: ' 'pair view: the banner is shown (the panels move down)'
y=$(line_of '^  reachable yes +CARP allowed yes +reachable yes')
click 70 "$y"
check_screen '^  fw1  primary .*> fw2  secondary' 'pair view: a click on the right panel selects fw2'
click 10 "$y"
check_screen '^> fw1  primary .*  fw2  secondary' 'pair view: a click on the left panel selects fw1'

# A VHID row: the row, and the node whose column was clicked.
y=$(line_of '^ +3  LAN ')
head=$(capture | grep -E '^ VHID  INTERFACE' | head -n 1)
x2=$(printf '%s\n' "$head" | awk '{ print index($0, " fw2 ") }')
click "$x2" "$y"
check_screen '^> +3  LAN ' 'VHID table: a click on VHID 3 selects the row'
check_screen '^  fw1  primary .*> fw2  secondary' 'VHID table: ... and fw2, whose column it was'
y=$(line_of '^ +1  WAN ')
click 3 "$y"
check_screen '^> +1  WAN ' 'VHID table: a click on VHID 1 selects it back'
check_screen '^  fw1  primary .*> fw2  secondary' 'VHID table: a click outside the node columns keeps the node'

# A finding: the findings take the focus, that one is selected, Enter
# opens it.
key '['
check_screen '^ carptop [0-9.]+  Pair  cluster node-down' '[ : the cluster above, node-down'
y=$(line_of '^  UNKNOWN +fw2 \(secondary\) is UNKNOWN')
click 20 "$y"
check_screen '^> UNKNOWN +fw2 \(secondary\) is UNKNOWN' 'findings: a click selects that finding'
check_screen 'Up/Down select, Enter opens, Esc back' 'findings: ... and gives them the focus'
key Enter
check_screen ' finding of cluster node-down ' 'Enter opens a finding'
check_screen '^│.*fw2 \(secondary\) is UNKNOWN: node is powered off' '... the clicked one (not the first)'
key Esc Esc
check_screen '^ FINDINGS \(4\)  f: select and open' 'Esc twice: the detail closes, the focus goes back to the VHIDs'

# Node detail has no clickable lines: a click there changes nothing.
key 3
check_screen '^  node +fw1 \(primary, cluster node-down\)' 'node detail of fw1'
click 10 5
check_screen '^  node +fw1 \(primary, cluster node-down\)' 'node detail: a click changes nothing'

finish
