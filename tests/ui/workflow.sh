#!/bin/sh
# The workflow view (6): add-alias vhid=3 address=192.168.1.5/24 run from
# the console on the demo pair: the parameters, the plan with every step's
# reason, the [y/N], every step ok, and then the pair carries the alias on
# VHID 3 on both nodes with no split brain. A checkpoint question (update)
# declined stops the run resumable, and U rolls it back. Quitting while a
# workflow runs asks first. In --read-only the workflow keys do nothing and
# nothing is sent (CARPTOP_MUTATION_REPORT, see mutations.sh).
. "$(dirname "$0")/lib.sh"

report=$SCRATCH/mutations
STATE=$SCRATCH/state
JOURNALS=$STATE/carptop/demo/journal # demo runs keep their own state

start 120 45 "XDG_STATE_HOME=$STATE" "CARPTOP_MUTATION_REPORT=$report" --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'console up'
key 6
check_screen '^ > update +rolling firmware update' 'workflow list, update selected'
key Down
check_screen '^ > add-alias +add an IP alias to an active VHID without split brain +vhid=N address=A/P$' 'Down selects add-alias'
key w
check_screen '^ add-alias on cluster demo: its parameters$' 'w asks for the parameters'
check_screen '^   vhid +\[_\] +N$' 'vhid field first'
key 3 Tab 192.168.1.5/24
check_screen '^   vhid +\[3\] +N$' 'vhid typed'
check_screen '^   address +\[192\.168\.1\.5/24_\] +A/P$' 'address typed'
key Enter
check_screen '^ Workflow add-alias on cluster demo: add an IP alias to an active VHID without split brain$' 'the plan'
check_screen '^    1\. Disable CARP on fw2$' 'plan: fw2, the BACKUP, is the node changed first'
check_screen '^       why: Disable CARP \(not maintenance\) so the other node serves alone' 'plan: the reason of step 1'
check_eq "$(capture | grep -c '^       why: ')" 9 'plan: nine steps, each with its reason'
check_screen '^Cluster demo: start add-alias \(9 steps, see the plan\)\? Adds the IP alias 192\.168\.1\.5/24 to VHID 3' 'asks before anything is sent, naming VHID and address'
check_screen '\[y/N\]$' 'the [y/N] shows'
check_screen '^   What it does: Adds the IP alias 192\.168\.1\.5/24 to VHID 3: on fw2 first' 'the plan names VHID and address'
sleep 0.6
key y
check_screen '^ add-alias on cluster demo: DONE$' 'the run finishes' 30
check_eq "$(capture | grep -cE '^ +[1-9]\. .+ ok( |$)')" 9 'every step shows ok'
check_absent '^ +[1-9]\. .+ (FAILED|pending|running|skipped)( |$)' 'no step failed, skipped or left'
check_screen '^ +9\. Verify no split brain and roles back as before +ok +no split brain; roles as before' 'the last step verified no split brain'
check_screen '^ add-alias on cluster demo: done, every step verified\.$' 'the result said plainly'

key 2
check_screen '^ +3  LAN +192\.168\.1\.1/24, 192\.168\.1\.5/24 +MASTER 0 +BACKUP 100 +ok$' 'pair view: VHID 3 with the alias, one MASTER'
check_screen '^ FINDINGS \(0\)$' 'pair view: no findings'
check_absent 'split' 'pair view: no split brain'
key 3
check_screen '^  node +fw1 ' 'node detail of fw1'
check_screen '^    VHID 3 +LAN +em0 +192\.168\.1\.5/24 +MASTER +advbase 1 advskew 0 ipalias$' 'fw1 carries 192.168.1.5/24 on VHID 3'
key Tab
check_screen '^  node +fw2 ' 'node detail of fw2'
check_screen '^    VHID 3 +LAN +em0 +192\.168\.1\.5/24 +BACKUP +advbase 1 advskew 100 ipalias$' 'fw2 carries 192.168.1.5/24 on VHID 3'
key 4
check_screen '^ [0-9:]{8}  demo/add-alias +Done: every step verified\.$' 'event log: the run, under its name'
key q
check_eq "$(wait_exit 10)" 0 'q after the run: no question, status 0'
# disable, add, apply, add, apply, enable: six calls, one request.
check_eq "$(sed -n 1p "$report" 2>/dev/null)" 6 'six mutating calls'
check_eq "$(sed -n 2p "$report" 2>/dev/null)" 'actions-requested 1' 'one request by the operator'
check_eq "$(ls "$JOURNALS" 2>/dev/null | grep -c '^demo\.journal\.[0-9]*\.done$') $(ls "$JOURNALS" | grep -c '^demo\.journal$')" '1 0' 'the journal is closed as done'

# A checkpoint: the update asks before taking the primary down (step 4).
# Declined, the run stops resumable; U rolls it back.
rm -rf "$STATE"
start 120 45 "XDG_STATE_HOME=$STATE" --demo --demo-speed 100
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'update: up'
key 6 w y
check_screen '^Cluster demo: start update \(8 steps, see the plan\)\? Target version 26\.7\.3' 'update: plan and question name the target version'
sleep 0.7
check_screen '^Cluster demo: start update' 'update: a y typed with w is not the answer (half-second guard)'
key y
check_screen '^CHECKPOINT update on cluster demo, step 4 of 8: Check that fw2 serves' 'update: the checkpoint is pending on the status line' 60
check_screen '^ update on cluster demo: WAITING FOR YOU at step 4 of 8$' 'update: the view says it waits'
check_screen '^ +4\. Check that fw2 serves .* running +waiting for your answer on the status line$' 'update: step 4 waits for the answer'
# Navigating keeps it pending: 2, ?, arrows, Esc, q (asks first) do what they always do.
key 2
check_screen '^ VHID  INTERFACE' 'checkpoint: 2 shows the pair view'
check_screen '^CHECKPOINT update on cluster demo, step 4 of 8' 'checkpoint: still pending after 2'
key Down Up
check_screen '^CHECKPOINT update on cluster demo, step 4 of 8' 'checkpoint: still pending after the arrows'
key '?'
check_screen 'carptop [0-9.]+ keys' 'checkpoint: ? shows the help'
key x Esc
check_screen '^>demo ' 'checkpoint: Esc goes back to the overview'
check_screen '^CHECKPOINT update on cluster demo, step 4 of 8' 'checkpoint: still pending after ? and Esc'
key q
check_screen '^update is running on cluster demo\. Quit\?' 'checkpoint: q asks first'
key n
check_screen '^CHECKPOINT update on cluster demo, step 4 of 8' 'checkpoint: still pending after q, n'
check_absent 'STOPPED' 'checkpoint: nothing declined it'
key 6
check_screen '^ update on cluster demo: WAITING FOR YOU at step 4 of 8$' 'checkpoint: the run still waits'
sleep 0.6 # the half-second guard since the checkpoint appeared
key n
check_screen '^ update on cluster demo: STOPPED at step 4 of 8$' 'update: declined, stopped'
check_screen '^ +4\. Check that fw2 serves .* FAILED +the operator declined$' 'update: step 4 FAILED with the reason'
check_screen '^ Unfinished update \(its journal is kept\): R resumes it from the step it stopped at, U undoes' 'update: resume or rollback offered'
check_eq "$(ls "$JOURNALS" 2>/dev/null | grep -c '^demo\.journal$')" 1 'update: the journal stays'
AUDIT=$STATE/carptop/demo/audit.log
check_eq "$(grep -c 'action=update result=declined detail=step 4 ' "$AUDIT")" 1 'audit: the decline is logged'
check_eq "$(grep -c 'action=update result=stopped detail=step 4 ' "$AUDIT")" 1 'audit: the stop is logged'
check_eq "$(grep -c 'action=update result=step-done detail=step 1 ' "$AUDIT")" 1 'audit: each step is logged'
check_eq "$(grep -c 'action=update result=workflow-start' "$AUDIT")" 1 'audit: the start is logged'
key U
check_screen '^Roll back the unfinished update on cluster demo' 'rollback: asks first'
sleep 0.6
key y
check_screen '^ rollback of update on cluster demo: ROLLED BACK$' 'rollback: done' 30
check_screen '^ +1\. Undo: leave maintenance mode on fw1 +ok ' 'rollback: fw1 out of maintenance again'
key 2
check_screen '^  demotion 0   maintenance OFF +demotion 0   maintenance OFF$' 'rollback: no node in maintenance'

# Quitting while a workflow runs asks, and stops it resumable.
rm -rf "$STATE"
start 120 45 "XDG_STATE_HOME=$STATE" --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'quit: up'
key 6 w
check_screen '^Cluster demo: start update' 'quit: update planned'
sleep 0.6
key y
check_screen '^ update on cluster demo: RUNNING step 1 of 8$' 'quit: update running'
key q
check_screen '^update is running on cluster demo\. Quit\? It is stopped safely' 'quit: asks first'
key n
check_screen '^not quitting: the workflow goes on$' 'quit: n keeps it running'
check_screen '^ update on cluster demo: RUNNING step 1 of 8$' 'quit: still running'
key q y
check_eq "$(wait_exit 10)" 0 'quit: y quits with status 0'
check_eq "$(ls "$JOURNALS" 2>/dev/null | grep -c '^demo\.journal$')" 1 'quit: the journal stays for a resume'
check_eq "$(grep -c 'failed the console quit\|failed the operator quit the console' "$JOURNALS/demo.journal" 2>/dev/null)" 1 'quit: the journal says why it stopped'
# A console started with the unfinished journal says so on its first screen.
start 120 45 "XDG_STATE_HOME=$STATE" --demo
check_screen '^cluster demo has an unfinished update: R resumes it, U rolls it back$' 'restart: the first screen says a journal is unfinished'
check_screen '^ Unfinished update \(its journal is kept\): R resumes it' 'restart: ... on the Workflows screen, offering R and U'
check_eq "$(grep -c 'action=update result=aborted' "$STATE/carptop/demo/audit.log")" 1 'audit: the abort by quitting is logged'
key q
check_eq "$(wait_exit 10)" 0 'restart: quit'

# Read-only: the workflow keys and Enter on the list do nothing.
rm -rf "$STATE" "$report"
start 120 45 "XDG_STATE_HOME=$STATE" "CARPTOP_MUTATION_REPORT=$report" --demo --read-only
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'read-only: up'
key 6
check_screen '^ \[refused\] w or Enter: run the selected workflow' 'read-only: the keys shown refused'
key Down w
check_screen '^read-only: workflow refused$' 'read-only: w refused'
key Enter R U X y
check_absent 'its parameters|\[y/N\]|Workflow add-alias' 'read-only: no form, no plan, no question'
key q
check_eq "$(wait_exit 10)" 0 'read-only: quit with status 0'
check_eq "$(sed -n 1p "$report" 2>/dev/null)" 0 'read-only: zero mutating calls'
check_eq "$(sed -n 2p "$report" 2>/dev/null)" 'actions-requested 0' 'read-only: no action requested'
check_eq "$(ls "$JOURNALS" 2>/dev/null | wc -l)" 0 'read-only: no journal written'

finish
