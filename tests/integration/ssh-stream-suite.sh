#!/usr/bin/env bash
# Suite 'ssh': carptop's CARP change stream over SSH (doc/ssh-stream.md)
# against carpsim through a real sshd per node (tests/ssh/harness.sh, whose
# fake devd follows carpsim's transitions). The poll interval is 30 s, so a
# role flip that shows in `--batch --watch` within a few seconds came by the
# stream, not by the schedule (this proves the path; the latency itself is
# measured by bench/ssh-stream.sh). Then the stream drops: the notice comes,
# the stream comes back (here: the devd socket is gone, so on the ifconfig
# fallback, which still reports a flip), and the periodic polls go on.
# With `stream: false` no stream is opened and a flip waits for the poll.
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$(dirname "$0")/../ssh/harness.sh"
if ! why=$(ssh_harness_usable); then
	echo "1..0 # SKIP $why"
	exit 0
fi

INTERVAL=30
start_sim stream --scenario healthy
ssh_harness_config "$SIM_DIR" "$CFG" >"$WORK/ssh.yaml"
H="$SIM_DIR/ssh"
OUTF="$WORK/watch.json"
ERRF="$WORK/watch.err"

docs() { jq -s length "$OUTF" 2>/dev/null || echo 0; }
# role N VHID NODE: that VHID's status on NODE in output document N (0-based)
role() { jq -rs ".[$1].clusters[0].vhids[] | select(.vhid == $2) | .nodes.$3.status" "$OUTF" 2>/dev/null; }
last_role() { role "$(($(docs) - 1))" "$1" "$2"; }
# wait_for SECONDS command...: until it succeeds (0.1 s steps)
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
err_has() { grep -q "$1" "$ERRF"; }
err_count() { grep -c "$1" "$ERRF"; }
flip() { # flip DEMOTION: fw1's demotion; carpsim's election follows about a second later
	ctl GET "/ctl/set/0/0?demotion=$1" >/dev/null
}
more_docs() { [ "$(docs)" -gt "$1" ]; } # more_docs N: more than N documents printed
new_doc_with() { # new_doc_with N VHID NODE STATUS: a document after N shows it
	[ "$(docs)" -gt "$1" ] && [ "$(last_role "$2" "$3")" = "$4" ]
}

"$CARPTOP" -c "$WORK/ssh.yaml" --batch --watch --interval "$INTERVAL" --format json --no-record \
	>"$OUTF" 2>"$ERRF" &
WATCH=$!
EXTRA_CLEANUP="kill $WATCH 2>/dev/null; $EXTRA_CLEANUP"
T0=$(date +%s)

check "the first round is printed" wait_for 15 more_docs 0
check "the stream to fw1 is up, on devd" wait_for 10 err_has "CARP stream to fw1 up (devd)"
check "the stream to fw2 is up, on devd" wait_for 10 err_has "CARP stream to fw2 up (devd)"
check "healthy: fw1 MASTER on VHID 1" [ "$(role 0 1 fw1)" = MASTER ]

# --- a flip, seen through the stream -------------------------------------
n0=$(docs)
flip 240
check "a flip shows within 8 s with a 30 s interval (fw2 MASTER on VHID 1)" \
	wait_for 8 new_doc_with "$n0" 1 fw2 MASTER
check "... and VHID 3 too" [ "$(last_role 3 fw2)" = MASTER ]
check "... before the periodic round was due ($(($(date +%s) - T0)) s < $INTERVAL s)" \
	[ $(($(date +%s) - T0)) -lt "$INTERVAL" ]
check "the fake devd handed the lines to the stream" grep -q "nc -dU /var/run/devd.pipe" "$H/node-0-0/shim.log"

# --- the stream drops ----------------------------------------------------
# devd "restarts" and its socket is gone: nc fails, carptop says the stream
# dropped, then reopens it (after a 1 s back-off) on the ifconfig loop.
touch "$H/node-0-0/devd.pipe.off" "$H/node-0-1/devd.pipe.off"
touch "$H/node-0-0/devd.drop" "$H/node-0-1/devd.drop"
check "the drop is reported: 'CARP stream to fw1 dropped; polling only'" \
	wait_for 5 err_has "CARP stream to fw1 dropped; polling only"
check "... and for fw2" wait_for 5 err_has "CARP stream to fw2 dropped; polling only"
check "the stream to fw1 is back, on the ifconfig fallback" \
	wait_for 10 err_has "CARP stream to fw1 up (ifconfig loop)"
check "the stream to fw2 is back, on the ifconfig fallback" \
	wait_for 10 err_has "CARP stream to fw2 up (ifconfig loop)"
grep "CARP stream" "$ERRF" | diag
n1=$(docs)
sleep 1.5 # the loop's first look is its reference: flip after it
flip 0
check "a flip back shows through the fallback within 8 s (fw1 MASTER on VHID 1)" \
	wait_for 8 new_doc_with "$n1" 1 fw1 MASTER
check "... still before the periodic round ($(($(date +%s) - T0)) s < $INTERVAL s)" \
	[ $(($(date +%s) - T0)) -lt "$INTERVAL" ]

# Polling carries on regardless: the periodic round comes at its time
# (nothing else prints then: the flips are long over).
while [ $(($(date +%s) - T0)) -lt $((INTERVAL - 2)) ]; do sleep 0.2; done
n2=$(docs)
check "the periodic round still comes (at ~$INTERVAL s)" wait_for 12 more_docs "$n2"
check "carptop is still running" kill -0 "$WATCH"
kill "$WATCH" 2>/dev/null
wait "$WATCH" 2>/dev/null

# --- stream: false --------------------------------------------------------
{ echo "stream: false"; cat "$WORK/ssh.yaml"; } >"$WORK/nostream.yaml"
: >"$OUTF"
: >"$ERRF"
rm -f "$H/node-0-0/devd.pipe.off" "$H/node-0-1/devd.pipe.off"
: >"$H/node-0-0/shim.log"
"$CARPTOP" -c "$WORK/nostream.yaml" --batch --watch --interval "$INTERVAL" --format json --no-record \
	>"$OUTF" 2>"$ERRF" &
WATCH=$!
EXTRA_CLEANUP="kill $WATCH 2>/dev/null; $EXTRA_CLEANUP"
check "stream: false: the first round is printed" wait_for 15 more_docs 0
n3=$(docs)
flip 240
sleep 5
check "stream: false: no document between the rounds after a flip" [ "$(docs)" = "$n3" ]
check "stream: false: no stream command ran" absent "nc " "$H/node-0-0/shim.log"
check "stream: false: nothing said about a stream" absent "CARP stream" "$ERRF"
kill "$WATCH" 2>/dev/null
wait "$WATCH" 2>/dev/null

done_testing
