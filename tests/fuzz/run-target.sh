#!/bin/sh
# One fuzz target, for meson's suites and scripts/fuzz.sh.
#   run-target.sh replay EXE FUZZ_DIR TARGET replay|libfuzzer
#     replay the seed corpus FUZZ_DIR/corpus/TARGET (with the replay driver
#     or with libFuzzer -runs=0)
#   run-target.sh run EXE FUZZ_DIR TARGET libfuzzer [SECONDS]
#     fuzz for SECONDS (default $FUZZ_SECONDS, else 20) from a copy of the
#     corpus with the target's dictionary; a crash, leak, sanitizer report
#     or oracle hit is saved as FUZZ_DIR/crashes/TARGET-<kind>-<sha1> and
#     fails the run; the last lines are libFuzzer's final statistics.
# Runs in an empty temporary directory (the config target resolves relative
# paths against it).
set -eu
mode=$1 exe=$2 dir=$3 target=$4 kind=$5
secs=${6:-${FUZZ_SECONDS:-20}}
corpus="$dir/corpus/$target"
dict="$dir/dict/$target.dict"
[ -d "$corpus" ] || { echo "no corpus $corpus" >&2; exit 1; }
[ -f "$dict" ] || { echo "no dictionary $dict" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/carptop-fuzz-$target.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/cwd" "$work/corpus"
cd "$work/cwd"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
case "$mode.$kind" in
replay.replay)
	"$exe" "$corpus" ;;
replay.libfuzzer)
	"$exe" -runs=0 -detect_leaks=1 "$corpus" ;;
run.libfuzzer)
	mkdir -p "$dir/crashes"
	cp "$corpus"/* "$work/corpus/"
	# One process, no forking: the time is one core's. -timeout: an input
	# that takes 10 s is a hang worth a report (saved as timeout-*).
	"$exe" -max_total_time="$secs" -timeout=10 -detect_leaks=1 -print_final_stats=1 \
		-dict="$dict" -artifact_prefix="$dir/crashes/$target-" "$work/corpus" >"$work/log" 2>&1 && rc=0 || rc=$?
	grep -E '^#[0-9]+.*cov: ' "$work/log" | tail -n 1 || true
	tail -n 40 "$work/log" | grep -E '^(stat::|==|SUMMARY|fuzz oracle|artifact_prefix|Test unit written)' || true
	echo "corpus: $(ls "$work/corpus" | wc -l) files, $(du -sb "$work/corpus" | cut -f1) bytes (seeds: $(ls "$corpus" | wc -l))"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz-$target FAILED (exit $rc); the log:"
		tail -n 80 "$work/log"
	fi
	exit "$rc" ;;
*)
	echo "usage: run-target.sh replay|run EXE FUZZ_DIR TARGET replay|libfuzzer [SECONDS]" >&2
	exit 2 ;;
esac
