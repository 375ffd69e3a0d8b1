#!/bin/sh
# Many pairs without firewalls: --demo=a,b,c opens one simulated cluster per
# scenario, named after it, and a config can name sim nodes; both go through
# the same in-process simulator.
. "$(dirname "$0")/lib.sh"

start 120 40 --demo=healthy,split-brain,node-down
check_screen '^.healthy +OK +1:fw1 3:fw1 ' 'three-scenario demo: the healthy cluster'
check_screen '^.split-brain +CRITICAL +1:fw1 3:BOTH ' 'three-scenario demo: the split-brain cluster'
check_screen '^.node-down +[A-Z]+ +1:fw1 3:fw1 |^.node-down +[A-Z]+ +1:\? 3:\? ' 'three-scenario demo: the node-down cluster'
check_screen '^ 3 pairs: 2 CRITICAL, 1 OK\.' 'three-scenario demo: three clusters counted by verdict'
# ] moves to the next cluster, --cluster picks one.
key 2
check_screen '^ carptop [0-9.]+  Pair  cluster [a-z-]+ \([0-9]/3\)' 'pair view says which of three'
start 120 40 --demo=healthy,split-brain,node-down --cluster split-brain
check_screen '^ carptop [0-9.]+  [A-Za-z]+ .*split-brain|^.split-brain +CRITICAL' '--cluster split-brain picks the one cluster'
check_absent '^.healthy ' '--cluster: the others are not shown'

# An unknown name in the list is a usage error naming the known ones.
msg=$("$CARPTOP" --demo=healthy,meltdown 2>&1 </dev/null)
check_eq "$?" 3 'unknown scenario in the list exits 3'
case $msg in
*"unknown demo scenario 'meltdown'; known: healthy maintenance"*) ok 'the message names the known scenarios' ;;
*) not_ok "the message names the known scenarios (got: $msg)" ;;
esac

# sim: {scenario: NAME} nodes in a config file.
cat > "$SCRATCH/lab.yaml" <<'YAML'
clusters:
  - name: lab-ok
    nodes:
      - name: a1
        role: primary
        sim: {scenario: healthy}
      - name: a2
        role: secondary
        sim: {}
  - name: lab-split
    nodes:
      - name: b1
        role: primary
        sim: {scenario: split-brain}
      - name: b2
        role: secondary
        sim: {scenario: split-brain}
YAML
start 120 40 -c "$SCRATCH/lab.yaml"
check_screen '^.lab-ok +OK +1:a1 3:a1 ' 'config sim nodes: healthy cluster with the configured names'
check_screen '^.lab-split +CRITICAL +1:b1 3:BOTH ' 'config sim nodes: split-brain cluster'

finish
