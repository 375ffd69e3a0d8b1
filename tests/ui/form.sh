#!/bin/sh
# The add-alias form lists the cluster's VHIDs with their interfaces, and a
# refused value does not throw away what was typed: w again shows it.
. "$(dirname "$0")/lib.sh"

STATE=$SCRATCH/state
start 120 45 "XDG_STATE_HOME=$STATE" --demo
check_screen '^ demo  [A-Z]+( |$)' 'console up'
key 6 Down w
check_screen '^ add-alias on cluster demo: its parameters$' 'w asks for the parameters'
check_screen '^   VHIDs +1 +WAN +172\.18\.0\.100/24$' 'the form lists VHID 1 with its interface'
check_screen '^ {14}3 +LAN +192\.168\.1\.1/24$' 'and VHID 3'
key 9 Tab 192.168.1.5/24 Enter
check_screen 'refused, nothing was changed: VHID 9 is not a CARP VIP' 'VHID 9 is refused' 10
key w
check_screen '^   vhid +\[9_?\] +N$' 'w again: the vhid typed before is kept'
check_screen '^   address +\[192\.168\.1\.5/24_?\] +A/P$' 'and the address'
key Esc
# R and U elsewhere open the workflow view and say why.
key 1 R
check_screen '^ carptop [0-9.]+  Workflows ' 'R: the workflow view'
check_screen '^R: resuming and undoing happen on the workflow view; press R again here' 'R says why the screen changed'
key 2 U
check_screen '^U: resuming and undoing happen on the workflow view; press U again here' 'U says why'
finish
