#!/usr/bin/env bash
# Install dependencies and run every test suite in three builds:
#   build-test      gcc, -Werror, ASan+UBSan: unit, api, ssh, ui, workflow,
#                   doctor, and fuzz (the fuzz corpora replayed by a driver)
#   build-valgrind  gcc, -Werror, no sanitizer: the valgrind suite
#   build-fuzz      clang, libFuzzer, ASan+UBSan: fuzz (corpora replayed by
#                   libFuzzer) and fuzz-run (each target fuzzed for
#                   FUZZ_SECONDS, default 20)
# clang and valgrind are required: a missing tool fails the run, it is not
# skipped. Prints "N passed, N failed" over all three.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
for tool in clang valgrind; do
  command -v "$tool" >/dev/null || { echo "test.sh: $tool is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export FUZZ_SECONDS=${FUZZ_SECONDS:-20}
status=0
logs=()

build=build-test
if [ ! -d "$build" ]; then
  meson setup "$build" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$build"
meson test -C "$build" --print-errorlogs --num-processes 2 || status=$?
logs+=("$build/meson-logs/testlog.json")

# Valgrind cannot run ASan binaries: a second, unsanitised build.
build=build-valgrind
if [ ! -d "$build" ]; then
  meson setup "$build" -Dwerror=true -Dvalgrind=enabled >/dev/null
fi
ninja -C "$build"
meson test -C "$build" --print-errorlogs --num-processes 2 --suite valgrind || status=$?
logs+=("$build/meson-logs/testlog.json")

# libFuzzer: only the fuzz targets are built.
build=build-fuzz
if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Demulator=disabled >/dev/null
fi
ninja -C "$build" $(cd tests/fuzz && for f in fuzz-*.c; do echo "tests/fuzz/${f%.c}"; done) tests/fuzz/test-fuzz-oracle
meson test -C "$build" --no-rebuild --print-errorlogs --num-processes 2 --suite fuzz --suite fuzz-run || status=$?
logs+=("$build/meson-logs/testlog.json")

# A plain closing line that any CI reader understands.
/usr/bin/python3 - "${logs[@]}" <<'PY' || true
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).readlines()
    except OSError:
        failed += 1  # a build whose tests never ran
        continue
    for line in lines:
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"): passed += 1
        elif r == "SKIP": skipped += 1
        else: failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
