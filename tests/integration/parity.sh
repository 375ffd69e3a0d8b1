#!/usr/bin/env bash
# Suite 'ssh': the SSH transport against carpsim through a real sshd per node
# (tests/ssh/harness.sh), compared with the API transport on the same
# emulated pair. Parity: `carptop --batch --format json` over SSH and over
# the API report the same per-VHID roles and verdicts, the same CARP
# globals (allow, demotion, maintenance), the same findings, and state
# counts within a small tolerance (the emulated count moves with time), for
# a healthy pair, one in maintenance and one in split brain. Then a mixed
# pair (fw1 over the API, fw2 over SSH), nodes going down over SSH (never
# shown OK), and config drift read live over SSH and over a mixed pair.
#
# Left out of the comparison on purpose, as the two transports differ by
# what OPNsense tells them: addresses (ifconfig gives the prefix length,
# get_vip_status does not), pfsync.syncdev (the device from ifconfig pfsync0
# vs the interface key from hasync/get), preempt (sysctl only), the
# findings' message texts (they quote those addresses), latency and age.
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$(dirname "$0")/../ssh/harness.sh"
if ! why=$(ssh_harness_usable); then
	echo "1..0 # SKIP $why"
	exit 0
fi

batch() { # batch CONFIG OUT: one batch round as JSON, exit code into $RC
	RC=0
	"$CARPTOP" -c "$1" --batch --format json >"$2" 2>"$WORK/err.txt" || RC=$?
}
roles() { jq -c '[.clusters[0].vhids[] | {vhid, verdict, fw1: .nodes.fw1.status, fw2: .nodes.fw2.status}] | sort_by(.vhid)' "$1"; }
globals() { jq -c '[.clusters[0].nodes[] | {name, reachable, allow: .carp.allow, demotion: .carp.demotion, maintenance: .carp.maintenance}]' "$1"; }
findings() { jq -c '[.clusters[0].findings[] | "\(.id):\(.severity):\(.node):\(.vhid)"] | sort' "$1"; }
states() { jq -r '[.clusters[0].nodes[].states.current] | join(" ")' "$1"; }
# close A B: both numbers, within 2 % of the larger (pfsync keeps the two
# nodes' counts equal; the emulated traffic moves them a little per second).
close() { [ "$1" -ge 0 ] && [ "$2" -ge 0 ] && [ $(($1 > $2 ? $1 - $2 : $2 - $1)) -le $((($1 > $2 ? $1 : $2) / 50 + 2)) ]; }
close2() { close "$1" "$2" && close "$3" "$4"; }
transports() { jq -r '[.clusters[0].nodes[].transport] | join(" ")' "$1"; }
status_of() { jq -r ".clusters[0].vhids[] | select(.vhid == $2) | .nodes[\"$3\"].status" "$1"; }
node_of() { jq -r ".clusters[0].nodes[] | select(.name == \"$2\") | .$3" "$1"; }

# --- parity: API vs SSH on the same pair -------------------------------------
for scen in healthy maintenance split-brain; do
	start_sim "$scen" --scenario "$scen"
	ssh_harness_config "$SIM_DIR" "$CFG" >"$WORK/ssh.yaml"
	batch "$CFG" "$WORK/api-$scen.json"
	rc_api=$RC
	batch "$WORK/ssh.yaml" "$WORK/ssh-$scen.json"
	a="$WORK/api-$scen.json"
	s="$WORK/ssh-$scen.json"
	check "$scen: read over ssh (transports: $(transports "$s"))" [ "$(transports "$s")" = "ssh ssh" ]
	check "$scen: both nodes reachable over ssh, no partial errors" \
		[ "$(jq -r '[.clusters[0].nodes[] | .reachable and (.partial_errors | length == 0)] | all' "$s")" = true ]
	check "$scen: same per-VHID roles and verdicts ($(roles "$s"))" [ "$(roles "$a")" = "$(roles "$s")" ]
	check "$scen: same CARP globals ($(globals "$s"))" [ "$(globals "$a")" = "$(globals "$s")" ]
	check "$scen: same findings ($(findings "$s"))" [ "$(findings "$a")" = "$(findings "$s")" ]
	check "$scen: same pair verdict and exit code ($RC)" \
		[ "$(jq -r '.clusters[0].verdict' "$a")" = "$(jq -r '.clusters[0].verdict' "$s")" -a "$rc_api" = "$RC" ]
	read -r a0 a1 <<<"$(states "$a")"
	read -r s0 s1 <<<"$(states "$s")"
	check "$scen: state counts agree (api $a0/$a1, ssh $s0/$s1)" close2 "$a0" "$s0" "$a1" "$s1"
	case $scen in
	healthy) check "healthy over ssh: fw1 MASTER, fw2 BACKUP on VHID 1 and 3" \
		[ "$(status_of "$s" 1 fw1)$(status_of "$s" 3 fw1)$(status_of "$s" 1 fw2)$(status_of "$s" 3 fw2)" = MASTERMASTERBACKUPBACKUP ] ;;
	maintenance) check "maintenance over ssh: fw1 flag and demotion 240, fw2 MASTER" \
		[ "$(node_of "$s" fw1 carp.maintenance) $(node_of "$s" fw1 carp.demotion) $(status_of "$s" 1 fw2)" = "true 240 MASTER" ] ;;
	split-brain) check "split-brain over ssh: MASTER on both for VHID 3, exit 2" \
		[ "$(status_of "$s" 3 fw1)$(status_of "$s" 3 fw2) $RC" = "MASTERMASTER 2" ] ;;
	esac
done

# --- a mixed pair: fw1 over the API, fw2 over SSH ----------------------------
start_sim mixed --scenario maintenance
MIXED=1 ssh_harness_config "$SIM_DIR" "$CFG" >"$WORK/mixed.yaml"
batch "$CFG" "$WORK/api-mixed.json"
batch "$WORK/mixed.yaml" "$WORK/mixed.json"
m="$WORK/mixed.json"
check "mixed: fw1 over the api, fw2 over ssh" [ "$(transports "$m")" = "api ssh" ]
check "mixed: both reachable" [ "$(jq -r '[.clusters[0].nodes[].reachable] | all' "$m")" = true ]
check "mixed: same roles as the API pair ($(roles "$m"))" [ "$(roles "$WORK/api-mixed.json")" = "$(roles "$m")" ]
check "mixed: same CARP globals as the API pair" [ "$(globals "$WORK/api-mixed.json")" = "$(globals "$m")" ]
RC=0
XDG_STATE_HOME="$SIM_DIR/state" "$CARPTOP" -c "$WORK/mixed.yaml" --batch --run maintenance-leave node=fw1 --yes \
	>"$WORK/mixed-wf.txt" 2>&1 || RC=$?
check "mixed: maintenance-leave on fw1 (api) runs" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || diag <"$WORK/mixed-wf.txt"
batch "$WORK/mixed.yaml" "$m"
check "mixed: fw1 out of maintenance as seen over the mixed pair" [ "$(node_of "$m" fw1 carp.maintenance)" = false ]

# --- a node that is down over SSH is unreachable, never OK ---------------------
start_sim down
ssh_harness_config "$SIM_DIR" "$CFG" >"$WORK/ssh.yaml"
ctl POST /ctl/power/0/1/off >/dev/null
sleep 0.3
batch "$WORK/ssh.yaml" "$WORK/down.json"
check "powered off: fw2 unreachable over ssh ($(node_of "$WORK/down.json" fw2 error_kind))" \
	[ "$(node_of "$WORK/down.json" fw2 reachable)" = false ]
check "powered off: fw2's roles UNKNOWN" [ "$(status_of "$WORK/down.json" 1 fw2)$(status_of "$WORK/down.json" 3 fw2)" = UNKNOWNUNKNOWN ]
check "powered off: not OK (exit $RC)" [ "$RC" -ne 0 ]
ctl POST /ctl/power/0/1/on >/dev/null
# The node went down while a command ran: the shims drop the session (503).
ctl POST "/ctl/fault/0/1?path=text/ifconfig&count=1&status=503" >/dev/null
for _ in $(seq 1 50); do
	[ "$(ctl GET /ctl/state | awk '$1 == 0 && $2 == 1 { print $3 }')" = up ] && break
	sleep 0.1
done
sleep 0.3
batch "$WORK/ssh.yaml" "$WORK/drop.json"
check "down mid-command: fw2 unreachable, the session dropped ($(node_of "$WORK/drop.json" fw2 error))" \
	[ "$(node_of "$WORK/drop.json" fw2 error_kind)" = unreachable ]
ctl POST /ctl/plug/0/0/hang >/dev/null
sleep 0.3
t0=$(date +%s%N)
batch "$WORK/ssh.yaml" "$WORK/hang.json"
t1=$(date +%s%N)
check "plug hang: fw1 times out over ssh ($(node_of "$WORK/hang.json" fw1 error_kind)), fw2 read" \
	[ "$(node_of "$WORK/hang.json" fw1 error_kind) $(node_of "$WORK/hang.json" fw2 reachable)" = "timeout true" ]
check "plug hang: the round ends within the ssh timeout plus margin ($(((t1 - t0) / 1000000)) ms)" [ $(((t1 - t0) / 1000000)) -lt 13000 ]
ctl POST /ctl/plug/0/0/up >/dev/null
sleep 0.3
batch "$WORK/ssh.yaml" "$WORK/back.json"
check "plug back in: both reachable again over ssh" [ "$(jq -r '[.clusters[0].nodes[].reachable] | all' "$WORK/back.json")" = true ]

# --- config drift, read live over SSH (and over a mixed pair) ------------------
drift_ok() { # drift_ok JSON: the planted drift (a rule deleted on fw2, VIP /32 on fw2)
	jq -e '(.clusters[0].drift | length > 0)
		and any(.clusters[0].drift[]; .section == "filter" and .path == "filter/rule[3]" and .secondary == null)
		and any(.clusters[0].drift[]; .path == "virtualip/vip[vhid=3,lan]/subnet_bits" and .primary == "24" and .secondary == "32")' "$1" >/dev/null
}
start_sim drift --scenario drift
ssh_harness_config "$SIM_DIR" "$CFG" >"$WORK/ssh.yaml"
batch "$WORK/ssh.yaml" "$WORK/drift.json"
check "drift over ssh: the planted rule and VIP prefix differences ($(jq -c '[.clusters[0].drift[]?.path]' "$WORK/drift.json"))" drift_ok "$WORK/drift.json"
check "drift over ssh: reported as config-drift findings" [ "$(jq '[.clusters[0].findings[] | select(.id == "config-drift")] | length' "$WORK/drift.json")" -ge 2 ]
check "drift over ssh: config.xml read with its own cat on each node" \
	[ "$(grep -c '^cat /conf/config.xml' "$SIM_DIR/ssh/node-0-0/shim.log")" -ge 1 -a "$(grep -c '^cat /conf/config.xml' "$SIM_DIR/ssh/node-0-1/shim.log")" -ge 1 ]
check "drift over ssh: the config never reaches the output (no CARP password)" absent "<password>\|s3cret" "$WORK/drift.json" "$WORK/err.txt"
MIXED=1 ssh_harness_config "$SIM_DIR" "$CFG" >"$WORK/mixed.yaml"
batch "$WORK/mixed.yaml" "$WORK/drift-mixed.json"
check "drift over a mixed pair (api + ssh): the same differences" drift_ok "$WORK/drift-mixed.json"
start_sim nodrift
ssh_harness_config "$SIM_DIR" "$CFG" >"$WORK/ssh.yaml"
batch "$WORK/ssh.yaml" "$WORK/nodrift.json"
check "no drift over ssh on a healthy pair (drift [] and known)" [ "$(jq -c '.clusters[0].drift' "$WORK/nodrift.json")" = "[]" ]
# config.xml cannot be read: said once per node, nothing made up.
ctl POST "/ctl/fault/0/1?path=text/config-xml&count=2&status=500" >/dev/null
"$CARPTOP" -c "$WORK/ssh.yaml" --batch --format json --count 2 --interval 0.5 >"$WORK/nocfg.json" 2>/dev/null
check "config.xml unreadable over ssh: a partial error names it" \
	[ "$(jq -s -r '.[-1].clusters[0].nodes[1].partial_errors[] | select(.what == "config") | .message' "$WORK/nocfg.json" | grep -c 'config.xml not read: `cat /conf/config.xml`')" -eq 1 ]
check "config.xml unreadable over ssh: drift unknown, not empty" [ "$(jq -s -c '.[-1].clusters[0].drift' "$WORK/nocfg.json")" = null ]

done_testing
