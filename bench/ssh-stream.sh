#!/usr/bin/env bash
# Benchmark (not a test): how soon a CARP role flip shows in
# `carptop --batch --watch` over SSH, with the change stream (devd via the
# harness's fake devd) and, for comparison, without it (`stream: false`,
# polling only). 20 flips each; median of the delay from carpsim's own
# transition time to carptop's output. Results: doc/performance.md.
# Needs root (the SSH harness runs sshd). Usage:
#   bench/ssh-stream.sh BUILD_DIR [FLIPS] [POLL_INTERVAL_WITHOUT_STREAM]
# ONLY_POLLING=1 skips the runs with the stream. CONSOLE=1 measures the
# console (in a private tmux server, the pane captured every few ms)
# instead of --batch --watch.
set -u
build=$(cd "${1:-build}" && pwd) || exit 1
flips=${2:-20}
nostream_interval=${3:-1}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
sim=
EXTRA_CLEANUP=
# As tests/integration/lib.sh does: carpsim first, then the harness (its
# EXTRA_CLEANUP), from a function; no set -e (the harness's waits return
# the status of what they killed).
cleanup() {
	[ -n "${CONSOLE_SOCK:-}" ] && tmux -S "$CONSOLE_SOCK" kill-server 2>/dev/null
	[ -n "$sim" ] && kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
	eval "$EXTRA_CLEANUP"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
# shellcheck disable=SC1091
. "$here/../tests/ssh/harness.sh"
if ! why=$(ssh_harness_usable); then
	echo "cannot run: $why" >&2
	exit 1
fi
"$build/tests/emulator/carpsim" --dir "$work/sim" 2>/dev/null &
sim=$!
for _ in $(seq 1 200); do [ -f "$work/sim/ready" ] && break; sleep 0.05; done
[ -f "$work/sim/ready" ] || { echo "carpsim did not start" >&2; exit 1; }
. "$work/sim/carpsim.env"
export XDG_STATE_HOME="$work/state"
ssh_harness_config "$work/sim" "$work/sim/carptop.yaml" >"$work/ssh.yaml" || exit 1
{ echo "stream: false"; cat "$work/ssh.yaml"; } >"$work/nostream.yaml"
# The harness's opnsense-shell times every command (node.env is read per
# session): the node-side part of a poll, apart from SSH and carptop.
TIME_LOGS=
for d in "$work/sim/ssh"/node-*; do
	echo "CARPSIM_TIME_LOG=$d/time.log" >>"$d/node.env"
	TIME_LOGS="$TIME_LOGS $d/time.log"
done
export TIME_LOGS
if [ "${CONSOLE:-0}" = 1 ]; then
	command -v tmux >/dev/null || { echo "CONSOLE=1 needs tmux" >&2; exit 1; }
	export CONSOLE_SOCK="$work/tmux.sock"
	echo "(the console, in tmux)"
fi

if [ "${ONLY_POLLING:-0}" != 1 ]; then
	echo "== with the stream (poll interval 30 s: every flip comes by the stream)"
	STREAM_ERR="$work/stream.err" /usr/bin/python3 "$here/ssh-stream.py" "$build/carptop" "$work/ssh.yaml" \
		"$CARPSIM_CTL" "$flips" 30 || true
	grep -s "CARP stream" "$work/stream.err" | sed 's/^/   /'
fi
echo "== without the stream (stream: false, poll interval $nostream_interval s)"
/usr/bin/python3 "$here/ssh-stream.py" "$build/carptop" "$work/nostream.yaml" "$CARPSIM_CTL" "$flips" \
	"$nostream_interval" || true
