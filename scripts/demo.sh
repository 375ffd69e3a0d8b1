#!/usr/bin/env bash
# Install dependencies, build carptop, and start the built-in simulated pair.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
exec ./build/carptop --demo "$@"
