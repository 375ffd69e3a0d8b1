#!/usr/bin/env bash
# Install dependencies, build carptop with -Werror under ASan+UBSan, and run
# every test suite (unit, api, ssh, ui, workflow). Prints "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
build=build-test
if [ ! -d "$build" ]; then
  meson setup "$build" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
meson test -C "$build" --print-errorlogs --num-processes 2 || status=$?
# A plain closing line that any CI reader understands.
/usr/bin/python3 - "$build/meson-logs/testlog.json" <<'PY' || true
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"): passed += 1
    elif r == "SKIP": skipped += 1
    else: failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
