#!/usr/bin/env bash
# Suite 'api': the CARP-only probe over the API (`carp_interval`,
# carptop.yaml(5)): between full polls 30 s apart, get_vip_status alone every
# 0.5 s; a role flip shows in `--batch --watch` within seconds, by the probe
# (the full round was not due), and the probe reads nothing but
# get_vip_status. Without carp_interval nothing is read between rounds.
. "$(dirname "$0")/lib.sh"

INTERVAL=30
start_sim probe --scenario healthy
OUTF="$WORK/watch.json"
docs() { jq -s length "$OUTF" 2>/dev/null || echo 0; }
more_docs() { [ "$(docs)" -gt "$1" ]; }
last_role() { jq -rs ".[-1].clusters[0].vhids[] | select(.vhid == $1) | .nodes.$2.status" "$OUTF" 2>/dev/null; }
new_doc_with() { more_docs "$1" && [ "$(last_role "$2" "$3")" = "$4" ]; }
wait_for() {
	local t=$(($1 * 10))
	shift
	while [ "$t" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}
vip_reads() { ctl GET /ctl/requests/0/0 | grep -c "get_vip_status"; }
other_reads() { ctl GET /ctl/requests/0/0 | grep -vc "get_vip_status"; }

{ echo "carp_interval: 0.5"; grep -v '^interval:' "$CFG"; } >"$WORK/probe.yaml"
"$CARPTOP" -c "$WORK/probe.yaml" --batch --watch --interval "$INTERVAL" --format json --no-record \
	>"$OUTF" 2>"$WORK/watch.err" &
WATCH=$!
EXTRA_CLEANUP="kill $WATCH 2>/dev/null"
T0=$(date +%s)
check "the first round is printed" wait_for 15 more_docs 0
check "the probe is announced on stderr" wait_for 5 grep -q "CARP stream to fw1 up (get_vip_status every 0.5 s)" "$WORK/watch.err"
sleep 1
ctl POST /ctl/reset-stats/0/0 >/dev/null
sleep 2
v=$(vip_reads)
o=$(other_reads)
check "between rounds the probe reads get_vip_status ($v in 2 s)" [ "$v" -ge 2 ]
check "... and nothing else ($o other requests)" [ "$o" -eq 0 ]
n0=$(docs)
ctl GET "/ctl/set/0/0?demotion=240" >/dev/null
check "a flip shows within 8 s with a 30 s interval (fw2 MASTER on VHID 1)" wait_for 8 new_doc_with "$n0" 1 fw2 MASTER
check "... before the periodic round was due ($(($(date +%s) - T0)) s < $INTERVAL s)" [ $(($(date +%s) - T0)) -lt "$INTERVAL" ]
kill "$WATCH" 2>/dev/null
wait "$WATCH" 2>/dev/null

# Without carp_interval: nothing between the rounds.
"$CARPTOP" -c "$CFG" --batch --watch --interval "$INTERVAL" --format json --no-record >"$OUTF" 2>"$WORK/watch.err" &
WATCH=$!
EXTRA_CLEANUP="kill $WATCH 2>/dev/null"
check "without carp_interval: the first round is printed" wait_for 15 more_docs 0
sleep 1
ctl POST /ctl/reset-stats/0/0 >/dev/null
sleep 2
check "without carp_interval: no request between rounds" [ "$(ctl GET /ctl/stats/0/0 | awk '$1 == "requests" { print $2 }')" = 0 ]
check "without carp_interval: no probe announced" absent "CARP stream" "$WORK/watch.err"
kill "$WATCH" 2>/dev/null
wait "$WATCH" 2>/dev/null
done_testing
