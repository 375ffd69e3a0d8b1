#!/bin/sh
# A hanging node does not hold up the console. carpsim (the OPNsense
# emulator) serves one pair over HTTPS; the console polls it every second
# (api timeout 3 s). Then fw2's plug is pulled in "hang" mode: it accepts
# connections and never answers. Checked while it hangs:
#  - keys still act within 100 ms (measured as in latency.sh);
#  - fw1's data keeps updating: its age stays within 2 intervals, never
#    STALE, while fw2's last answer grows older;
#  - after its api timeout fw2 is UNKNOWN with the precise timeout error,
#    and from then on its old roles are never shown as current.
# With the plug back in, fw2 is read again.
#
#   hang.sh path/to/carptop path/to/carpsim   (or CARPSIM in the environment)
. "$(dirname "$0")/lib.sh"

CARPSIM=${2:-${CARPSIM:-}}
if [ -z "$CARPSIM" ] || [ ! -x "$CARPSIM" ]; then
	echo "carpsim not given (second argument or CARPSIM): cannot run the hanging node test"
	exit 77
fi
if ! command -v curl >/dev/null 2>&1; then
	echo "curl is not installed: cannot reach carpsim's control server"
	exit 77
fi

SIM_DIR=$SCRATCH/sim
SIM_PID=
"$CARPSIM" --dir "$SIM_DIR" 2>"$SCRATCH/carpsim.log" &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; cleanup' EXIT
i=0
while [ ! -f "$SIM_DIR/ready" ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
if [ ! -f "$SIM_DIR/ready" ]; then
	not_ok 'carpsim started'
	sed 's/^/# /' "$SCRATCH/carpsim.log"
	finish
fi
. "$SIM_DIR/carpsim.env"
ctl() { curl -sS -X "$1" "$CARPSIM_CTL$2"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# fw1's data age in seconds, from the pair view's left node header
# ("version V   latency N ms   age Ns"); empty when not shown.
fw1_age() {
	capture | grep -m1 '^  version ' | sed -n 's/^  version [^ ]*   latency [0-9]* ms   age \([0-9]*\)s.*/\1/p'
}
# The left half of the node header line (fw1's, 200 columns) says STALE.
fw1_stale() {
	capture | grep -E '^[> ] fw1  ' | cut -c1-99 | grep -q STALE
}
# fw2's "last answer Ns ago" on the pair view; empty while it answers.
fw2_last() {
	capture | sed -n 's/.*last answer \([0-9]*\)s ago; roles not shown$/\1/p' | head -n 1
}

# Screen keys, each timed from send-keys to the changed header.
measure_keys() {
	worst=0 slow=0 n=0
	for round in 1 2 3 4 5; do
		for pair in '4:Event log' '1:Overview' '3:Node detail' '2:Pair'; do
			k=${pair%%:*} title=${pair#*:}
			t0=$(now_ms)
			key "$k"
			while ! capture | head -n 1 | grep -q "^ carptop [0-9.]*  $title"; do
				[ $(($(now_ms) - t0)) -gt 2000 ] && break
			done
			dt=$(($(now_ms) - t0))
			n=$((n + 1))
			[ "$dt" -gt "$worst" ] && worst=$dt
			[ "$dt" -gt 100 ] && slow=$((slow + 1))
		done
	done
	echo "# $1: $n key presses, worst $worst ms, $slow over 100 ms"
	check_eq "$slow" 0 "$1: every key acted within 100 ms (worst $worst ms)"
}

start 200 40 "XDG_STATE_HOME=$SCRATCH/state" -c "$SIM_DIR/carptop.yaml"
check_screen '^ pair1  OK( |$)|^>pair1 +OK ' 'console up on carpsim, pair1 OK'
key 2
check_screen '^>? +1  WAN .* MASTER 0 +BACKUP 100 +ok$' 'before: fw1 MASTER, fw2 BACKUP on VHID 1'

ctl POST /ctl/plug/0/1/hang >/dev/null
t_hang=$(now_ms)

# While fw2 hangs (its poll waits for the timeout), the keys still act.
measure_keys 'fw2 hanging'

# Sample the pair view for 7 s: fw1 stays fresh; fw2 goes UNKNOWN and,
# once it has, never shows a role again.
key 2
check_screen '^ carptop [0-9.]+  Pair ' 'pair view again'
max_age=0 bad_age=0 stale=0 unknown_at= role_after=0 fw2_max=0 samples=0
while [ $(($(now_ms) - t_hang)) -lt 7000 ]; do
	a=$(fw1_age)
	samples=$((samples + 1))
	if [ -z "$a" ]; then
		bad_age=$((bad_age + 1))
	elif [ "$a" -gt "$max_age" ]; then
		max_age=$a
	fi
	fw1_stale && stale=$((stale + 1))
	l=$(fw2_last)
	[ -n "$l" ] && [ "$l" -gt "$fw2_max" ] && fw2_max=$l
	if capture | grep -Eq '^>? +1  WAN .* MASTER 0 +UNKNOWN +no-redundancy$'; then
		[ -z "$unknown_at" ] && unknown_at=$(($(now_ms) - t_hang))
	elif [ -n "$unknown_at" ]; then
		# UNKNOWN once: a role for fw2 now would be an old one.
		capture | grep -Eq '^>? +1  WAN .* (BACKUP|MASTER) [0-9]+ +ok$' && role_after=$((role_after + 1))
	fi
	sleep 0.25
done
echo "# $samples samples: fw1 age max ${max_age}s, fw2 last answer up to ${fw2_max}s ago, UNKNOWN after ${unknown_at:-never} ms"
check_eq "$bad_age" 0 'fw1: its data age shown in every sample'
if [ "$max_age" -le 2 ]; then ok "fw1: data age stays within 2 intervals (max ${max_age}s)"; else not_ok "fw1: data age stays within 2 intervals (max ${max_age}s)"; fi
check_eq "$stale" 0 'fw1: never STALE'
# Not before its timeout (no false alarm), not long after it either.
if [ -n "$unknown_at" ] && [ "$unknown_at" -ge 2500 ] && [ "$unknown_at" -le 6000 ]; then
	ok "fw2: UNKNOWN after its 3 s api timeout (${unknown_at} ms)"
else
	not_ok "fw2: UNKNOWN after its 3 s api timeout (${unknown_at:-never})"
fi
check_eq "$role_after" 0 'fw2: once UNKNOWN, no role of it shown as current'
if [ "$fw2_max" -ge 5 ]; then ok "fw2: its last answer grows older (${fw2_max}s)"; else not_ok "fw2: its last answer grows older (${fw2_max}s)"; fi
check_screen '^ CRITICAL: pair1: VHID 1 no redundancy: fw2 unreachable, fw1 is MASTER alone' 'banner: no redundancy, fw2 unreachable (CRITICAL, not UNKNOWN)'
check_screen '^>? +3  LAN .* MASTER 0 +UNKNOWN +no-redundancy$' 'VHID 3: fw1 MASTER, fw2 UNKNOWN'

# The precise error, on fw2's node detail.
key Tab 3
check_screen '^  node +fw2 \(secondary, cluster pair1\)$' 'node detail of fw2'
check_screen '^  reachable +NO: UNKNOWN \(timeout\)$' 'fw2: UNKNOWN (timeout)'
check_screen '^  error +.*(did not answer .* within 3|no connection to 127\.0\.0\.1:[0-9]+ within 3)' 'fw2: the error names the timeout'
echo "# fw2's error: $(capture | sed -n 's/^  error  *//p')"
check_screen '^  last answer +[0-9:]{8} \([0-9]+s ago\); nothing older is shown as current$' 'fw2: last answer, not shown as current'

# Still answering keys with fw2 hanging for good.
measure_keys 'fw2 UNKNOWN'

# The plug back in: fw2 is read again.
ctl POST /ctl/plug/0/1/up >/dev/null
key 2
check_screen '^>? +1  WAN .* MASTER 0 +BACKUP 100 +ok$' 'plug back in: fw2 BACKUP again' 15
key q
check_eq "$(wait_exit 10)" 0 'quit with status 0'

finish
