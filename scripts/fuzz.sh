#!/usr/bin/env bash
# Build the fuzz targets with clang and libFuzzer (build-fuzz/: -Dfuzz=true,
# ASan+UBSan) and run each for SECONDS (default 60), one after another, from
# a copy of its seed corpus with its dictionary. Findings are saved under
# tests/fuzz/crashes/. Prints one line per target: executions, executions
# per second, coverage, corpus size; exits non-zero if any target found
# something. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
build=build-fuzz
for tool in clang; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done
if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Demulator=disabled >/dev/null
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(api freebsd ssh-poll xml-pair config theme)
fi
ninja -C "$build" "${targets[@]/#/tests/fuzz/fuzz-}" >/dev/null
status=0
for t in "${targets[@]}"; do
  log=$(mktemp)
  rc=0
  tests/fuzz/run-target.sh run "$PWD/$build/tests/fuzz/fuzz-$t" "$PWD/tests/fuzz" "$t" libfuzzer "$secs" >"$log" 2>&1 || rc=$?
  /usr/bin/python3 - "$t" "$secs" "$rc" "$log" <<'PY'
import re, sys
t, secs, rc, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
text = open(log, errors="replace").read()
def stat(name):
    m = re.search(r"stat::%s:\s+(\d+)" % name, text)
    return m.group(1) if m else "?"
cov = re.findall(r"cov: (\d+) ft: (\d+)", text)
corp = re.search(r"corpus: (\d+) files, (\d+) bytes \(seeds: (\d+)\)", text)
print(f"fuzz-{t:9s} {secs:>4s} s  {stat('number_of_executed_units'):>9s} execs  "
      f"{stat('average_exec_per_sec'):>6s}/s  cov {cov[-1][0] if cov else '?':>5s}  "
      f"corpus {corp.group(1) if corp else '?'} files / {corp.group(2) if corp else '?'} bytes "
      f"(seeds {corp.group(3) if corp else '?'})  rss {stat('peak_rss_mb')} MB  "
      + ("ok" if rc == 0 else f"FOUND SOMETHING (exit {rc})"))
PY
  if [ "$rc" -ne 0 ]; then
    status=1
    sed 's/^/    /' "$log" | tail -n 60
  fi
  rm -f "$log"
done
exit $status
