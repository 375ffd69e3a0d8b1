# Shared helpers for the integration suites: start carpsim, talk to its
# control server, run carptop against it, and check results. Sourced by
# each suite script; every check prints a TAP line so meson counts them.
set -u

CARPTOP=${CARPTOP:?path to carptop}
CARPSIM=${CARPSIM:?path to carpsim}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/carptop-it.XXXXXX")
export XDG_STATE_HOME="$WORK/state"
n=0
failed=0
SIM_PID=
SCALE_PID=

# CARPSIM_SCALE_PAIRS=N (bench/scale.sh --api-suite): every emulator serves
# N pairs, the suite's carptop talks to pair 1 only, and a second carptop
# polls the other N-1 pairs in the background the whole time (not pair 1,
# whose request and connection counters the suite checks).
# Stopped as a service manager stops it, with SIGTERM, and waited for: the
# watch must end the normal way (batch.c) within 10 s, with the status of
# its last document (0-3) rather than a signal's or the leak checker's
# (LeakSanitizer exits 23), and nothing from the sanitizers in its log.
scale_stop() {
	local rc i=0 log=${SCALE_LOG:-/dev/null}
	[ -n "$SCALE_PID" ] || return 0
	if kill -0 "$SCALE_PID" 2>/dev/null; then
		kill -TERM "$SCALE_PID"
		while kill -0 "$SCALE_PID" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 "$SCALE_PID" 2>/dev/null; then
			kill -KILL "$SCALE_PID"
			not_ok "scale: the carptop polling all ${CARPSIM_SCALE_PAIRS} pairs ended within 10 s of SIGTERM"
		fi
		wait "$SCALE_PID" 2>/dev/null
		rc=$?
		if [ "$rc" -le 3 ]; then
			ok "scale: the carptop polling all ${CARPSIM_SCALE_PAIRS} pairs ended cleanly on SIGTERM (status $rc)"
		else
			not_ok "scale: the carptop polling all ${CARPSIM_SCALE_PAIRS} pairs ended cleanly on SIGTERM (status $rc)"
			tail -20 "$log" | diag
		fi
		if grep -q 'Sanitizer\|runtime error' "$log"; then
			not_ok "scale: no leak or sanitizer report from the carptop polling all pairs"
			grep -m5 -A5 'Sanitizer\|runtime error' "$log" | diag
		else
			ok "scale: no leak or sanitizer report from the carptop polling all pairs"
		fi
	else
		not_ok "scale: the carptop polling all ${CARPSIM_SCALE_PAIRS} pairs died"
	fi
	SCALE_PID=
}

cleanup() {
	scale_stop
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
	[ -n "${EXTRA_CLEANUP:-}" ] && eval "$EXTRA_CLEANUP"
	# CARPTOP_KEEP_TMP=1 keeps the logs for a look afterwards (as the C tests).
	if [ -n "${CARPTOP_KEEP_TMP:-}" ]; then echo "# kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# A timeout (meson sends SIGTERM) or ^C still runs cleanup: no carpsim or
# sshd is left behind.
trap 'exit 143' TERM
trap 'exit 130' INT

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # check "description" command...
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
absent() { ! grep -q "$@"; } # absent PATTERN FILE...: true when nowhere found
diag() { sed 's/^/# /'; }
done_testing() {
	scale_stop
	echo "1..$n"
	[ "$n" -gt 0 ] && [ "$failed" -eq 0 ]
}

# start_sim NAME [carpsim options...]: a fresh emulator in $WORK/NAME.
start_sim() {
	local name=$1 wait=100
	shift
	scale_stop
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
	SIM_DIR="$WORK/$name"
	if [ -n "${CARPSIM_SCALE_PAIRS:-}" ]; then
		set -- "$@" --pairs "$CARPSIM_SCALE_PAIRS"
		wait=1200
	fi
	"$CARPSIM" --dir "$SIM_DIR" "$@" 2>"$WORK/$name.carpsim.log" &
	SIM_PID=$!
	for _ in $(seq 1 $wait); do
		[ -f "$SIM_DIR/ready" ] && break
		sleep 0.05
	done
	[ -f "$SIM_DIR/ready" ] || { echo "# carpsim did not start"; cat "$WORK/$name.carpsim.log" | diag; return 1; }
	# shellcheck disable=SC1091
	. "$SIM_DIR/carpsim.env"
	CFG="$SIM_DIR/carptop.yaml"
	# Each emulated world gets its own journals, locks and audit log.
	export XDG_STATE_HOME="$SIM_DIR/state"
	if [ -n "${CARPSIM_SCALE_PAIRS:-}" ]; then
		awk '/^  - name: / && ++k > 1 { exit } { print }' "$CFG" >"$SIM_DIR/pair1.yaml"
		awk '/^  - name: / { k++ } k != 1 { print }' "$CFG" >"$SIM_DIR/others.yaml"
		XDG_STATE_HOME="$SIM_DIR/scale-state" "$CARPTOP" -c "$SIM_DIR/others.yaml" --read-only --batch --watch \
			--format nagios >"$WORK/$name.scale.out" 2>"$WORK/$name.scale.log" &
		SCALE_PID=$!
		SCALE_LOG=$WORK/$name.scale.log
		# The suite starts once it polls them all: its first document is
		# out (every node answered once, or its deadline passed). Before
		# that a SIGTERM would find it still loading the fleet.
		for _ in $(seq 1 600); do
			[ -s "$WORK/$name.scale.out" ] || ! kill -0 "$SCALE_PID" 2>/dev/null && break
			sleep 0.1
		done
		CFG="$SIM_DIR/pair1.yaml"
	fi
}

ctl() { # ctl METHOD PATH [body]
	if [ $# -ge 3 ]; then
		curl -sS -X "$1" --data-binary "$3" "$CARPSIM_CTL$2"
	else
		curl -sS -X "$1" "$CARPSIM_CTL$2"
	fi
}
stat_of() { ctl GET "/ctl/stats/$1/$2" | awk -v k="$3" '$1 == k { print $2 }'; }

# carptop_json [args...]: batch JSON into $OUT, exit code into $RC.
carptop_json() {
	OUT="$WORK/out.json"
	RC=0
	"$CARPTOP" -c "$CFG" --batch --format json "$@" >"$OUT" 2>"$WORK/err.txt" || RC=$?
}
jqv() { jq -r "$1" "$OUT"; }
