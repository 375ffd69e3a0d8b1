#!/usr/bin/env bash
# Suite 'workflow': the guided procedures end to end against carpsim, over
# the transport named by $TRANSPORT (api, or ssh through a real sshd per
# node: tests/ssh/harness.sh). Checks the emulator's transition log for
# split brain and for moments without a MASTER, injects faults at each step,
# kills carptop with SIGKILL mid-run and resumes, rolls back, and tests the
# interlocks. Over SSH, VIP changes are refused up front (no configctl action
# edits VIPs), so the fault, resume and rollback runs use failover-test
# instead of add-alias, with faults injected on the shims' configctl calls.
. "$(dirname "$0")/lib.sh"
TRANSPORT=${TRANSPORT:-api}
if [ "$TRANSPORT" = ssh ]; then
	# shellcheck disable=SC1091
	. "$(dirname "$0")/../ssh/harness.sh"
	if ! why=$(ssh_harness_usable); then
		echo "1..0 # SKIP $why"
		exit 0
	fi
fi

# The config for the chosen transport (the ssh harness rewrites it).
use_transport() {
	if [ "$TRANSPORT" = ssh ]; then
		# shellcheck disable=SC1091
		. "$(dirname "$0")/../ssh/harness.sh"
		ssh_harness_config "$SIM_DIR" "$CFG" >"$WORK/ssh.yaml" || return 1
		CFG="$WORK/ssh.yaml"
	fi
}

health() { ctl GET "/ctl/health?since=${1:-0}" | awk -v k="$2" '$1 == k { print $2 }'; }
simtime() { ctl GET /ctl/time; }
run_wf() { # run_wf OUTFILE args... ; sets RC
	RC=0
	"$CARPTOP" -c "$CFG" --batch "${@:2}" >"$1" 2>&1 || RC=$?
}
has_alias() { ctl GET "/ctl/text/0/$1/ifconfig" | grep -q "inet 192.168.1.5 "; }
vip_cfg_has_alias() { ctl GET "/ctl/text/0/$1/config-xml" | grep -q "<subnet>192.168.1.5</subnet>"; }
journal_exists() { ls "$XDG_STATE_HOME"/carptop/journal/pair1.journal >/dev/null 2>&1; }
allow_of() { ctl GET "/ctl/text/0/$1/sysctl-carp" | awk -F': ' '/carp.allow/ { print $2 }'; }

# --- add-alias end to end ------------------------------------------------
if [ "$TRANSPORT" = api ]; then
start_sim alias --speed 5 && use_transport
t0=$(simtime)
run_wf "$WORK/alias.txt" --run add-alias vhid=3 address=192.168.1.5/24 --yes
check "add-alias: exit 0" [ "$RC" -eq 0 ]
check "add-alias: one line per step, all ok" [ "$(grep -c '\] .* \.\.\. ok' "$WORK/alias.txt")" -eq 9 ]
check "add-alias: the alias is live on fw1 and fw2" has_alias 0
check "add-alias: ... and on fw2" has_alias 1
check "add-alias: CARP enabled again on fw2" [ "$(allow_of 1)" = 1 ]
check "add-alias: no split brain in the transition log" [ "$(health "$t0" split_brains)" -eq 0 ]
check "add-alias: no moment without a MASTER" [ "$(health "$t0" no_master)" -eq 0 ]
check "add-alias: audit log has every change" [ "$(grep -c 'result=ok' "$XDG_STATE_HOME/carptop/audit.log")" -ge 6 ]
check "add-alias: no unfinished journal left" sh -c "! ls $XDG_STATE_HOME/carptop/journal/pair1.journal 2>/dev/null"
[ "$RC" -eq 0 ] || diag <"$WORK/alias.txt"

# --- without --yes: the plan, nothing changed ----------------------------
start_sim plan && use_transport
run_wf "$WORK/plan.txt" --run add-alias vhid=3 address=192.168.1.5/24
check "plan only: exit 0 and says so" [ "$RC" -eq 0 -a "$(grep -c 'nothing was changed' "$WORK/plan.txt")" -eq 1 ]
check "plan only: zero mutating calls" [ "$(stat_of 0 0 mutations)$(stat_of 0 1 mutations)" = 00 ]
else
# Over SSH a VIP cannot be added (no configctl action edits <virtualip>):
# the workflow must refuse before its first step, with or without --yes.
start_sim alias --speed 5 && use_transport
t0=$(simtime)
run_wf "$WORK/alias.txt" --run add-alias vhid=3 address=192.168.1.5/24 --yes
check "add-alias over ssh: refused (exit $RC)" [ "$RC" -ne 0 ]
check "add-alias over ssh: says VIP add needs the API" grep -q "ssh transport cannot vip-add; configure an api: block" "$WORK/alias.txt"
check "add-alias over ssh: says nothing was changed" grep -q "nothing was changed" "$WORK/alias.txt"
check "add-alias over ssh: no step started" absent '\[ 1/9\]' "$WORK/alias.txt"
check "add-alias over ssh: zero mutating calls" [ "$(stat_of 0 0 mutations)$(stat_of 0 1 mutations)" = 00 ]
check "add-alias over ssh: CARP still enabled on both" [ "$(allow_of 0)$(allow_of 1)" = 11 ]
check "add-alias over ssh: no alias anywhere" sh -c "! curl -s $CARPSIM_CTL/ctl/text/0/0/config-xml $CARPSIM_CTL/ctl/text/0/1/config-xml | grep -q '<subnet>192.168.1.5</subnet>'"
check "add-alias over ssh: no journal left" sh -c "! ls $XDG_STATE_HOME/carptop/journal/pair1.journal 2>/dev/null"
check "add-alias over ssh: no moment without a MASTER" [ "$(health "$t0" no_master)" -eq 0 ]
grep -q "cannot vip-add" "$WORK/alias.txt" || diag <"$WORK/alias.txt"

start_sim plan && use_transport
run_wf "$WORK/plan.txt" --run add-alias vhid=3 address=192.168.1.5/24
check "add-alias plan over ssh: refused too, nothing changed" [ "$RC" -ne 0 -a "$(grep -c 'nothing was changed' "$WORK/plan.txt")" -eq 1 ]
run_wf "$WORK/plan2.txt" --run failover-test
check "failover-test plan over ssh: exit 0 and says so" [ "$RC" -eq 0 -a "$(grep -c 'nothing was changed' "$WORK/plan2.txt")" -eq 1 ]
check "plan only over ssh: zero mutating calls" [ "$(stat_of 0 0 mutations)$(stat_of 0 1 mutations)" = 00 ]
fi

# --- a reconfigure that answers ok but applies nothing on the target ------
# While CARP is disabled on fw2, get_vip_status lists every configured VIP
# as a DISABLED row, the saved alias included: that row only says "saved".
# The alias must be live (not DISABLED) on fw2 once CARP is enabled again.
if [ "$TRANSPORT" = api ]; then
start_sim noop --speed 5 && use_transport
ctl POST "/ctl/fault/0/1?path=/api/interfaces/vip_settings/reconfigure&count=1&kind=noop" >/dev/null
run_wf "$WORK/noop.txt" --run add-alias vhid=3 address=192.168.1.5/24 --yes
check "DISABLED row is not 'live': add-alias stops (exit $RC)" [ "$RC" -eq 2 ]
check "DISABLED row is not 'live': the apply step says saved, not live" grep -q "has 192.168.1.5 saved (CARP is disabled there" "$WORK/noop.txt"
check "DISABLED row is not 'live': stops at the Enable step, naming the alias" grep -q "\[ 8/9\].*FAILED.*fw2 does not show 192.168.1.5" "$WORK/noop.txt"
grep -q "\[ 8/9\].*FAILED" "$WORK/noop.txt" || diag <"$WORK/noop.txt"
fi

# --- a negative demotion (opnsense/core#2780): maintenance cannot demote ---
# The kernel's demotion is signed; from -540, maintenance's +240 leaves fw1
# advertising better than fw2: it would stay MASTER. Refused up front.
start_sim negdem --speed 5 && use_transport
ctl POST "/ctl/set/0/0?demotion=-540" >/dev/null
sleep 0.3
run_wf "$WORK/negdem.txt" --run failover-test --yes
check "negative demotion: failover-test refused (exit $RC)" [ "$RC" -ne 0 ]
check "negative demotion: names the demotion as the kernel has it" grep -q "demotion is -540, so maintenance (+240) leaves it advertising -300" "$WORK/negdem.txt"
check "negative demotion: no toggle sent" [ "$(stat_of 0 0 mutations)" -eq 0 ]
grep -q "demotion is -540" "$WORK/negdem.txt" || diag <"$WORK/negdem.txt"

# --- update end to end -----------------------------------------------------
start_sim update --speed 20 && use_transport
t0=$(simtime)
run_wf "$WORK/update.txt" --run update --yes
check "update: exit 0" [ "$RC" -eq 0 ]
check "update: fw1 on the new version" [ "$(ctl GET /ctl/text/0/0/opnsense-version)" = "OPNsense 26.7.3 (amd64)" ]
check "update: fw2 on the new version" [ "$(ctl GET /ctl/text/0/1/opnsense-version)" = "OPNsense 26.7.3 (amd64)" ]
check "update: maintenance left on fw1" sh -c "! curl -s $CARPSIM_CTL/ctl/text/0/0/show-carp | grep -q '\"maintenancemode\":true'"
check "update: fw1 MASTER again" [ "$(ctl GET /ctl/text/0/0/ifconfig | awk '/carp:/ { printf "%s", $2 }')" = MASTERMASTER ]
check "update: no split brain" [ "$(health "$t0" split_brains)" -eq 0 ]
check "update: no moment without a MASTER" [ "$(health "$t0" no_master)" -eq 0 ]
[ "$RC" -eq 0 ] || diag <"$WORK/update.txt"

# --- firmware jobs as OPNsense runs them (backends/parse/fwjob.h) -----------
# carpsim replaces the core package first (the version reads new while the
# node still installs), logs ***REBOOT*** and goes down seconds later; the
# quirks below are set per node (/ctl/set fw_stale / fw_lock / fw_fail).
# Both transports follow the job with the same tracker (backends/parse/fwjob.h).
fw_quirk() { # fw_quirk NAME QUERY: a fresh pair with fw2 set so, then run update
	start_sim "$1" --speed 20 && use_transport
	t0=$(simtime)
	ctl POST "/ctl/set/0/1?$2" >/dev/null
	run_wf "$WORK/$1.txt" --run update --yes
}
maint_of() { ctl GET "/ctl/text/0/$1/show-carp" | grep -c '"maintenancemode":true'; }
{
	# The previous job's log (a check, ***DONE***) stays 40 node-seconds.
	fw_quirk fwstale "fw_stale=40"
	check "stale ***DONE*** log: update completes (exit $RC)" [ "$RC" -eq 0 ]
	check "stale ***DONE*** log: both on the new version" [ "$(ctl GET /ctl/text/0/0/opnsense-version)$(ctl GET /ctl/text/0/1/opnsense-version)" = "OPNsense 26.7.3 (amd64)OPNsense 26.7.3 (amd64)" ]
	check "stale ***DONE*** log: fw2 followed through its reboot" grep -q "\[ 1/8\].*ok.*fw2 runs 26.7.3" "$WORK/fwstale.txt"
	check "stale ***DONE*** log: no split brain, always a MASTER" [ "$(health "$t0" split_brains)$(health "$t0" no_master)" = 00 ]
	[ "$RC" -eq 0 ] || diag <"$WORK/fwstale.txt"

	# A check holds the firmware lock: flock -n gives up, nothing happens.
	fw_quirk fwlock "fw_lock=1"
	check "lock held: update stops (exit $RC)" [ "$RC" -eq 2 ]
	check "lock held: says the update never started and why" grep -q "never started.*lock is held" "$WORK/fwlock.txt"
	check "lock held: fw1 never entered maintenance" [ "$(maint_of 0)" -eq 0 ]
	check "lock held: fw1 untouched (no mutating call)" [ "$(stat_of 0 0 mutations)" -eq 0 ]
	check "lock held: always a MASTER" [ "$(health "$t0" no_master)" -eq 0 ]
	grep -q "never started" "$WORK/fwlock.txt" || diag <"$WORK/fwlock.txt"

	# The core update fails: "Partial update failure detected", ***DONE***.
	fw_quirk fwfail "fw_fail=1"
	check "partial failure: update stops (exit $RC)" [ "$RC" -eq 2 ]
	check "partial failure: names the node's failure line" grep -q "FAILED.*Partial update failure detected" "$WORK/fwfail.txt"
	check "partial failure: fw1 never entered maintenance" [ "$(maint_of 0)" -eq 0 ]
	check "partial failure: fw1 untouched" [ "$(stat_of 0 0 mutations)" -eq 0 ]
	grep -q "Partial update failure" "$WORK/fwfail.txt" || diag <"$WORK/fwfail.txt"

	# Nothing to install: ***DONE*** and ready, no reboot, same version.
	start_sim fwnone --speed 20 && use_transport
	t0=$(simtime)
	ctl POST "/ctl/set/0/0?latest=26.7.2" >/dev/null
	ctl POST "/ctl/set/0/1?latest=26.7.2" >/dev/null
	started=$(date +%s)
	run_wf "$WORK/fwnone.txt" --run update --yes
	check "nothing to install: update completes (exit $RC)" [ "$RC" -eq 0 ]
	check "nothing to install: within a minute, not the step's timeout" [ $(($(date +%s) - started)) -lt 60 ]
	check "nothing to install: no split brain, always a MASTER" [ "$(health "$t0" split_brains)$(health "$t0" no_master)" = 00 ]
	[ "$RC" -eq 0 ] || diag <"$WORK/fwnone.txt"
}

# --- a config sync that fails behind `configctl filter sync`'s OK -----------
if [ "$TRANSPORT" = ssh ]; then
	start_sim syncok --speed 5 && use_transport
	run_wf "$WORK/syncok.txt" --run sync --yes
	check "sync over ssh: confirmed by the system log (exit $RC)" [ "$RC" -eq 0 ]
	check "sync over ssh: the node's system log was read after the sync" grep -q "grep -h Filter sync successfully completed /var/log/system/latest.log" "$SIM_DIR/ssh/node-0-0/shim.log"
	[ "$RC" -eq 0 ] || diag <"$WORK/syncok.txt"
	start_sim syncfail --speed 5 && use_transport
	ctl POST "/ctl/set/0/0?sync_fail=1" >/dev/null
	run_wf "$WORK/syncfail.txt" --run sync --yes
	check "sync failing behind OK: not taken as done (exit $RC)" [ "$RC" -ne 0 ]
	check "sync failing behind OK: says the log has no success line" grep -q "printed OK, but the system log has no" "$WORK/syncfail.txt"
	grep -q "printed OK" "$WORK/syncfail.txt" || diag <"$WORK/syncfail.txt"
fi

# --- failover test -----------------------------------------------------------
start_sim failover --speed 5 && use_transport
t0=$(simtime)
run_wf "$WORK/failover.txt" --run failover-test --yes
check "failover-test: exit 0" [ "$RC" -eq 0 ]
check "failover-test: states carried over reported" grep -q "holds [0-9]* states" "$WORK/failover.txt"
check "failover-test: no split brain, always a MASTER" [ "$(health "$t0" split_brains)$(health "$t0" no_master)" = 00 ]
[ "$RC" -eq 0 ] || diag <"$WORK/failover.txt"

# --- a fault at each step of add-alias: stop safely, journal, resume -------
if [ "$TRANSPORT" = api ]; then
	faults="0:1:/api/diagnostics/interface/carp_status/disable:500
0:1:/api/interfaces/vip_settings/add_item:500
0:1:/api/interfaces/vip_settings/reconfigure:500
0:0:/api/interfaces/vip_settings/add_item:500
0:0:/api/interfaces/vip_settings/reconfigure:500
0:1:/api/diagnostics/interface/carp_status/enable:500"
else
	faults=""
fi
i=0
while IFS=: read -r pair node path status; do
	[ -n "$path" ] || continue
	i=$((i + 1))
	start_sim "fault$i" --speed 5 && use_transport
	t0=$(simtime)
	ctl POST "/ctl/fault/$pair/$node?path=$path&count=1&status=$status" >/dev/null
	run_wf "$WORK/fault$i.txt" --run add-alias vhid=3 address=192.168.1.5/24 --yes
	check "fault $i ($path on node $node): stops with exit 2" [ "$RC" -eq 2 ]
	check "fault $i: names the failure" grep -q "FAILED: .*500\|FAILED: .*server error" "$WORK/fault$i.txt"
	check "fault $i: journal kept for --resume" journal_exists
	check "fault $i: CARP never off on both nodes" [ "$(allow_of 0)" = 1 ]
	run_wf "$WORK/resume$i.txt" --resume --yes
	check "fault $i: --resume completes" [ "$RC" -eq 0 ]
	check "fault $i: alias on both nodes afterwards" has_alias 0
	check "fault $i: no split brain at any time" [ "$(health "$t0" split_brains)" -eq 0 ]
	[ "$RC" -eq 0 ] || diag <"$WORK/resume$i.txt"
done <<<"$faults"

# --- over SSH: a fault at each mutating step of failover-test --------------
# NODE:AFTER:STATUS on fw1's `configctl interface carp_set_status maintenance`
# (AFTER=1 lets the enter through and strikes the leave). 500 is configd's
# "Execute error" with nothing done; 503 is the node dropping the SSH
# session while the command runs (the shims end it): whether it ran is
# unknown, so --resume must read the flag before toggling again.
if [ "$TRANSPORT" = ssh ]; then
	sshfaults="0:0:500
0:1:500
0:0:503
0:1:503"
else
	sshfaults=""
fi
i=0
while IFS=: read -r node after status; do
	[ -n "$status" ] || continue
	i=$((i + 1))
	what="maintenance toggle $((after + 1)) on fw$((node + 1)): $([ "$status" = 500 ] && echo 'Execute error' || echo 'connection lost')"
	start_sim "sshfault$i" --speed 5 && use_transport
	t0=$(simtime)
	ctl POST "/ctl/fault/0/$node?path=configctl/interface%20carp_set_status%20maintenance&after=$after&count=1&status=$status" >/dev/null
	run_wf "$WORK/sshfault$i.txt" --run failover-test --yes
	check "ssh fault $i ($what): stops with exit 2" [ "$RC" -eq 2 ]
	if [ "$status" = 500 ]; then
		check "ssh fault $i: names the failure" grep -q "FAILED: .*Execute error" "$WORK/sshfault$i.txt"
	else
		check "ssh fault $i: says the connection dropped and the outcome is unknown" grep -q "FAILED: .*whether it ran is unknown.*dropped while" "$WORK/sshfault$i.txt"
	fi
	check "ssh fault $i: stopped at the faulty step" grep -q "\[ $((after * 3 + 1))/6\].*FAILED" "$WORK/sshfault$i.txt"
	check "ssh fault $i: journal kept for --resume" journal_exists
	check "ssh fault $i: CARP never off" [ "$(allow_of 0)$(allow_of 1)" = 11 ]
	run_wf "$WORK/sshresume$i.txt" --resume --yes
	check "ssh fault $i: --resume completes" [ "$RC" -eq 0 ]
	check "ssh fault $i: fw1 out of maintenance afterwards" sh -c "! curl -s $CARPSIM_CTL/ctl/text/0/0/show-carp | grep -q '\"maintenancemode\":true'"
	check "ssh fault $i: fw1 MASTER again" [ "$(ctl GET /ctl/text/0/0/ifconfig | awk '/carp:/ { printf "%s", $2 }')" = MASTERMASTER ]
	check "ssh fault $i: no split brain, always a MASTER" [ "$(health "$t0" split_brains)$(health "$t0" no_master)" = 00 ]
	[ "$RC" -eq 0 ] || diag <"$WORK/sshfault$i.txt"
	[ "$RC" -eq 0 ] || diag <"$WORK/sshresume$i.txt"
done <<<"$sshfaults"

# --- node unreachable mid-run, and timeout ---------------------------------
if [ "$TRANSPORT" = api ]; then
start_sim unreach --speed 5 && use_transport
ctl POST "/ctl/fault/0/0?path=/api/interfaces/vip_settings/add_item&count=1&status=503" >/dev/null
run_wf "$WORK/un.txt" --run add-alias vhid=3 address=192.168.1.5/24 --yes
check "HTTP 503 mid-run: exit 2" [ "$RC" -eq 2 ]
check "HTTP 503 mid-run: a clear message" grep -q "FAILED: .*503" "$WORK/un.txt"
ctl POST /ctl/plug/0/0/refuse >/dev/null
sleep 0.3
run_wf "$WORK/un2.txt" --resume --yes
check "resume while fw1 is unreachable: stops" [ "$RC" -ne 0 ]
check "resume while fw1 is unreachable: says why" grep -qi "cannot be reached\|refused" "$WORK/un2.txt"
check "... and CARP is still enabled on fw1" [ "$(ctl GET /ctl/text/0/0/sysctl-carp | awk -F': ' '/allow/ {print $2}')" = 1 ]
ctl POST /ctl/plug/0/0/up >/dev/null
sleep 0.3
run_wf "$WORK/rb.txt" --rollback --yes
check "rollback: exit 0" [ "$RC" -eq 0 ]
check "rollback: CARP enabled on fw2 again" [ "$(allow_of 1)" = 1 ]
check "rollback: the alias is gone from fw2" sh -c "! curl -s $CARPSIM_CTL/ctl/text/0/1/config-xml | grep -q '<subnet>192.168.1.5</subnet>'"
[ "$RC" -eq 0 ] || diag <"$WORK/rb.txt"
else
in_maint() { ctl GET "/ctl/text/0/$1/show-carp" | grep -q '"maintenancemode":true'; }
start_sim unreach --speed 5 && use_transport
t0=$(simtime)
# The session drops while fw1 leaves maintenance (the second toggle).
ctl POST "/ctl/fault/0/0?path=configctl/interface%20carp_set_status%20maintenance&after=1&count=1&status=503" >/dev/null
run_wf "$WORK/un.txt" --run failover-test --yes
check "ssh session lost mid-run: exit 2" [ "$RC" -eq 2 ]
check "ssh session lost mid-run: a clear message" grep -q "FAILED: .*dropped while .configctl interface carp_set_status maintenance. ran" "$WORK/un.txt"
check "ssh session lost mid-run: fw1 is still in maintenance (nothing ran)" in_maint 0
ctl POST /ctl/plug/0/0/refuse >/dev/null
sleep 0.3
run_wf "$WORK/un2.txt" --resume --yes
check "resume while fw1 is unreachable over ssh: stops" [ "$RC" -ne 0 ]
check "resume while fw1 is unreachable over ssh: says why" grep -qi "cannot be reached\|refused" "$WORK/un2.txt"
check "... and fw2 still serves every VHID" [ "$(ctl GET /ctl/text/0/1/ifconfig | awk '/carp:/ { printf "%s", $2 }')" = MASTERMASTER ]
ctl POST /ctl/plug/0/0/up >/dev/null
sleep 0.3
run_wf "$WORK/rb.txt" --rollback --yes
check "rollback over ssh: exit 0" [ "$RC" -eq 0 ]
check "rollback over ssh: fw1 out of maintenance" sh -c "! curl -s $CARPSIM_CTL/ctl/text/0/0/show-carp | grep -q '\"maintenancemode\":true'"
check "rollback over ssh: no split brain, always a MASTER" [ "$(health "$t0" split_brains)$(health "$t0" no_master)" = 00 ]
[ "$RC" -eq 0 ] || diag <"$WORK/un.txt"
[ "$RC" -eq 0 ] || diag <"$WORK/rb.txt"
fi

# --- kill -9 mid-run, then --resume ------------------------------------------
if [ "$TRANSPORT" = api ]; then
start_sim kill --speed 5 && use_transport
t0=$(simtime)
ctl POST /ctl/latency/0/0/400 >/dev/null
"$CARPTOP" -c "$CFG" --batch --run add-alias vhid=3 address=192.168.1.5/24 --yes >"$WORK/kill.txt" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
	grep -q '\[ 4/9\].*ok' "$WORK/kill.txt" && break
	sleep 0.05
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "kill -9: happened mid-run (after step 4)" grep -q '\[ 4/9\].*ok' "$WORK/kill.txt"
check "kill -9: the journal survived" journal_exists
ctl POST /ctl/latency/0/0/0 >/dev/null
run_wf "$WORK/kill-resume.txt" --resume --yes
check "kill -9 then --resume: completes" [ "$RC" -eq 0 ]
check "kill -9 then --resume: alias on both" has_alias 0
check "kill -9 then --resume: no split brain" [ "$(health "$t0" split_brains)" -eq 0 ]
[ "$RC" -eq 0 ] || diag <"$WORK/kill-resume.txt"
else
# failover-test, slowed down on fw1: carpsim's latency applies to every
# shim command, so each poll of fw1 takes about a second over SSH.
start_sim kill --speed 5 && use_transport
t0=$(simtime)
ctl POST /ctl/latency/0/0/100 >/dev/null
"$CARPTOP" -c "$CFG" --batch --run failover-test --yes >"$WORK/kill.txt" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
	grep -q '\[ 2/6\].*ok' "$WORK/kill.txt" && break
	sleep 0.05
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "kill -9 over ssh: happened mid-run (after step 2)" grep -q '\[ 2/6\].*ok' "$WORK/kill.txt"
check "kill -9 over ssh: not finished" absent 'Done: every step verified' "$WORK/kill.txt"
check "kill -9 over ssh: the journal survived" journal_exists
ctl POST /ctl/latency/0/0/0 >/dev/null
run_wf "$WORK/kill-resume.txt" --resume --yes
check "kill -9 then --resume over ssh: completes" [ "$RC" -eq 0 ]
check "kill -9 then --resume over ssh: fw1 out of maintenance" sh -c "! curl -s $CARPSIM_CTL/ctl/text/0/0/show-carp | grep -q '\"maintenancemode\":true'"
check "kill -9 then --resume over ssh: no split brain, always a MASTER" [ "$(health "$t0" split_brains)$(health "$t0" no_master)" = 00 ]
[ "$RC" -eq 0 ] || diag <"$WORK/kill.txt"
[ "$RC" -eq 0 ] || diag <"$WORK/kill-resume.txt"
fi

# --- interlocks ------------------------------------------------------------
start_sim lock --speed 5 && use_transport
ctl POST /ctl/plug/0/1/refuse >/dev/null
sleep 0.3
run_wf "$WORK/il1.txt" --run carp-disable node=fw1 --yes
check "interlock: no CARP disable on fw1 while fw2 is unreachable" [ "$RC" -ne 0 -a "$(stat_of 0 0 mutations)" -eq 0 ]
ctl POST /ctl/plug/0/1/up >/dev/null
sleep 0.3
run_wf "$WORK/il2.txt" --run carp-disable node=fw2 --yes
check "carp-disable on fw2: ok" [ "$RC" -eq 0 ]
check "carp-disable on fw2: the result in words" grep -q ' Done: CARP disabled on fw2 (fw1 serves); every step verified\.$' "$WORK/il2.txt"
run_wf "$WORK/il3.txt" --run carp-disable node=fw1 --yes --force
check "interlock: never CARP off on both nodes, even with --force" [ "$RC" -ne 0 -a "$(allow_of 0)" = 1 ]
grep -q "no node with CARP" "$WORK/il3.txt" || diag <"$WORK/il3.txt"
run_wf "$WORK/il4.txt" --run carp-enable node=fw2 --yes
check "carp-enable on fw2: ok" [ "$RC" -eq 0 -a "$(allow_of 1)" = 1 ]
check "carp-enable on fw2: the result in words" grep -q ' Done: CARP enabled on fw2; every step verified\.$' "$WORK/il4.txt"
ctl POST /ctl/plug/0/1/refuse >/dev/null
sleep 0.3
run_wf "$WORK/il5.txt" --run maintenance-enter node=fw1 --yes --force
check "--force overrides the unreachable-peer interlock" [ "$RC" -eq 0 ]
check "maintenance-enter: the result in words, with the demotion read back" grep -q ' Done: fw1 entered maintenance (demotion [0-9][0-9]*); every step verified\.$' "$WORK/il5.txt"
check "--force is in the audit log" grep -q "result=forced" "$XDG_STATE_HOME/carptop/audit.log"
ctl POST /ctl/plug/0/1/up >/dev/null

# --- interlocks decided up front, as in the demo's refusing scenarios ------
# Each is refused before any plan or question (exit 1), with the reason,
# and nothing reaches either node, over this transport.
muts() { echo "$(stat_of 0 0 mutations)+$(stat_of 0 1 mutations)"; }
start_sim il-cd --scenario carp-disabled --speed 5 && use_transport
run_wf "$WORK/ilcd.txt" --run carp-disable node=fw1
check "interlock carp-disabled: CARP off on fw1 refused up front (no plan)" [ "$RC" -eq 1 ] && absent '^.* 1\. ' "$WORK/ilcd.txt"
check "interlock carp-disabled: says fw2 has CARP disabled and VHIDs 1, 3 would have no MASTER" grep -q "fw2 has CARP disabled: disabling CARP on fw1 too would leave VHIDs 1, 3 with no MASTER" "$WORK/ilcd.txt"
run_wf "$WORK/ilcd2.txt" --run carp-disable node=fw1 --yes --force
check "interlock carp-disabled: --force does not lift it (never CARP off on both)" [ "$RC" -eq 1 -a "$(allow_of 0)" = 1 ]
run_wf "$WORK/ilcd3.txt" --run maintenance-enter node=fw1 --yes
check "interlock carp-disabled: maintenance on the only CARP node refused" [ "$RC" -eq 1 ]
check "interlock carp-disabled: nothing sent to either node" [ "$(muts)" = 0+0 ]
start_sim il-nd --scenario node-down --speed 5 && use_transport
run_wf "$WORK/ilnd.txt" --run carp-disable node=fw1 --yes
check "interlock node-down: disabling the only reachable node refused" [ "$RC" -eq 1 ] && grep -q "fw2 cannot be reached" "$WORK/ilnd.txt"
run_wf "$WORK/ilnd2.txt" --run maintenance-enter node=fw1 --yes
check "interlock node-down: demoting the only reachable node refused" [ "$RC" -eq 1 ]
check "interlock node-down: nothing sent" [ "$(stat_of 0 0 mutations)" -eq 0 ]
run_wf "$WORK/ilnd3.txt" --run carp-enable node=fw1 --yes
check "interlock node-down: enabling CARP (a recovery) stays allowed" [ "$RC" -eq 0 ]
start_sim il-mt --scenario maintenance --speed 5 && use_transport
run_wf "$WORK/ilmt.txt" --run maintenance-enter node=fw2 --yes
check "interlock maintenance: both nodes in maintenance refused" [ "$RC" -eq 1 ] && grep -q "puts both nodes in maintenance" "$WORK/ilmt.txt"
check "interlock maintenance: nothing sent" [ "$(muts)" = 0+0 ]
check "interlock maintenance: the refusal is in the audit log" grep -q "action=maintenance-enter result=refused" "$XDG_STATE_HOME/carptop/audit.log"
run_wf "$WORK/ilmt2.txt" --run maintenance-leave node=fw1 --yes
check "interlock maintenance: leaving maintenance (a recovery) stays allowed" [ "$RC" -eq 0 ]

# --- --resume / --rollback without --yes: the journal, nothing changed -----
start_sim noyes --speed 5 && use_transport
if [ "$TRANSPORT" = api ]; then
	ctl POST "/ctl/fault/0/0?path=/api/diagnostics/interface/carp_status/maintenance&count=1&status=500" >/dev/null
else
	ctl POST "/ctl/fault/0/0?path=configctl/interface%20carp_set_status%20maintenance&count=1&status=503" >/dev/null
fi
run_wf "$WORK/ny.txt" --run maintenance-enter node=fw1 --yes
check "no --yes: a stopped run (exit 2) leaves its journal" [ "$RC" -eq 2 ] && journal_exists
check "stop message prints the exact command to continue" grep -q "To retry from this step: carptop -c $CFG --cluster pair1 --batch --resume --yes" "$WORK/ny.txt"
before_audit=$(md5sum <"$XDG_STATE_HOME/carptop/audit.log")
before_state="$(muts) $(ctl GET /ctl/text/0/0/sysctl-carp | md5sum) $(ctl GET /ctl/text/0/1/sysctl-carp | md5sum)"
run_wf "$WORK/ny-resume.txt" --resume
check "--resume without --yes: exit 0" [ "$RC" -eq 0 ]
check "--resume without --yes: shows the step where it stopped and what it would send" grep -q "STOPPED HERE" "$WORK/ny-resume.txt" && grep -q "send next: maintenance-toggle to fw1" "$WORK/ny-resume.txt"
run_wf "$WORK/ny-rollback.txt" --rollback
check "--rollback without --yes: exit 0, lists the undo step" [ "$RC" -eq 0 ] && grep -q "Rollback step 1: Undo: leave maintenance mode on fw1; would send maintenance-toggle" "$WORK/ny-rollback.txt"
check "--resume/--rollback without --yes: the audit log is unchanged" [ "$(md5sum <"$XDG_STATE_HOME/carptop/audit.log")" = "$before_audit" ]
check "--resume/--rollback without --yes: the nodes are unchanged" [ "$(muts) $(ctl GET /ctl/text/0/0/sysctl-carp | md5sum) $(ctl GET /ctl/text/0/1/sysctl-carp | md5sum)" = "$before_state" ]
check "--resume/--rollback without --yes: the journal stays" journal_exists
run_wf "$WORK/ny-go.txt" --resume --yes
check "--resume --yes then carries it out" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || diag <"$WORK/ny-go.txt"

# one workflow per cluster: a second run is refused while the first holds the lock
start_sim lock2 --speed 1 && use_transport
if [ "$TRANSPORT" = api ]; then
ctl POST /ctl/latency/0/0/300 >/dev/null
else
ctl POST /ctl/latency/0/0/100 >/dev/null # per shim command: about 1 s per poll
fi
"$CARPTOP" -c "$CFG" --batch --run failover-test --yes >"$WORK/first.txt" 2>&1 &
pid=$!
sleep 1
run_wf "$WORK/second.txt" --run maintenance-enter node=fw2 --yes
check "lock: a second workflow on the cluster is refused" [ "$RC" -ne 0 ]
check "lock: ... naming the other run" grep -q "another carptop\|unfinished" "$WORK/second.txt"
wait "$pid"

done_testing
