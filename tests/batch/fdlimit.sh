#!/bin/sh
# A fleet larger than the descriptor hard limit allows: carptop says so
# plainly at start (how many it needs, the limit, what to do) and exits 3,
# rather than failing node by node with "too many open files"; under a hard
# limit that suffices, the soft limit is raised and the same fleet loads.
set -u
CARPTOP=${1:?usage: $0 path/to/carptop}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/carptop-fdlimit.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_STATE_HOME="$WORK/state"
n=0 failed=0
check() { what=$1; shift; n=$((n + 1)); if "$@"; then echo "ok $n - $what"; else failed=$((failed + 1)); echo "not ok $n - $what"; fi; }

# 200 pairs over the API (no node answers: 127.0.0.1 port 9 is discard).
printf 'key=k\nsecret=s\n' >"$WORK/key"
chmod 600 "$WORK/key"
{
	echo "clusters:"
	i=0
	while [ $i -lt 200 ]; do
		echo "  - name: c$i"
		echo "    nodes:"
		for r in primary secondary; do
			echo "      - name: $r"
			echo "        role: $r"
			echo "        api: {url: https://127.0.0.1:9, key_file: $WORK/key, insecure: true, timeout: 1}"
		done
		i=$((i + 1))
	done
} >"$WORK/fleet.yaml"
# 400 API nodes past the fleet threshold: 1 connection each, so about
# 64 + 400 * 3 = 1264 descriptors.
rc=0
(ulimit -n 256 && ulimit -Hn 256 && "$CARPTOP" -c "$WORK/fleet.yaml" --batch --format nagios) >"$WORK/out" 2>&1 || rc=$?
check "hard limit too low: exit 3" [ "$rc" -eq 3 ]
check "hard limit too low: says what it needs and what to do" \
	grep -q "carptop: 200 clusters need about 1264 file descriptors, but the hard limit is 256; raise it" "$WORK/out"
rc=0
(ulimit -Sn 256 && ulimit -Hn 4096 && "$CARPTOP" -c "$WORK/fleet.yaml" --batch --format nagios) >"$WORK/out2" 2>&1 || rc=$?
check "soft limit raised: no descriptor complaint" sh -c "! grep -qi 'descriptor\|too many open' '$WORK/out2'"
check "soft limit raised: every node polled (UNKNOWN, exit 3, not a crash)" grep -q "^CARP UNKNOWN" "$WORK/out2"
echo "1..$n"
[ "$failed" -eq 0 ]
