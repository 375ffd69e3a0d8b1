#!/usr/bin/env bash
# Compare what two carptop binaries print: every demo scenario (alone, and all
# of them at once as one cluster each) in every batch format, --from-xml on the
# fixture configs in text and JSON, and --list-checks. What changes from run to
# run is masked (generation time, data ages, poll times and latencies); exit
# codes are recorded with the output. Prints a unified diff.
#
#   scripts/compare-output.sh OLD_CARPTOP NEW_CARPTOP
#
# Exit 0 when both print the same, 1 when they differ, 2 on a usage error.
# Used for refactorings that must not change behaviour (issue 13): build the
# starting commit's carptop, then compare it with the current one.
set -euo pipefail

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	echo "usage: $0 OLD_CARPTOP NEW_CARPTOP (two executables)" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No recording, no state or config of the user's: each binary gets its own
# empty directories.
export NO_COLOR=1 LC_ALL=C TZ=UTC

# Replace what differs between two runs of the same binary.
mask() {
	/usr/bin/python3 -c '
import re, sys
subs = [
    (r"(\"generated\":)[0-9.]+", r"\1T"),
    (r"(\"(age_seconds|latency_ms|poll_seconds|duration_seconds)\":)[0-9.e+-]+", r"\1N"),
    (r"(_poll_time=)[0-9.]+s", r"\1Ns"),
    (r"^(carptop_node_(poll_duration|data_age)_seconds\{[^}]*\}) .*$", r"\1 N"),
    (r"^(carptop_[a-z_]*(timestamp|generated)[a-z_]*(\{[^}]*\})?) .*$", r"\1 T"),
    (r"\b[0-9]+\.[0-9]+(ms|s)\b", "Ns"),
    (r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(\.[0-9]+)?Z?\b", "TIME"),
]
for line in sys.stdin:
    for pat, rep in subs:
        line = re.sub(pat, rep, line)
    sys.stdout.write(line)
'
}

# run LABEL BINARY ARGS...: the masked output and exit code of one run.
run() {
	local label=$1 bin=$2 rc
	shift 2
	echo "==== carptop $* ===="
	set +e
	env HOME="$work/home-$label" XDG_STATE_HOME="$work/state-$label" XDG_CONFIG_HOME="$work/config-$label" \
		"$bin" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	set -e
	mask <"$work/out"
	if [ -s "$work/err" ]; then
		echo "---- stderr"
		mask <"$work/err"
	fi
	echo "---- exit $rc"
}

render_all() {
	local label=$1 bin=$2 s f all=""
	mkdir -p "$work/home-$label" "$work/state-$label" "$work/config-$label"
	run "$label" "$bin" --list-checks
	for s in $scenarios; do
		all=${all:+$all,}$s
		for f in text json nagios prometheus; do
			run "$label" "$bin" --demo="$s" --batch --format "$f" --no-record
		done
	done
	for f in text json nagios prometheus; do
		run "$label" "$bin" --demo="$all" --batch --format "$f" --no-record
	done
	for f in text json nagios prometheus; do
		run "$label" "$bin" --batch --format "$f" --from-xml "$xml_p" "$xml_s"
		run "$label" "$bin" --batch --format "$f" --from-xml "$xml_s" "$xml_p"
	done
}

# The scenarios both binaries know (a new one in NEW alone shows as a diff of the list).
scenarios=$("$1" --demo-list | awk '{print $1}')
xml_p=$root/tests/fixtures/examples/Carp_example_master.xml
xml_s=$root/tests/fixtures/examples/Carp_example_backup.xml

{ echo "==== carptop --demo-list"; "$1" --demo-list; } >"$work/old.txt"
{ echo "==== carptop --demo-list"; "$2" --demo-list; } >"$work/new.txt"
render_all old "$1" >>"$work/old.txt"
render_all new "$2" >>"$work/new.txt"

if diff -u --label "old: $1" --label "new: $2" "$work/old.txt" "$work/new.txt"; then
	echo "compare-output: identical ($(grep -c '^==== ' "$work/old.txt") runs)" >&2
	exit 0
fi
exit 1
