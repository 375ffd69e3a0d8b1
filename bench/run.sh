#!/usr/bin/env bash
# Reproduce doc/performance.md: poll round latency with 50 ms injected per
# node (carptop vs a sequential curl script), then CPU time and peak RSS of
# carptop polling one pair every second for a minute.
# Usage: bench/run.sh BUILD_DIR [SECONDS]
set -eu
build=${1:-build}
secs=${2:-60}
work=$(mktemp -d)
trap 'kill $sim 2>/dev/null; rm -rf "$work"' EXIT
"$build/tests/emulator/carpsim" --dir "$work/sim" 2>/dev/null &
sim=$!
while [ ! -f "$work/sim/ready" ]; do sleep 0.05; done
. "$work/sim/carpsim.env"
curl -s -X POST "$CARPSIM_CTL/ctl/latency/0/0/50" >/dev/null
curl -s -X POST "$CARPSIM_CTL/ctl/latency/0/1/50" >/dev/null

echo "== poll round, 50 ms injected per request on each node"
"$build/bench/bench-poll" "$work/sim/carptop.yaml" 30
echo "== the same reads, sequential curl (10 runs)"
for i in $(seq 1 10); do
	s=$(date +%s%N)
	bash "$(dirname "$0")/sequential-curl.sh" "$work/sim"
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 ))
done | sort -n | awk '{ v[NR] = $1 } END { printf "sequential curl              median %7.1f ms   min %7.1f ms  (%d runs)\n", v[int((NR + 1) / 2)], v[1], NR }'

curl -s -X POST "$CARPSIM_CTL/ctl/latency/0/0/0" >/dev/null
curl -s -X POST "$CARPSIM_CTL/ctl/latency/0/1/0" >/dev/null
echo "== carptop --batch --watch --interval 1 for $secs s"
/usr/bin/time -f "cpu user %U s, system %S s, peak RSS %M KiB" \
	timeout --signal=INT "$secs" "$build/carptop" -c "$work/sim/carptop.yaml" --batch --watch --interval 1 \
	--format json >/dev/null || true
