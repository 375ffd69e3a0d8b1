#!/usr/bin/env bash
# NOC scale benchmark (issue 16): for each N, carpsim serves N pairs and
# carptop --batch --watch polls them all; after a warm-up, a fixed window is
# measured. Prints per N: carptop's CPU % of one core, peak RSS, its own
# memory (Anonymous in /proc/PID/smaps_rollup), rounds late, TLS handshakes
# per node (carpsim counts connections; each costs one), nodes reachable,
# the console's key latency (median/worst ms, in tmux, polling the same
# fleet after the window) and the load average beside it (a shared machine
# skews everything). Exits non-zero when a target of issue 16
# (doc/performance.md) is missed.
#
# Usage: bench/scale.sh [options] [PAIRS...]        (default: 1 100 250 500)
#   --build DIR        build directory (default: build-release, made if missing)
#   --window S         measured seconds after warm-up (default 60)
#   --warmup S         seconds before the window (default 15)
#   --config-size B    each config.xml about B bytes (carpsim --config-size)
#   --api-suite        also run the api integration suite against pair 1 of
#                      the largest N while carptop polls all of them (the
#                      default when the largest N is 500 or more)
#   --no-api-suite     do not
#   --no-keys          no console key latency
#   --ssh N            also a row over SSH with N pairs (default 20; 0: none):
#                      one real sshd per node (tests/ssh/harness.sh, needs
#                      root); TLS handshakes are not counted there
# Environment: SCALE_KEEP=1 keeps the work directory.
# A benchmark, not a test: run it alone on a quiet machine.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build-release
window=60
warmup=15
config_size=0
api_suite=
keys=--keys
ssh_pairs=20
pairs=()
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--window) window=$2; shift 2 ;;
	--warmup) warmup=$2; shift 2 ;;
	--config-size) config_size=$2; shift 2 ;;
	--api-suite) api_suite=1; shift ;;
	--no-api-suite) api_suite=0; shift ;;
	--no-keys) keys=; shift ;;
	--ssh) ssh_pairs=$2; shift 2 ;;
	-h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "scale.sh: unknown option $1" >&2; exit 2 ;;
	*) pairs+=("$1"); shift ;;
	esac
done
[ ${#pairs[@]} -gt 0 ] || pairs=(1 100 250 500)
[ -n "$api_suite" ] || { [ "${pairs[-1]}" -ge 500 ] && api_suite=1 || api_suite=0; }

if [ ! -x "$build/carptop" ] || [ ! -x "$build/tests/emulator/carpsim" ]; then
	echo "== building $build (release)" >&2
	[ -d "$build" ] || meson setup "$build" "$here" --buildtype=release >/dev/null
	nice ninja -C "$build" -j2 carptop tests/emulator/carpsim >/dev/null
fi

work=$(mktemp -d)
sim=
EXTRA_CLEANUP=
cleanup() {
	[ -z "$sim" ] || { kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true; }
	eval "$EXTRA_CLEANUP" # the SSH harness's sshds
	[ "${SCALE_KEEP:-0}" = 1 ] && echo "work directory kept: $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# carptop scale benchmark: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "# $(curl --version | head -1 | cut -d' ' -f1-5), json-c $(pkg-config --modversion json-c 2>/dev/null), libxml2 $(pkg-config --modversion libxml-2.0 2>/dev/null), libmicrohttpd $(pkg-config --modversion libmicrohttpd 2>/dev/null)"
echo "# window ${window} s after ${warmup} s warm-up; config.xml $([ "$config_size" = 0 ] && echo "carpsim's small one" || echo "about $config_size bytes")"
printf '%6s %9s %8s %9s %10s %9s %12s %10s %11s %11s %6s  %s\n' pairs interval cpu% rss_MB own_MB late/rnds tls/node tls_max reachable keys_ms load verdict

fail=0
for n in "${pairs[@]}"; do
	interval=5
	[ "$n" -eq 1 ] && interval=1
	dir=$work/sim$n
	"$build/tests/emulator/carpsim" --dir "$dir" --pairs "$n" --interval "$interval" --config-size "$config_size" \
		2>"$work/carpsim$n.log" &
	sim=$!
	for _ in $(seq 1 600); do [ -f "$dir/ready" ] || ! kill -0 $sim 2>/dev/null && break; sleep 0.1; done
	if [ ! -f "$dir/ready" ]; then
		echo "carpsim with $n pairs did not start:" >&2
		cat "$work/carpsim$n.log" >&2
		exit 1
	fi
	. "$dir/carpsim.env"
	/usr/bin/python3 "$here/bench/scale-measure.py" --carptop "$build/carptop" --config "$dir/carptop.yaml" \
		--ctl "$CARPSIM_CTL" --pairs "$n" --interval "$interval" --warmup "$warmup" --window "$window" \
		--config-size "$config_size" $keys || fail=1
	kill "$sim" 2>/dev/null
	wait "$sim" 2>/dev/null || true
	sim=
done

# Over SSH: one real sshd per node whose login runs csh -c as OPNsense's
# root does, the shims answering from carpsim (the harness of the ssh
# suites); as many pairs as this machine hosts well (default 20). Twice the
# warm-up: the first round logs in to every node at once (key exchange,
# and the harness's csh and shims per command), which on 2 cores made one
# of 40 logins miss its timeout in the first 15 s; the window measures the
# steady polling after it.
if [ "$ssh_pairs" -gt 0 ]; then
	# shellcheck disable=SC1091
	. "$here/tests/ssh/harness.sh"
	if ! why=$(ssh_harness_usable); then
		echo "ssh row not measured: $why"
	else
		dir=$work/ssh$ssh_pairs
		"$build/tests/emulator/carpsim" --dir "$dir" --pairs "$ssh_pairs" --interval 5 2>"$work/carpsim-ssh.log" &
		sim=$!
		for _ in $(seq 1 600); do [ -f "$dir/ready" ] || ! kill -0 $sim 2>/dev/null && break; sleep 0.1; done
		[ -f "$dir/ready" ] || { echo "carpsim with $ssh_pairs pairs did not start" >&2; exit 1; }
		. "$dir/carpsim.env"
		set +e # the harness's waits return the status of what they killed
		ssh_harness_config "$dir" "$dir/carptop.yaml" >"$work/ssh.yaml"
		harness=$?
		set -e
		if [ "$harness" -ne 0 ]; then
			echo "ssh row not measured: the SSH harness did not start"
			fail=1
		else
			/usr/bin/python3 "$here/bench/scale-measure.py" --carptop "$build/carptop" --config "$work/ssh.yaml" \
				--ctl "$CARPSIM_CTL" --pairs "$ssh_pairs" --interval 5 --warmup "$((warmup * 2))" --window "$window" \
				--transport ssh || fail=1
		fi
		set +e
		eval "$EXTRA_CLEANUP"
		set -e
		EXTRA_CLEANUP=
		kill "$sim" 2>/dev/null
		wait "$sim" 2>/dev/null || true
		sim=
	fi
fi

# The api suite against pair 1 of a carpsim serving the largest N, while a
# carptop polls all of its pairs (tests/integration/lib.sh, CARPSIM_SCALE_PAIRS).
if [ "$api_suite" = 1 ]; then
	n=${pairs[-1]}
	echo "== api suite against pair 1 of $n pairs while carptop polls all $n"
	if CARPSIM_SCALE_PAIRS=$n CARPTOP=$build/carptop CARPSIM=$build/tests/emulator/carpsim \
		bash "$here/tests/integration/api-suite.sh" >"$work/api-suite.log" 2>&1; then
		echo "api suite: $(grep -c '^ok' "$work/api-suite.log") ok, 0 failed"
	else
		echo "api suite FAILED:"
		grep '^not ok' "$work/api-suite.log" || tail -20 "$work/api-suite.log"
		fail=1
	fi
fi
exit $fail
