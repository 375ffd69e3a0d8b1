#!/bin/sh
# The drift view (5): --demo=drift's planted differences (the LAN IPv6 rule
# deleted by hand on fw2, the LAN CARP VIP /32 instead of /24) grouped by
# section with both nodes' values; it scrolls; the healthy demo says there
# is no drift; with a node down the drift is not known and nothing is
# listed.
. "$(dirname "$0")/lib.sh"

start 120 40 --demo=drift
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'console up'
key 5
check_screen '^ carptop [0-9.]+  Drift  cluster demo' 'header: the drift view of demo'
check_screen '^ Config drift on cluster demo: fw1 \(primary\) against fw2 \(secondary\)$' 'title names both nodes'
check_screen '^ 2 differences in 2 sections\.$' 'two differences in two sections'
check_screen '^ filter \(1 difference\)$' 'section filter'
check_screen '^   filter/rule\[3\]$' 'the deleted LAN IPv6 rule'
check_screen "^     fw1  pass lan inet6 'Default allow LAN IPv6 to any rule'\$" 'the rule on fw1, whole'
check_screen '^     fw2  \(absent\)$' 'the rule absent on fw2'
check_screen '^ virtualip \(1 difference\)$' 'section virtualip'
check_screen '^   virtualip/vip\[vhid=3,lan\]/subnet_bits$' 'the VIP prefix'
check_screen '^     fw1  24$' 'fw1: /24'
check_screen '^     fw2  32$' 'fw2: /32'
# Grouped: each entry under its own section.
order=$(capture | grep -nE '^ (filter|virtualip) \(|^   (filter|virtualip)/' | sed 's/:.*//' | tr '\n' ' ')
lines=$(capture | grep -E '^ (filter|virtualip) \(|^   (filter|virtualip)/' | awk '{ print $1 }' | tr '\n' ' ')
check_eq "$lines" 'filter filter/rule[3] virtualip virtualip/vip[vhid=3,lan]/subnet_bits ' "entries under their sections (lines $order)"
check_absent 'No drift|not known' 'no other state claimed'

# Scrollable: in 80x14 the last entry is below the fold until End.
start 80 14 --demo=drift
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'small console up'
key 5
check_screen '^ \.\.\. [0-9]+ more lines \(Down, PgDn\)$' 'small: says there is more'
check_absent '^     fw2  32$' 'small: the last value below the fold'
key End
check_screen '^     fw2  32$' 'small: End scrolls to the last value'
key Home
check_screen '^ Config drift on cluster demo' 'small: Home back to the top'

# The healthy pair: no drift, said plainly.
start 120 40 --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'healthy: up'
key 5
check_screen '^ No drift: the synced sections of fw1.s and fw2.s config\.xml agree\.$' 'healthy: no drift'
check_absent '\(absent\)|difference' 'healthy: nothing listed'

# A node that cannot be reached: its config is not known, so no drift is
# claimed either way.
start 120 40 --demo=node-down
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'node-down: up'
key 5
check_screen '^ Drift not known: the two configurations were not both read\.$' 'node-down: drift not known'
check_screen '^   fw2 cannot be reached \(' 'node-down: says why, for fw2'
check_absent 'No drift|\(absent\)' 'node-down: no entries, no "no drift"'

finish
