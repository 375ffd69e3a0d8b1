#!/bin/sh
# --batch --watch ends the normal way on SIGTERM and SIGINT (src/batch.c):
# within a few seconds, with the status of its last document (0-3), not a
# signal's, and without a word from the sanitizers (an ASan build's leak
# checker runs only on a normal exit, and exits 23 on a leak). Both for a
# small fleet (rounds) and a large one (polls spread over the interval,
# a document per interval; every node's data in it younger than the
# interval plus its poll).
set -u
CARPTOP=${1:?usage: $0 path/to/carptop}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/carptop-watchstop.XXXXXX")
PID= READER=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; [ -n "$READER" ] && kill "$READER" 2>/dev/null; rm -rf "$WORK"' EXIT
export XDG_STATE_HOME="$WORK/state"
n=0 failed=0
check() { what=$1; shift; n=$((n + 1)); if "$@"; then echo "ok $n - $what"; else failed=$((failed + 1)); echo "not ok $n - $what"; fi; }

# watch_stop NAME SIGNAL SECONDS DEMO-LIST [OUTPUT]: run (documents to
# OUTPUT, default NAME.out), signal after SECONDS, check. $blocked: where
# carptop waited (/proc/PID/wchan) when the signal went.
watch_stop() {
	name=$1 sig=$2 secs=$3 demo=$4 to=${5:-$WORK/$1.out}
	"$CARPTOP" --demo="$demo" --batch --watch --interval 1 --format json >"$to" 2>"$WORK/$name.err" &
	PID=$!
	sleep "$secs"
	blocked=$(cat "/proc/$PID/wchan" 2>/dev/null)
	kill -"$sig" "$PID"
	i=0
	while kill -0 "$PID" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ended=yes
	kill -0 "$PID" 2>/dev/null && { ended=no; kill -KILL "$PID"; }
	wait "$PID"
	rc=$?
	PID=
	check "$name: ended within 5 s of SIG$sig" [ "$ended" = yes ]
	check "$name: status of its last document (0-3), got $rc" [ "$rc" -le 3 ]
	check "$name: nothing from the sanitizers" sh -c "! grep -q 'Sanitizer\|runtime error' '$WORK/$name.err'"
	[ "$failed" -eq 0 ] || sed 's/^/# /' "$WORK/$name.err" | tail -20
}

watch_stop one-pair TERM 2.5 healthy
check "one-pair: documents printed" grep -q '"clusters"' "$WORK/one-pair.out"
watch_stop one-pair-int INT 1.5 healthy

# 20 pairs: past APP_SPREAD_MIN (16), so spread.
list=healthy
i=1
while [ $i -lt 20 ]; do list="$list,healthy"; i=$((i + 1)); done
watch_stop spread TERM 4.5 "$list"
# A reader that stopped reading: its pipe fills (20 pairs' documents are
# tens of KB each) and carptop waits in a write when the stop comes; it
# still ends (what is unsent is dropped), where it used to wait for that
# reader forever.
mkfifo "$WORK/stalled"
sleep 60 <"$WORK/stalled" &
READER=$!
watch_stop stalled TERM 4 "$list" "$WORK/stalled"
kill "$READER" 2>/dev/null
wait "$READER" 2>/dev/null
READER=
check "stalled reader: carptop was waiting in a write to the full pipe (wchan '$blocked')" sh -c "echo '$blocked' | grep -q pipe"

if command -v jq >/dev/null 2>&1; then
	docs=$(jq -s 'length' "$WORK/spread.out")
	check "spread: a document per interval (got $docs in 4.5 s)" [ "$docs" -ge 3 ] && [ "$docs" -le 5 ]
	# The first document waits for every node's first answer; in each,
	# every node's data is at most the interval (1 s) plus slack old.
	old=$(jq -s '[.[].clusters[].nodes[].age_seconds | select(. != null) | select(. > 1.6)] | length' "$WORK/spread.out")
	check "spread: every node younger than 1.6 s in every document ($old older)" [ "$old" -eq 0 ]
	nodes=$(jq -s '[.[-1].clusters[].nodes[] | select(.reachable)] | length' "$WORK/spread.out")
	check "spread: all 40 nodes answered ($nodes)" [ "$nodes" -eq 40 ]
else
	echo "# jq not installed: document checks skipped"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
