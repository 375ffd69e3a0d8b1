#!/bin/sh
# The healthy demo pair: VHID 1 (WAN) and VHID 3 (LAN) MASTER on fw1 and
# BACKUP on fw2, on the overview, the pair view and the wall.
. "$(dirname "$0")/lib.sh"

start 100 30 --demo
# One cluster opens on its pair view; 1 shows the overview.
check_screen '^ carptop [0-9.]+  Pair  cluster demo' 'one cluster: opens on the pair view'
key 1
check_screen '^>demo +OK +1:fw1 3:fw1 +[0-9]+ / [0-9]+ +0 +[0-9]+s +-$' 'overview: demo OK, MASTER of VHID 1 and 3 is fw1, no drift'
check_screen '^ 1 pair: 1 OK\.' 'overview: summary line (pairs by verdict)'

key 2
check_screen '^ VHID  INTERFACE  VIP ADDRESSES +fw1 +fw2 +VERDICT$' 'pair view: VHID table heading'
check_screen '^> +1  WAN +172\.18\.0\.100/24 +MASTER 0 +BACKUP 100 +ok$' 'pair view: VHID 1 MASTER on fw1, BACKUP on fw2'
check_screen '^ +3  LAN +192\.168\.1\.1/24 +MASTER 0 +BACKUP 100 +ok$' 'pair view: VHID 3 MASTER on fw1, BACKUP on fw2'
check_screen '^> fw1  primary  sim .* fw2  secondary  sim ' 'pair view: both node headers, fw1 selected'
check_screen '^  reachable yes   CARP allowed yes +reachable yes   CARP allowed yes$' 'pair view: both reachable, CARP allowed'
check_screen '^  demotion 0   maintenance OFF +demotion 0   maintenance OFF$' 'pair view: demotion and maintenance'
check_screen '^ PFSYNC  states fw1 [0-9]+  fw2 [0-9]+  difference [0-9]+ \(' 'pair view: pfsync state counts'
check_screen '^ FINDINGS \(0\)$' 'pair view: no findings'
check_screen 'updated [0-9][0-9]:[0-9][0-9]:[0-9][0-9], data [0-9]+s old ?$' 'header: data age visible'

# Down moves the VHID selection; Esc goes back to the overview, Enter
# opens the selected cluster again.
key Down
check_screen '^> +3  LAN ' 'Down selects VHID 3'
check_screen '^ +1  WAN ' 'VHID 1 no longer selected'
key Esc
check_screen '^>demo +OK ' 'Esc: back to the overview'
key Enter
check_screen '^ carptop [0-9.]+  Pair  cluster demo' 'Enter: pair view of demo'

# Tab selects fw2; node detail shows fw2's snapshot.
key Tab
check_screen '^  fw1  primary .*> fw2  secondary' 'Tab selects fw2'
key 3
check_screen '^  node +fw2 \(secondary, cluster demo\)' 'node detail of fw2'
check_screen '^    VHID 1 +WAN +em1 +172\.18\.0\.100/24 +BACKUP +advbase 1 advskew 100 carp$' 'node detail: fw2 VHID 1 BACKUP'
check_screen '^  reachable +yes$' 'node detail: reachable'

key 4
check_screen '^ [0-9:]{8}  demo/fw1 +first poll: reachable; VHID 1 MASTER, VHID 3 MASTER$' 'event log: fw1 first poll'
check_screen '^ [0-9:]{8}  demo/fw2 +first poll: reachable; VHID 1 BACKUP, VHID 3 BACKUP$' 'event log: fw2 first poll'

key 5
check_screen '^ No drift: the synced sections of fw1.s and fw2.s config\.xml agree\.$' 'drift view: no drift'
key 6
check_screen '^ > update +rolling firmware update' 'workflow view: the list of workflows'

start 80 24 --demo --wall
check_screen '^│ VHID 1   WAN    fw1 MASTER   fw2 BACKUP +│$' 'wall: VHID 1 roles'
check_screen '^│ VHID 3   LAN    fw1 MASTER   fw2 BACKUP +│$' 'wall: VHID 3 roles'

finish
